"""The tables in `infra/resources.json` are the ones the PynamoDB models describe.

Expectations are derived from the models, so a model that gains an index, a stream or a TTL attribute
without the template following fails here rather than in AWS.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.constants import PAY_PER_REQUEST_BILLING_MODE
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib.models import ALL_MODELS
from tests.infra import templates

# The models were imported with this prefix (tests/conftest.py); resolving the template with the same prefix
# must name exactly the models' tables.
PREFIX = os.environ["GODKEND_TABLE_PREFIX"]


def expected_table(model: type[Model]) -> dict[str, Any]:
    schema = model._get_schema()
    stream_view_type = getattr(model.Meta, "stream_view_type", None)
    ttl = model._ttl_attribute()
    return {
        "TableName": model.Meta.table_name,
        "BillingMode": model.Meta.billing_mode,
        "AttributeDefinitions": _attribute_definitions(schema["attribute_definitions"]),
        "KeySchema": _key_schema(schema["key_schema"]),
        "GlobalSecondaryIndexes": _indexes(schema["global_secondary_indexes"]),
        "LocalSecondaryIndexes": _indexes(schema["local_secondary_indexes"]),
        "StreamSpecification": {"StreamViewType": stream_view_type} if stream_view_type else None,
        "TimeToLiveSpecification": {"AttributeName": ttl.attr_name, "Enabled": True} if ttl else None,
    }


def template_table(properties: dict[str, Any]) -> dict[str, Any]:
    """The same shape as `expected_table`, read from a table's properties in the template."""
    return {
        "TableName": templates.resolve(properties["TableName"], {"TablePrefix": PREFIX}),
        "BillingMode": properties.get("BillingMode"),
        "AttributeDefinitions": sorted(properties["AttributeDefinitions"], key=lambda d: d["AttributeName"]),
        "KeySchema": _key_schema(properties["KeySchema"]),
        "GlobalSecondaryIndexes": _template_indexes(properties.get("GlobalSecondaryIndexes", [])),
        "LocalSecondaryIndexes": _template_indexes(properties.get("LocalSecondaryIndexes", [])),
        "StreamSpecification": properties.get("StreamSpecification"),
        "TimeToLiveSpecification": properties.get("TimeToLiveSpecification"),
    }


def tables_in_template() -> dict[str, dict[str, Any]]:
    """Physical table name -> the table's properties."""
    tables = templates.of_type(templates.load(), "AWS::DynamoDB::Table").values()
    return {templates.resolve(t["Properties"]["TableName"], {"TablePrefix": PREFIX}): t for t in tables}


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_template_matches_models(model: type[Model]) -> None:
    # Given the table the template creates under the model's name
    table = tables_in_template().get(model.Meta.table_name)
    assert table is not None, f"infra/resources.json has no table named {model.Meta.table_name}"

    # Then keys, indexes, stream and TTL are what the model declares
    assert template_table(table["Properties"]) == expected_table(model)


def test_every_table_in_the_template_has_a_model() -> None:
    modelled = {model.Meta.table_name for model in ALL_MODELS}

    assert set(tables_in_template()) - modelled == set()


def test_every_table_is_protected_from_loss() -> None:
    for name, table in tables_in_template().items():
        properties = table["Properties"]
        assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        assert properties["SSESpecification"] == {"SSEEnabled": True}, name
        assert properties["DeletionProtectionEnabled"] == {"Fn::If": ["ProtectsData", True, False]}, name
        assert (table.get("DeletionPolicy"), table.get("UpdateReplacePolicy")) == (
            "RetainExceptOnCreate",
            "Retain",
        ), name


def test_the_comparison_notices_a_stream_or_ttl_the_template_lacks() -> None:
    # Given a model with a stream, a TTL attribute and an INCLUDE index, none of which a plain table has
    class ByKind(GlobalSecondaryIndex["Streamed"]):
        class Meta:
            index_name = "by-kind"
            projection = IncludeProjection(["label"])

        kind = UnicodeAttribute(hash_key=True)

    class Streamed(Model):
        class Meta:
            table_name = f"{PREFIX}-streamed"
            region = "eu-west-1"
            billing_mode = PAY_PER_REQUEST_BILLING_MODE
            stream_view_type = "NEW_AND_OLD_IMAGES"

        item_id = UnicodeAttribute(hash_key=True)
        kind = UnicodeAttribute()
        expires_at = TTLAttribute()
        by_kind = ByKind()

    plain = {
        "TableName": {"Fn::Sub": "${TablePrefix}-streamed"},
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "item_id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "item_id", "KeyType": "HASH"}],
    }

    # When the expectations are derived from it
    expected = expected_table(Streamed)

    # Then they ask for all three, and a table without them does not pass
    assert expected["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert expected["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert expected["GlobalSecondaryIndexes"][0]["Projection"] == {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": ["label"],
    }
    assert template_table(plain) != expected


def _attribute_definitions(definitions: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    # PynamoDB lists an attribute once per key or index it appears in.
    unique = {d["AttributeName"]: d["AttributeType"] for d in definitions}
    return [{"AttributeName": n, "AttributeType": t} for n, t in sorted(unique.items())]


def _key_schema(keys: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    ordered = sorted(keys, key=lambda k: k["KeyType"] != "HASH")
    return [{"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]} for k in ordered]


def _indexes(indexes: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    shaped = [
        {
            "IndexName": index["index_name"],
            "KeySchema": _key_schema(index["key_schema"]),
            "Projection": index["projection"],
        }
        for index in indexes
    ]
    return sorted(shaped, key=lambda i: i["IndexName"])


def _template_indexes(indexes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    shaped = [{**index, "KeySchema": _key_schema(index["KeySchema"])} for index in indexes]
    return sorted(shaped, key=lambda i: i["IndexName"])
