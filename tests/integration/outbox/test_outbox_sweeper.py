"""The sweeper: every 15 minutes it finds outbox messages still queued an hour after they were written (their
stream batch was given up on, or a retry was lost), drives them again through the retry queue, and parks the
ones that keep coming back, so no mail is silently stuck."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from chalice.local import LambdaContext

from app import app
from chalicelib.clock import FixedClock
from chalicelib.container import Container, use_container
from chalicelib.models.outbox import Language, MailKind, MailStatus, OutboxModel, Recipient, outgoing
from chalicelib.services.outbox.sweeper import MAX_SWEEPS
from chalicelib.settings import resource_name
from infra.local.events import scheduled_event

NOW = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock(container: Container) -> FixedClock:
    clock = FixedClock(NOW)
    use_container(Container(settings=container.settings, clock=clock))
    return clock


def written(message_id: str, *, ago: timedelta, status: MailStatus = MailStatus.QUEUED) -> OutboxModel:
    message, _ = outgoing(
        MailKind.DECISION,
        to=Recipient("ida@example.org", "Ida Holm"),
        language=Language.DA,
        context={},
        now=NOW - ago,
        message_id=message_id,
    )
    message.status = status.value
    message.save()
    return message


def sweep() -> dict[str, int]:
    result: dict[str, int] = app.handler_map["sweep_outbox"](
        scheduled_event(NOW, "sweep-outbox"), LambdaContext("sweep_outbox", 256)
    )
    return result


def retry_queue() -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name="eu-west-1")
    url = sqs.get_queue_url(QueueName=resource_name("mail-retry"))["QueueUrl"]
    bodies: list[dict[str, Any]] = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return bodies
        for message in got:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_a_message_queued_for_over_an_hour_is_driven_again_and_nothing_else(clock: FixedClock) -> None:
    # Given a message stuck for two hours, one written ten minutes ago, and one sent long ago
    written("decision:stuck", ago=timedelta(hours=2))
    written("decision:fresh", ago=timedelta(minutes=10))
    written("decision:sent", ago=timedelta(hours=3), status=MailStatus.SENT)

    # When the sweeper runs
    result = sweep()

    # Then only the stuck one goes on the retry queue, as its current generation
    assert result == {"redriven": 1, "parked": 0}
    assert retry_queue() == [{"message_id": "decision:stuck", "generation": 0}]
    assert OutboxModel.get("decision:stuck").swept == 1
    assert OutboxModel.get("decision:fresh").swept is None


def test_a_message_that_keeps_coming_back_is_parked_for_staff(clock: FixedClock) -> None:
    # Given a message that stays queued whatever is done
    written("decision:poison", ago=timedelta(hours=2))

    # When the sweeper has driven it again MAX_SWEEPS times and runs once more
    results = [sweep() for _ in range(MAX_SWEEPS + 1)]

    # Then it was driven again each time, then parked as failed, where staff list and retry it
    assert results == [{"redriven": 1, "parked": 0}] * MAX_SWEEPS + [{"redriven": 0, "parked": 1}]
    parked = OutboxModel.get("decision:poison")
    assert parked.status == MailStatus.FAILED.value
    assert "sweeper" in (parked.last_error or "")
    assert len(retry_queue()) == MAX_SWEEPS
    assert sweep() == {"redriven": 0, "parked": 0}


def test_a_redriven_message_is_delivered_once_by_the_retry_consumer(clock: FixedClock) -> None:
    # Given a stuck message the sweeper drove again
    written("decision:late", ago=timedelta(hours=2))
    sweep()
    (body,) = retry_queue()

    # When the retry queue's consumer takes it
    app.handler_map["redeliver_mail"](
        {"Records": [_sqs_record(json.dumps(body))]}, LambdaContext("redeliver_mail", 512)
    )

    # Then it is no longer stuck: the sweeper finds nothing more
    assert OutboxModel.get("decision:late").status != MailStatus.QUEUED.value
    assert sweep() == {"redriven": 0, "parked": 0}


def _sqs_record(body: str) -> dict[str, Any]:
    return {
        "messageId": "m-1",
        "receiptHandle": "r-1",
        "body": body,
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:godkend-test-mail-retry",
        "awsRegion": "eu-west-1",
    }
