"""The scheduled jobs' resources in `infra/resources.json`: the reminders queue (the same one the local stack
creates), and the alarm on the overdue-letters metric the letter check emits."""

from __future__ import annotations

import os

import boto3

from chalicelib.events.letters import METRIC_SERVICE, OVERDUE_METRIC
from tests.infra import templates

PREFIX = os.environ["GODKEND_TABLE_PREFIX"]


def test_the_local_stack_creates_the_queues_the_template_does(tables: None):
    # Given the queues the emulator was given by infra.local.provision
    sqs = boto3.client("sqs", region_name="eu-west-1")
    local = {url.rsplit("/", 1)[-1] for url in sqs.list_queues()["QueueUrls"]}

    # Then AWS gets the same ones, each with a dead-letter queue
    template = templates.load()
    queues = templates.of_type(template, "AWS::SQS::Queue")
    named = {
        templates.resolve(q["Properties"]["QueueName"], {"TablePrefix": PREFIX}) for q in queues.values()
    }
    assert named == local
    for name, queue in queues.items():
        if not name.endswith("DeadLetterQueue"):
            target = queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            assert target in queues
            assert queue["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 5


def test_the_overdue_letters_alarm_watches_the_metric_the_check_emits():
    # Given the alarm, and the namespace the functions are configured with
    template = templates.load()
    (alarm,) = [
        a["Properties"]
        for a in templates.of_type(template, "AWS::CloudWatch::Alarm").values()
        if a["Properties"]["MetricName"] == OVERDUE_METRIC and a["Properties"]["Statistic"] == "Sum"
    ]
    namespace = templates.chalice_config()["environment_variables"]["POWERTOOLS_METRICS_NAMESPACE"]

    # Then it watches that metric, for this deployment, and fires on one overdue letter
    assert (alarm["Namespace"], alarm["MetricName"]) == (namespace, OVERDUE_METRIC)
    assert sorted(alarm["Dimensions"], key=lambda d: d["Name"]) == [
        {"Name": "deployment", "Value": {"Ref": "TablePrefix"}},
        {"Name": "service", "Value": METRIC_SERVICE},
    ]
    assert (alarm["Statistic"], alarm["Threshold"], alarm["ComparisonOperator"]) == (
        "Sum",
        1,
        "GreaterThanOrEqualToThreshold",
    )
    assert alarm["Period"] == 900  # the check runs every 15 minutes
    assert alarm["TreatMissingData"] == "notBreaching"


def test_the_heartbeat_alarm_fires_when_the_check_stops_reporting():
    # Given the alarm on how often the check reported the metric (it does on every run, zero included)
    template = templates.load()
    heartbeat = template["Resources"]["LetterCheckHeartbeatAlarm"]["Properties"]
    (overdue,) = [
        a["Properties"]
        for a in templates.of_type(template, "AWS::CloudWatch::Alarm").values()
        if a["Properties"]["MetricName"] == OVERDUE_METRIC and a["Properties"]["Statistic"] == "Sum"
    ]

    # Then it watches the same metric of the same deployment, and no report in 30 minutes (two runs) fires it
    assert (heartbeat["Namespace"], heartbeat["MetricName"]) == (overdue["Namespace"], OVERDUE_METRIC)
    assert heartbeat["Dimensions"] == overdue["Dimensions"]
    assert (heartbeat["Statistic"], heartbeat["Period"], heartbeat["Threshold"]) == ("SampleCount", 1800, 1)
    assert heartbeat["ComparisonOperator"] == "LessThanThreshold"
    assert heartbeat["TreatMissingData"] == "breaching"
