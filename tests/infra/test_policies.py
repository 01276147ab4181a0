"""Each function's role (infra/policies.json, rendered by infra/operations.py) reaches only its own stage's
resources: everything is named through `TablePrefix`, the user pool and secret by reference, and nothing is
granted on `*` but X-Ray, whose calls take no resource. Whether each grant is exactly what the function
calls is tests/test_least_privilege.py's business."""

from __future__ import annotations

import ast
import json
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import botocore
import botocore.session
import pytest

from infra.operations import XRAY_ACTIONS, render_policy
from tests.infra import templates

REGION = "eu-west-1"
ACCOUNT = "123456789012"
POLICIES = templates.PROJECT_DIR / "infra" / "policies.json"
# Made by the operator's tools (`make staff`) with the operator's credentials, never by a function.
OPERATOR_ONLY = {"AdminAddUserToGroup"}


def policies() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(POLICIES.read_text())
    return loaded


def resolved(statements: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    parameters = {
        "TablePrefix": prefix,
        "AWS::Partition": "aws",
        "AWS::Region": REGION,
        "AWS::AccountId": ACCOUNT,
        "MailDomain": "godkend.dk",
        "MailConfigurationSet": f"{prefix}-mail",
    }
    return [
        {**s, "Resource": [templates.resolve(r, parameters) for r in _as_list(s["Resource"])]}
        for s in statements
    ]


def allows(statements: list[dict[str, Any]], action: str, resource: str) -> bool:
    return any(
        fnmatchcase(action, a) and any(isinstance(r, str) and fnmatchcase(resource, r) for r in s["Resource"])
        for s in statements
        for a in _as_list(s["Action"])
    )


def table_names() -> set[str]:
    tables = templates.of_type(templates.load(), "AWS::DynamoDB::Table").values()
    return {t["Properties"]["TableName"]["Fn::Sub"].removeprefix("${TablePrefix}-") for t in tables}


def queue_names() -> set[str]:
    queues = templates.of_type(templates.load(), "AWS::SQS::Queue").values()
    return {q["Properties"]["QueueName"]["Fn::Sub"].removeprefix("${TablePrefix}-") for q in queues}


@pytest.mark.parametrize("function", sorted(policies()))
def test_a_function_reaches_its_own_stages_tables_and_never_another_stages(function: str) -> None:
    statements = render_policy(policies()[function])
    dev, prod = resolved(statements, "godkend-dev"), resolved(statements, "godkend-prod")

    for table, actions in policies()[function].get("dynamodb", {}).items():
        for action in actions:
            assert allows(
                dev, f"dynamodb:{action}", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/godkend-dev-{table}"
            )
            assert not allows(
                dev, f"dynamodb:{action}", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/godkend-prod-{table}"
            )
            assert not allows(
                prod, f"dynamodb:{action}", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/godkend-dev-{table}"
            )


def test_every_resource_a_policy_names_exists_in_the_template() -> None:
    tables, queues = table_names(), queue_names()

    for function, grants in policies().items():
        for resource in grants.get("dynamodb", {}):
            assert resource.split("/index/")[0] in tables, (function, resource)
        for resource in grants.get("sqs", {}):
            assert resource in queues, (function, resource)


def test_the_packaged_roles_are_the_policies_and_grant_nothing_on_star_but_traces(
    packaged: tuple[str, Path],
) -> None:
    template = json.loads(packaged[1].read_text())

    for function in templates.of_type(template, "AWS::Serverless::Function").values():
        role = template["Resources"][function["Properties"]["Role"]["Fn::GetAtt"][0]]
        (policy,) = role["Properties"]["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            resources = _as_list(statement["Resource"])
            if "*" in resources:
                assert statement["Action"] == XRAY_ACTIONS
            text = json.dumps(resources)
            assert "userpool/*" not in text
            assert "godkend-" not in text  # the stage is named only through TablePrefix


@pytest.mark.parametrize("function", sorted(policies()))
def test_the_user_pool_is_the_stacks_own(function: str) -> None:
    for statement in render_policy(policies()[function]):
        if any(a.startswith("cognito-idp:") for a in statement["Action"]):
            assert statement["Resource"] == [{"Fn::GetAtt": ["UserPool", "Arn"]}]


def test_every_cognito_admin_call_in_the_code_is_granted_to_some_function() -> None:
    called = cognito_admin_calls(templates.PROJECT_DIR / "chalicelib")
    assert called, "found no Cognito admin calls: has the client moved?"
    granted = {
        action
        for grants in policies().values()
        for action in grants.get("cognito-idp", {}).get("user-pool", [])
    }

    assert set(called) - granted - OPERATOR_ONLY == set()


def cognito_admin_calls(package: Path) -> list[str]:
    """Every `.admin_*` operation (boto3 Cognito admin calls) under `package`, as IAM action: AdminGetUser.
    The action is the API's own operation name (`admin_set_user_mfa_preference` is AdminSetUserMFAPreference),
    so it is looked up in botocore's model rather than spelt from the method's name."""
    model = botocore.session.get_session().get_service_model("cognito-idp")
    operations = {botocore.xform_name(name): name for name in model.operation_names}
    names: set[str] = set()
    for source in package.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Attribute) and node.attr.startswith("admin_"):
                names.add(operations[node.attr])
    return sorted(names)


def _as_list(value: Any) -> list[Any]:
    return [value] if isinstance(value, str | dict) else list(value)
