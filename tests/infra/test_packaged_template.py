"""`python -m infra.package` builds a template CloudFormation accepts, with our resources merged into what
Chalice generates.

Packaging runs `chalice package`, which downloads Lambda (manylinux) wheels for requirements.txt the first
time; later runs reuse the zip Chalice keeps in `.chalice/deployments/`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file

from infra.package import PROJECT_DIR
from tests.infra import templates

COGNITO_VARIABLES = {
    "GODKEND_COGNITO_USER_POOL_ID": {"Ref": "UserPool"},
    "GODKEND_COGNITO_CLIENT_ID": {"Ref": "UserPoolClient"},
}


def sam(packaged: tuple[str, Path]) -> dict[str, Any]:
    template: dict[str, Any] = json.loads(packaged[1].read_text())
    return template


@pytest.mark.infra
def test_packaged_template_passes_cfn_lint(packaged: tuple[str, Path]) -> None:
    # Given the template `make package` would produce for the stage
    _, template = packaged

    # When cfn-lint checks it (the SAM transform included) for the region we deploy to
    findings = lint_file(template, config=ManualArgs(regions=["eu-west-1"]))

    # Then it finds nothing, warnings included
    assert [f"{f.rule.id} {f.message} ({f.path})" for f in findings] == []


@pytest.mark.infra
def test_the_api_handler_keeps_the_stage_config_and_learns_the_user_pool(packaged: tuple[str, Path]) -> None:
    # Given what .chalice/config.json sets for the stage
    stage, _ = packaged
    configured = templates.stage_variables(stage)

    # When the packaged function's environment is read with the template's defaults
    template = sam(packaged)
    variables = template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    defaults = templates.parameter_defaults(template)
    resolved = {name: templates.resolve(value, defaults) for name, value in variables.items()}

    # Then the merge kept every configured variable and added the user pool's
    assert resolved == {**configured, **COGNITO_VARIABLES}


@pytest.mark.infra
def test_the_packaged_tables_carry_the_stage_prefix(packaged: tuple[str, Path]) -> None:
    stage, _ = packaged
    prefix = templates.stage_variables(stage)["GODKEND_TABLE_PREFIX"]
    template = sam(packaged)
    defaults = templates.parameter_defaults(template)

    names = [
        templates.resolve(t["Properties"]["TableName"], defaults)
        for t in templates.of_type(template, "AWS::DynamoDB::Table").values()
    ]

    assert names
    assert all(name.startswith(f"{prefix}-") for name in names)


@pytest.mark.infra
def test_the_packaged_api_answers_its_own_errors_as_problem_json(packaged: tuple[str, Path]) -> None:
    # Given the REST API Chalice generated, with our definition merged into its own
    definition = sam(packaged)["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    ours = templates.load()["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]

    # Then it has Chalice's routes and our gateway responses
    assert "/health" in definition["paths"]
    responses = definition["x-amazon-apigateway-gateway-responses"]
    assert responses == ours["x-amazon-apigateway-gateway-responses"]


def test_packaging_an_unknown_stage_fails_in_one_line(tmp_path: Path) -> None:
    # When someone packages a stage .chalice/config.json does not define
    finished = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "infra.package", "--stage", "nope", "--out", str(tmp_path / "out")],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )

    # Then it says so in one line, without a traceback, and builds nothing
    assert finished.returncode != 0
    assert len(finished.stderr.strip().splitlines()) == 1
    assert "unknown stage 'nope'" in finished.stderr
    assert "Traceback" not in finished.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.infra
def test_the_mail_functions_are_wired_to_their_stream_queue_and_topic(packaged: tuple[str, Path]) -> None:
    resources = sam(packaged)["Resources"]

    # The outbox stream's ARN only exists once the table does, so the template refers to it
    stream = resources["DeliverOutbox"]["Properties"]["Events"]["DeliverOutboxDynamodbEventSource"]
    assert stream["Properties"]["Stream"] == {"Fn::GetAtt": ["OutboxTable", "StreamArn"]}
    assert resources["OutboxTable"]["Properties"]["StreamSpecification"] == {
        "StreamViewType": "NEW_AND_OLD_IMAGES"
    }

    # The queue and topic Chalice subscribes to by name are ours, and exist before the subscriptions
    assert resources["RedeliverMail"]["DependsOn"] == ["MailRetryQueue"]
    assert resources["MailFeedback"]["DependsOn"] == ["SesFeedbackTopic"]
    queue = resources["RedeliverMail"]["Properties"]["Events"]["RedeliverMailSqsEventSource"]["Properties"][
        "Queue"
    ]
    assert queue["Fn::Sub"].endswith(f":godkend-{packaged[0]}-mail-retry")

    # SES reports bounces and complaints to the topic, through the configuration set the senders use
    destination = resources["MailFeedbackDestination"]["Properties"]["EventDestination"]
    assert sorted(destination["MatchingEventTypes"]) == ["bounce", "complaint"]
    for function in ("DeliverOutbox", "RedeliverMail"):
        variables = resources[function]["Properties"]["Environment"]["Variables"]
        assert variables["GODKEND_SES_CONFIGURATION_SET"] == {"Ref": "MailConfigurationSet"}
