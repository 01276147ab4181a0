"""The deployed stages prove companies against the CVR register: the packaged template's API function
selects it and names the stack's own secret for its credentials; the stack makes that secret empty, for the
operator to set (never a value in a template or a parameter file); the API function alone may read it; and
`make deploy` asks for it by the name the stack gives it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from infra.deploy import OPERATOR_SECRETS, Plan, secret_name
from tests.infra import templates

pytestmark = pytest.mark.infra

SECRET = "CvrCredentialsSecret"
API = "APIHandler"
# A parameter that could carry the register's user or password into the stack.
CREDENTIAL_WORDS = re.compile(r"cvr|password|credential|user ?name", re.IGNORECASE)


def sam(packaged: tuple[str, Path]) -> dict[str, Any]:
    template: dict[str, Any] = json.loads(packaged[1].read_text())
    return template


def role_statements(template: dict[str, Any], function: str) -> list[dict[str, Any]]:
    role = template["Resources"][template["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]]
    statements: list[dict[str, Any]] = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    return statements


def test_the_prod_api_function_selects_the_cvr_register_and_may_read_its_secret(packaged_prod: Path) -> None:
    # Given the packaged prod template
    template: dict[str, Any] = json.loads(packaged_prod.read_text())
    variables = template["Resources"][API]["Properties"]["Environment"]["Variables"]

    # Then its API function proves companies against the CVR register, with the stack's own secret
    assert variables["GODKEND_REGISTRY"] == "cvr"
    assert variables["GODKEND_CVR_SECRET_ID"] == {"Ref": SECRET}
    # And its role may read that secret's value
    assert {
        "Sid": "SecretsmanagerCvrCredentials",
        "Effect": "Allow",
        "Action": ["secretsmanager:GetSecretValue"],
        "Resource": [{"Ref": SECRET}],
    } in role_statements(template, API)


def test_every_function_of_a_deployed_stage_is_set_to_the_cvr_register(packaged: tuple[str, Path]) -> None:
    template = sam(packaged)
    for logical_id, function in templates.of_type(template, "AWS::Serverless::Function").items():
        assert function["Properties"]["Environment"]["Variables"]["GODKEND_REGISTRY"] == "cvr", logical_id


def test_the_stack_makes_the_secret_without_a_value_and_keeps_it(packaged: tuple[str, Path]) -> None:
    # Given the stage's template
    stage, _ = packaged
    template = sam(packaged)
    secret = template["Resources"][SECRET]

    # Then the secret is named after the stage, the name `make deploy` asks for, and has no value
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    name = templates.resolve(secret["Properties"]["Name"], templates.parameter_defaults(template))
    assert name == f"godkend-{stage}/cvr-credentials"
    [credentials] = [s for s in OPERATOR_SECRETS if s.suffix == "cvr-credentials"]
    assert name == secret_name(Plan(stage, "eu-west-1", None), credentials)
    assert "SecretString" not in secret["Properties"]
    assert "GenerateSecretString" not in secret["Properties"]
    # And it is kept when the stack goes or the resource is replaced, as the activation key is; encrypted,
    # as that one is, with Secrets Manager's own key (checkov's finding explained in the template)
    assert (secret["DeletionPolicy"], secret["UpdateReplacePolicy"]) == ("RetainExceptOnCreate", "Retain")
    assert "KmsKeyId" not in secret["Properties"]
    assert "CKV_AWS_149" in {skip["id"] for skip in secret["Metadata"]["checkov"]["skip"]}
    assert template["Outputs"]["CvrCredentialsSecretArn"]["Value"] == {"Ref": SECRET}


def test_only_the_api_function_may_read_the_register_credentials(packaged: tuple[str, Path]) -> None:
    # Given every function's role in the stage's template
    template = sam(packaged)
    readers = set()
    for logical_id in templates.of_type(template, "AWS::Serverless::Function"):
        for statement in role_statements(template, logical_id):
            resources = statement["Resource"]
            resources = resources if isinstance(resources, list) else [resources]
            # Then no role reaches Secrets Manager by a wildcard
            if any(action.startswith("secretsmanager:") for action in statement["Action"]):
                assert all(isinstance(r, dict) and set(r) == {"Ref"} for r in resources), logical_id
            if {"Ref": SECRET} in resources:
                assert statement["Action"] == ["secretsmanager:GetSecretValue"], logical_id
                readers.add(logical_id)

    # And only the API function's names the register's credentials
    assert readers == {API}


def test_no_parameter_or_parameter_file_carries_the_credentials(packaged: tuple[str, Path]) -> None:
    template = sam(packaged)
    parameter_file = json.loads(templates.PROJECT_DIR.joinpath("infra/parameters.json").read_text())

    assert [name for name in template["Parameters"] if CREDENTIAL_WORDS.search(name)] == []
    for stage in ("dev", "prod"):
        assert [name for name in parameter_file[stage] if CREDENTIAL_WORDS.search(name)] == [], stage
    assert '"SecretString"' not in json.dumps(template)  # no secret's value is written in the template
