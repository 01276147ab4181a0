"""The packaged template of each deployed stage is ready to operate: every function has its own role and log
group, every failure has somewhere to go, every alarm tells someone, no secret is in an environment, and
everything is named after the stage's `TablePrefix` (infra/operations.py generates most of it)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from infra.operations import DEAD_LETTER_SUFFIX, function_names
from tests.infra import templates

pytestmark = pytest.mark.infra

SECRET_NAMES = re.compile(r"KEY|SECRET|PASSWORD|TOKEN", re.IGNORECASE)


def sam(packaged: tuple[str, Path]) -> dict[str, Any]:
    template: dict[str, Any] = json.loads(packaged[1].read_text())
    return template


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return templates.of_type(template, "AWS::Serverless::Function")


def test_every_function_of_the_app_is_in_the_template(packaged: tuple[str, Path]) -> None:
    from chalice.app import ChaliceAuthorizer, EventSourceHandler

    from app import app

    lambdas = {n for n, h in app.handler_map.items() if isinstance(h, EventSourceHandler | ChaliceAuthorizer)}

    assert set(function_names(sam(packaged)).values()) == lambdas | {"api_handler"}


def test_each_function_runs_python_3_13_with_a_role_of_its_own(packaged: tuple[str, Path]) -> None:
    found = functions(sam(packaged))

    roles = [f["Properties"]["Role"]["Fn::GetAtt"][0] for f in found.values()]
    assert {f["Properties"]["Runtime"] for f in found.values()} == {"python3.13"}
    assert len(set(roles)) == len(roles) == len(found)


def test_each_function_has_a_log_group_with_retention_and_is_traced(packaged: tuple[str, Path]) -> None:
    template = sam(packaged)
    groups = templates.of_type(template, "AWS::Logs::LogGroup")

    for logical_id, function in functions(template).items():
        name = function["Properties"]["FunctionName"]["Fn::Sub"]
        (group,) = [
            g
            for g in groups.values()
            if g["Properties"]["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/{name}"}
        ]
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        assert f"{logical_id}LogGroup" in function["DependsOn"]  # exists before Lambda could create its own
        assert function["Properties"]["Tracing"] == "Active"
    assert template["Parameters"]["LogRetentionDays"]["Default"] <= 90


def test_no_secret_is_in_any_environment(packaged: tuple[str, Path]) -> None:
    template = sam(packaged)
    for function in functions(template).values():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        text = json.dumps(variables)
        assert "resolve:secretsmanager" not in text
        assert "resolve:ssm-secure" not in text
        for name, value in variables.items():
            if SECRET_NAMES.search(name):
                # Only where to find a secret: the ARN of one of the stack's own secrets
                assert name.endswith(("_SECRET", "_SECRET_ID")), name
                assert set(value) == {"Ref"}, name
                assert template["Resources"][value["Ref"]]["Type"] == "AWS::SecretsManager::Secret", name


def test_every_stream_mapping_bisects_bounds_its_retries_and_parks_what_it_gives_up(
    packaged: tuple[str, Path],
) -> None:
    template = sam(packaged)
    streams = [
        event["Properties"]
        for function in functions(template).values()
        for event in function["Properties"].get("Events", {}).values()
        if event["Type"] in ("DynamoDB", "Kinesis")
    ]

    assert streams
    for stream in streams:
        assert stream["BisectBatchOnFunctionError"] is True
        assert 0 < stream["MaximumRetryAttempts"] <= 10
        assert 60 <= stream["MaximumRecordAgeInSeconds"] <= 24 * 3600
        target = stream["DestinationConfig"]["OnFailure"]
        assert target["Type"] == "SQS"
        assert template["Resources"][target["Destination"]["Fn::GetAtt"][0]]["Type"] == "AWS::SQS::Queue"


def test_every_asynchronously_invoked_function_has_a_dead_letter_queue(packaged: tuple[str, Path]) -> None:
    template = sam(packaged)
    asynchronous = {
        logical_id: function
        for logical_id, function in functions(template).items()
        if any(e["Type"] in ("Schedule", "SNS") for e in function["Properties"].get("Events", {}).values())
    }

    assert {"SendReminders", "CheckLetters", "MailFeedback", "SweepOutbox"} <= set(asynchronous)
    for function in asynchronous.values():
        queue = function["Properties"]["DeadLetterQueue"]["TargetArn"]["Fn::GetAtt"][0]
        assert template["Resources"][queue]["Type"] == "AWS::SQS::Queue"


def test_every_alarm_tells_the_encrypted_ops_topic(packaged: tuple[str, Path]) -> None:
    template = sam(packaged)
    alarms = templates.of_type(template, "AWS::CloudWatch::Alarm")

    assert alarms
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "OpsTopic"}]
    topic = template["Resources"]["OpsTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] == {"Ref": "OpsKey"}
    assert template["Resources"]["OpsKey"]["Properties"]["EnableKeyRotation"] is True
    subscription = template["Resources"]["OpsEmailSubscription"]
    assert subscription["Condition"] == "HasOpsEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "OpsEmail"}


def test_the_alarms_cover_every_function_queue_stream_the_api_and_mail(packaged: tuple[str, Path]) -> None:
    template = sam(packaged)
    watched = [
        (
            a["Properties"]["Namespace"],
            a["Properties"]["MetricName"],
            json.dumps(a["Properties"]["Dimensions"]),
        )
        for a in templates.of_type(template, "AWS::CloudWatch::Alarm").values()
    ]

    def watches(namespace: str, metric: str, dimension: Any) -> bool:
        return any(n == namespace and m == metric and json.dumps(dimension) in d for n, m, d in watched)

    for logical_id, function in functions(template).items():
        for metric in ("Errors", "Throttles"):
            assert watches("AWS/Lambda", metric, {"Ref": logical_id}), (logical_id, metric)
        if any(e["Type"] == "DynamoDB" for e in function["Properties"].get("Events", {}).values()):
            assert watches("AWS/Lambda", "IteratorAge", {"Ref": logical_id})
    for queue in templates.of_type(template, "AWS::SQS::Queue"):
        if queue.endswith(DEAD_LETTER_SUFFIX):
            assert watches(
                "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"Fn::GetAtt": [queue, "QueueName"]}
            )
    assert watches("AWS/ApiGateway", "5XXError", {"Fn::Sub": "${TablePrefix}-api"})
    assert watches("AWS/ApiGateway", "Latency", {"Fn::Sub": "${TablePrefix}-api"})
    assert watches("AWS/SES", "Reputation.BounceRate", {"Ref": "MailConfigurationSet"})
    assert watches("AWS/SES", "Reputation.ComplaintRate", {"Ref": "MailConfigurationSet"})
    assert "Dashboard" in template["Resources"]


def test_a_stopped_letter_check_raises_the_heartbeat_alarm(packaged: tuple[str, Path]) -> None:
    heartbeat = sam(packaged)["Resources"]["LetterCheckHeartbeatAlarm"]["Properties"]

    assert heartbeat["MetricName"] == "LettersOverdue"
    assert (heartbeat["Statistic"], heartbeat["ComparisonOperator"]) == ("SampleCount", "LessThanThreshold")
    assert heartbeat["TreatMissingData"] == "breaching"


def test_the_defaults_reserve_no_concurrency_and_the_figures_are_parameters(
    packaged: tuple[str, Path],
) -> None:
    template = sam(packaged)

    for logical_id, function in functions(template).items():
        reserved = function["Properties"]["ReservedConcurrentExecutions"]
        parameter = f"{logical_id}ReservedConcurrency"
        assert reserved == {"Fn::If": [f"{logical_id}Reserves", {"Ref": parameter}, {"Ref": "AWS::NoValue"}]}
        assert template["Parameters"][parameter]["Default"] == 0


def test_stateful_resources_are_kept_but_not_left_behind_by_a_failed_create(
    packaged: tuple[str, Path],
) -> None:
    resources = sam(packaged)["Resources"]
    stateful = (
        "AWS::DynamoDB::Table",
        "AWS::Cognito::UserPool",
        "AWS::SecretsManager::Secret",
        "AWS::KMS::Key",
    )

    kept = [r for r in resources.values() if r["Type"] in stateful]
    assert kept
    assert {r["DeletionPolicy"] for r in kept} == {"RetainExceptOnCreate"}
    assert "Retain" not in {r.get("DeletionPolicy") for r in resources.values()}


def test_each_stage_mails_from_its_own_domain_and_outputs_the_dkim_records(
    packaged: tuple[str, Path],
) -> None:
    stage, _ = packaged
    template = sam(packaged)
    domains = json.loads(templates.PROJECT_DIR.joinpath("infra/parameters.json").read_text())

    assert template["Parameters"]["MailDomain"]["Default"] == domains[stage]["MailDomain"]
    assert domains["dev"]["MailDomain"] != domains["prod"]["MailDomain"]
    assert template["Resources"]["MailIdentity"]["Properties"]["EmailIdentity"] == {"Ref": "MailDomain"}
    for function in functions(template).values():
        sender = function["Properties"]["Environment"]["Variables"]["GODKEND_MAIL_SENDER"]
        assert sender == {"Fn::Sub": "Godkend <noreply@${MailDomain}>"}
    for i in (1, 2, 3):
        joined = template["Outputs"][f"MailDkimRecord{i}"]["Value"]["Fn::Join"][1]
        assert joined == [
            {"Fn::GetAtt": ["MailIdentity", f"DkimDNSTokenName{i}"]},
            {"Fn::GetAtt": ["MailIdentity", f"DkimDNSTokenValue{i}"]},
        ]


def test_nothing_names_a_stage_outside_the_table_prefix(packaged: tuple[str, Path]) -> None:
    # Given the template with its TablePrefix default taken out of the picture
    stage, _ = packaged
    template = sam(packaged)
    del template["Parameters"]["TablePrefix"]
    text = json.dumps(template)

    # Then no resource, policy or event source spells the stage's prefix out
    assert f"godkend-{stage}" not in text.replace(f"stage={stage}", "")


def test_the_api_logs_its_requests_as_json_and_is_traced(packaged: tuple[str, Path]) -> None:
    api = sam(packaged)["Resources"]["RestAPI"]["Properties"]

    setting = api["AccessLogSetting"]
    assert setting["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogs", "Arn"]}
    assert {"requestId", "status", "ip", "responseLatency"} <= set(json.loads(setting["Format"]))
    assert api["TracingEnabled"] is True
