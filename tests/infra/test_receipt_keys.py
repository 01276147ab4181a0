"""The receipt key set in the packaged template: a secret of its own, made empty and kept, encrypted with the
stage's KMS key; the API function alone reads it, and may decrypt with that key only through Secrets
Manager."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.deploy import OPERATOR_SECRETS, Plan
from infra.deploy import secret_name as deploy_checks
from infra.receipt_keys import secret_name
from tests.infra import templates

SECRET = "ReceiptKeysSecret"
API = "APIHandler"


def sam(packaged: tuple[str, Path]) -> dict[str, Any]:
    template: dict[str, Any] = json.loads(packaged[1].read_text())
    return template


def statements(template: dict[str, Any], function: str) -> list[dict[str, Any]]:
    role = template["Resources"][template["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]]
    found: list[dict[str, Any]] = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    return found


@pytest.mark.infra
def test_the_key_set_is_a_kept_secret_under_the_stages_kms_key(packaged: tuple[str, Path]) -> None:
    # Given the stage's template
    stage, _ = packaged
    template = sam(packaged)
    secret = template["Resources"][SECRET]

    # Then the secret has the name the rotation command writes to and `make deploy` checks for a value, no
    # value of the stack's own, and the stage's KMS key
    name = templates.resolve(secret["Properties"]["Name"], templates.parameter_defaults(template))
    assert name == secret_name(stage)
    [receipt_keys] = [s for s in OPERATOR_SECRETS if s.suffix == "receipt-keys"]
    assert name == deploy_checks(Plan(stage, "eu-west-1", None), receipt_keys)
    assert "SecretString" not in secret["Properties"]
    assert "GenerateSecretString" not in secret["Properties"]
    assert secret["Properties"]["KmsKeyId"] == {"Ref": "OpsKey"}
    # And it outlives the stack: receipts signed years ago verify only while their key is published
    assert (secret["DeletionPolicy"], secret["UpdateReplacePolicy"]) == ("RetainExceptOnCreate", "Retain")
    # And checkov is not told it uses the AWS managed key, which it does not
    skips = secret.get("Metadata", {}).get("checkov", {}).get("skip", [])
    assert "CKV_AWS_149" not in {skip["id"] for skip in skips}


@pytest.mark.infra
def test_only_the_api_function_reads_the_key_set_and_decrypts_it_through_secrets_manager(
    packaged: tuple[str, Path],
) -> None:
    template = sam(packaged)
    readers, decrypters = set(), set()
    for logical_id in templates.of_type(template, "AWS::Serverless::Function"):
        for statement in statements(template, logical_id):
            resources = statement["Resource"]
            resources = resources if isinstance(resources, list) else [resources]
            if {"Ref": SECRET} in resources:
                assert statement["Action"] == ["secretsmanager:GetSecretValue"], logical_id
                readers.add(logical_id)
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if any(action.startswith("kms:") for action in actions):
                assert statement["Action"] == ["kms:Decrypt"], logical_id
                assert resources == [{"Fn::GetAtt": ["OpsKey", "Arn"]}], logical_id
                assert statement["Condition"] == {
                    "StringEquals": {
                        "kms:ViaService": {"Fn::Sub": "secretsmanager.${AWS::Region}.amazonaws.com"}
                    }
                }
                decrypters.add(logical_id)

    assert readers == decrypters == {API}
