"""The scheduled jobs' resources in `infra/resources.json`: the reminders queue is the one the local stack
creates."""

from __future__ import annotations

import os

import boto3

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
