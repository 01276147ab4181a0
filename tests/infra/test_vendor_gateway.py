"""The vendor routes in AWS: API Gateway throttles them, and the key authorizer Chalice deploys as a function
of its own is named, configured and allowed like the API's function, and never cached.

Throttling lives in the REST API's `MethodSettings` (SAM passes them to the stage it creates), per route and
method, across all vendors: API Gateway can only throttle per caller with usage plans and its own API keys,
which our bearer keys are not. Per-vendor limits are the service's own (failed checks,
`chalicelib/services/ratelimit.py`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app import app
from tests.infra import templates


def vendor_routes() -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, methods in app.routes.items()
        for method, entry in methods.items()
        if entry.authorizer is not None
    }


def resource_path(path: str) -> str:
    # CloudFormation's MethodSetting names a resource with each "/" written as "~1".
    return "/" + path.replace("/", "~1")


def method_settings(template: templates.Template) -> list[dict[str, Any]]:
    settings: list[dict[str, Any]] = template["Resources"]["RestAPI"]["Properties"]["MethodSettings"]
    return settings


def test_every_vendor_route_is_throttled_by_api_gateway():
    # Given the routes behind the vendor key, and the throttling the template sets
    throttled = {(s["ResourcePath"], s["HttpMethod"]): s for s in method_settings(templates.load())}

    # Then each of them, and nothing else, has a rate and a burst limit
    assert set(throttled) == {(resource_path(path), method) for path, method in vendor_routes()}
    for setting in throttled.values():
        assert 0 < setting["ThrottlingRateLimit"] <= setting["ThrottlingBurstLimit"]


def sam(packaged: tuple[str, Path]) -> tuple[str, Any]:
    stage, path = packaged
    return stage, json.loads(path.read_text())


@pytest.mark.infra
def test_the_packaged_api_throttles_the_vendor_routes_and_never_caches_the_key_check(packaged):
    _, template = sam(packaged)
    resources = template["Resources"]

    assert method_settings(template) == method_settings(templates.load())
    definition = resources["RestAPI"]["Properties"]["DefinitionBody"]
    authorizer = definition["securityDefinitions"]["vendor_key"]["x-amazon-apigateway-authorizer"]
    assert authorizer["type"] == "token"
    assert authorizer["authorizerResultTtlInSeconds"] == 0
    for path, method in vendor_routes():
        assert definition["paths"][path][method.lower()]["security"] == [{"vendor_key": []}]


@pytest.mark.infra
def test_the_key_authorizer_function_reads_the_stages_tables_and_writes_its_logs(packaged):
    # Given the authorizer's function as packaged for the stage
    stage, template = sam(packaged)
    function = template["Resources"]["VendorKey"]["Properties"]
    defaults = templates.parameter_defaults(template)
    environment = function["Environment"]["Variables"]
    variables = {name: templates.resolve(value, defaults) for name, value in environment.items()}

    # Then it has the stage's configuration, a name of the stage, and the code it runs
    assert variables == {
        **templates.stage_variables(stage),
        "GODKEND_MAIL_SENDER": variables["GODKEND_MAIL_SENDER"],
    }
    assert function["Handler"] == "chalicelib.api.vendor_auth.vendor_key"
    name = templates.resolve(function["FunctionName"], defaults)
    assert name == f"{templates.stage_variables(stage)['GODKEND_TABLE_PREFIX']}-vendor-key"

    # And its own role lets it read keys and write its own logs, and nothing else of the tables
    role = template["Resources"][function["Role"]["Fn::GetAtt"][0]]
    (policy,) = role["Properties"]["Policies"]
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    assert statements["DynamodbVendorKeys"]["Action"] == ["dynamodb:GetItem"]
    assert [sid for sid in statements if sid.startswith("Dynamodb")] == ["DynamodbVendorKeys"]
    assert statements["WriteOwnLogs"]["Resource"] == [{"Fn::GetAtt": ["VendorKeyLogGroup", "Arn"]}]
