"""Each deployed stage's IAM policy (`.chalice/policy-<stage>.json`) lets the function reach what the
template creates for that stage, and nothing of another stage.

Chalice cannot generate these policies: it does not see PynamoDB calls or anything in `chalicelib/`.
"""

from __future__ import annotations

import ast
import json
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from tests.infra import templates

REGION = "eu-west-1"
ACCOUNT = "123456789012"
ITEM_ACTIONS = (
    "GetItem",
    "BatchGetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "ConditionCheckItem",
    "Query",
)


def deployed_stages() -> list[str]:
    """The stages with a policy of their own; `local` and `test` never reach AWS and borrow dev's."""
    stages = templates.chalice_config()["stages"]
    return [name for name, stage in stages.items() if stage.get("iam_policy_file") == f"policy-{name}.json"]


def policy(stage: str) -> dict[str, Any]:
    file = templates.chalice_config()["stages"][stage]["iam_policy_file"]
    loaded: dict[str, Any] = json.loads((templates.CHALICE_CONFIG.parent / file).read_text())
    return loaded


def allows(policy: dict[str, Any], action: str, resource: str) -> bool:
    for statement in policy["Statement"]:
        actions = _as_list(statement["Action"])
        resources = _as_list(statement["Resource"])
        if (
            statement["Effect"] == "Allow"
            and any(fnmatchcase(action, a) for a in actions)
            and any(fnmatchcase(resource, r) for r in resources)
        ):
            return True
    return False


def table_arns(stage: str) -> list[str]:
    parameters = templates.stage_parameters(stage)
    tables = templates.of_type(templates.load(), "AWS::DynamoDB::Table").values()
    names = [templates.resolve(t["Properties"]["TableName"], parameters) for t in tables]
    return [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}" for name in names]


def test_dev_and_prod_have_policies_of_their_own() -> None:
    assert set(deployed_stages()) >= {"dev", "prod"}


@pytest.mark.parametrize("stage", deployed_stages())
def test_the_function_may_use_every_table_of_its_stage(stage: str) -> None:
    # Given the stage's tables as the template names them, and the stage's policy
    granted = policy(stage)

    for arn in table_arns(stage):
        # Then items can be read and written, and indexes queried
        for action in ITEM_ACTIONS:
            assert allows(granted, f"dynamodb:{action}", arn), (action, arn)
        assert allows(granted, "dynamodb:Query", f"{arn}/index/by-org")
        assert allows(granted, "dynamodb:GetRecords", f"{arn}/stream/2026-01-01T00:00:00.000")


@pytest.mark.parametrize("stage", deployed_stages())
def test_no_stage_may_touch_another_stages_tables(stage: str) -> None:
    granted = policy(stage)
    others = [other for other in deployed_stages() if other != stage]

    for other in others:
        for arn in table_arns(other):
            assert not any(allows(granted, f"dynamodb:{a}", arn) for a in ITEM_ACTIONS), (stage, arn)


@pytest.mark.parametrize("stage", deployed_stages())
def test_the_function_may_write_its_own_logs(stage: str) -> None:
    name = templates.load()["Resources"]["APIHandler"]["Properties"]["FunctionName"]
    function = templates.resolve(name, templates.stage_parameters(stage))
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{function}"

    granted = policy(stage)
    assert allows(granted, "logs:CreateLogGroup", group)
    assert allows(granted, "logs:CreateLogStream", f"{group}:log-stream:2026/01/01/abc")
    assert allows(granted, "logs:PutLogEvents", f"{group}:log-stream:2026/01/01/abc")


@pytest.mark.parametrize("stage", deployed_stages())
def test_every_cognito_admin_call_in_the_code_is_allowed(stage: str) -> None:
    # Given the admin operations chalicelib calls on the user pool (user-token operations need no IAM)
    pool = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_example"
    called = cognito_admin_calls(templates.PROJECT_DIR / "chalicelib")
    assert called, "found no Cognito admin calls: has the client moved?"

    # Then the stage's policy allows each of them
    missing = [c for c in called if not allows(policy(stage), f"cognito-idp:{c}", pool)]
    assert missing == []


@pytest.mark.parametrize("stage", deployed_stages())
def test_the_functions_may_use_every_queue_of_their_stage(stage: str) -> None:
    # Given the stage's queues as the template names them (mail retries, reminder chunks, their dead letters)
    parameters = templates.stage_parameters(stage)
    queues = templates.of_type(templates.load(), "AWS::SQS::Queue").values()
    names = [templates.resolve(q["Properties"]["QueueName"], parameters) for q in queues]
    assert any(name.endswith("-reminders") for name in names)

    # Then each can be sent to (SendMessageBatch is authorised as SendMessage) and consumed by Lambda
    for name in names:
        arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"
        for action in ("SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl"):
            assert allows(policy(stage), f"sqs:{action}", arn), (action, arn)


@pytest.mark.parametrize("stage", deployed_stages())
def test_the_function_may_send_mail(stage: str) -> None:
    identity = f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/godkend.dk"

    assert allows(policy(stage), "ses:SendEmail", identity)
    assert allows(policy(stage), "ses:SendRawEmail", identity)


def cognito_admin_calls(package: Path) -> list[str]:
    """Every `.admin_*` operation (boto3 Cognito admin calls) under `package`, as IAM action: AdminGetUser."""
    names: set[str] = set()
    for source in package.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Attribute) and node.attr.startswith("admin_"):
                names.add("".join(part.title() for part in node.attr.split("_")))
    return sorted(names)


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value
