"""The local stack's event side delivers stream and queue records the way Lambda's event sources do.

Each test gives an app of its own a table or queue of its own, beside the world's (`scratch` removes them
after it), so that nothing but what the test writes reaches its handler."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import boto3
from chalice.app import Chalice

from infra.local.events import DELIVERY_SCHEDULES, EventLoop, ScheduleConsumer, consumers_for, run_once


def stream_table(dynamodb: Any) -> str:
    return str(
        dynamodb.create_table(
            TableName="events-test",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )["TableDescription"]["LatestStreamArn"]
    )


def test_stream_records_reach_the_handler_in_order_and_a_failed_batch_comes_again(scratch):
    # Given an app with a stream handler that fails the first time it is called
    dynamodb = boto3.client("dynamodb", region_name="eu-west-1")
    stream_arn = stream_table(dynamodb)
    app = Chalice(app_name="events-test")
    seen: list[list[str]] = []
    failures = {"left": 1}

    @app.on_dynamodb_record(stream_arn=stream_arn, batch_size=10)
    def on_change(event: Any) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("transient")
        seen.append([record.new_image["pk"]["S"] for record in event])

    consumers = consumers_for(
        app,
        streams=boto3.client("dynamodbstreams", region_name="eu-west-1"),
        sqs=boto3.client("sqs", region_name="eu-west-1"),
    )

    # When two items are written and the runner polls twice
    for key in ("a", "b"):
        dynamodb.put_item(TableName="events-test", Item={"pk": {"S": key}})
    first = run_once(consumers)
    second = run_once(consumers)

    # Then the failed batch was delivered again, whole and in order, and nothing more arrives after
    assert (first, second) == (0, 2)
    assert seen == [["a", "b"]]
    assert run_once(consumers) == 0


def test_queue_messages_reach_the_handler_and_only_failed_ones_stay(scratch):
    sqs = boto3.client("sqs", region_name="eu-west-1")
    url = sqs.create_queue(QueueName="jobs", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
    app = Chalice(app_name="events-test")
    bodies: list[str] = []

    @app.on_sqs_message(queue="jobs", batch_size=10)
    def on_job(event: Any) -> dict[str, Any]:
        failed = []
        for record in event:
            bodies.append(record.body)
            if record.body == "bad":
                failed.append({"itemIdentifier": record.to_dict()["messageId"]})
        return {"batchItemFailures": failed}

    consumers = consumers_for(app, streams=boto3.client("dynamodbstreams", region_name="eu-west-1"), sqs=sqs)
    for body in ("good", "bad"):
        sqs.send_message(QueueUrl=url, MessageBody=body)

    run_once(consumers)

    assert sorted(bodies) == ["bad", "good"]
    left = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    assert [m["Body"] for m in left] == ["bad"]


def test_a_cancelled_transaction_on_the_table_does_not_stop_the_stream(scratch):
    # Given a stream handler that has already seen one record
    dynamodb = boto3.client("dynamodb", region_name="eu-west-1")
    stream_arn = stream_table(dynamodb)
    app = Chalice(app_name="events-test")
    seen: list[str] = []

    @app.on_dynamodb_record(stream_arn=stream_arn, batch_size=10)
    def on_change(event: Any) -> None:
        seen.extend(record.new_image["pk"]["S"] for record in event)

    consumers = consumers_for(
        app,
        streams=boto3.client("dynamodbstreams", region_name="eu-west-1"),
        sqs=boto3.client("sqs", region_name="eu-west-1"),
    )
    dynamodb.put_item(TableName="events-test", Item={"pk": {"S": "a"}})
    run_once(consumers)

    # When a transaction on the table is cancelled (the emulator then puts back a copy of the whole table),
    # and another item is written after it
    with contextlib.suppress(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": "events-test",
                        "Item": {"pk": {"S": "a"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            ]
        )
    dynamodb.put_item(TableName="events-test", Item={"pk": {"S": "b"}})
    run_once(consumers)

    # Then the handler still gets the records written after it, once each
    assert seen == ["a", "b"]


class Ticks:
    """A monotonic clock that moves when told."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_delivery_schedule_fires_as_eventbridge_would_once_per_period(scratch):
    # Given an app with a scheduled function, fired by the event side every 10 seconds
    app = Chalice(app_name="events-test")
    fired: list[dict[str, Any]] = []

    @app.schedule("rate(5 minutes)")
    def tick(event: Any) -> None:
        fired.append(event.to_dict())

    ticks = Ticks()
    consumer = ScheduleConsumer("tick", app.handler_map["tick"], 10.0, clock=ticks)

    # When the runner polls at once, again within the period, and after it
    run_once([consumer])
    ticks.now += 9
    run_once([consumer])
    ticks.now += 1
    run_once([consumer])

    # Then the function ran twice, each time with a scheduled event naming its rule
    assert len(fired) == 2
    assert all(e["detail-type"] == "Scheduled Event" for e in fired)
    assert fired[0]["resources"][0].endswith("rule/tick")


def test_the_local_stack_fires_the_gathered_letters_sender_of_the_app():
    from chalice.app import ScheduledEventConfig

    from app import app as godkend

    schedules = {s.name for s in godkend.event_sources if isinstance(s, ScheduledEventConfig)}

    assert "send_gathered_letters" in DELIVERY_SCHEDULES
    assert set(DELIVERY_SCHEDULES) <= schedules


class CountedPolls:
    """A consumer with nothing to deliver that tells each poll as it comes."""

    name = "counted"

    def __init__(self) -> None:
        self.polls = 0
        self._polled = threading.Condition()

    def poll_once(self) -> int:
        with self._polled:
            self.polls += 1
            self._polled.notify_all()
        return 0

    def wait_for(self, polls: int, seconds: float) -> bool:
        with self._polled:
            return self._polled.wait_for(lambda: self.polls >= polls, timeout=seconds)


def test_an_idle_event_side_polls_again_as_soon_as_the_emulator_signals_a_change():
    # Given the event side, idle, with a quiet wait far longer than this test may take
    changed = threading.Event()
    consumer = CountedPolls()
    loop = EventLoop([consumer], idle_seconds=0.0, quiet_seconds=3600, changed=changed)
    loop.start()
    try:
        assert consumer.wait_for(1, 10)
        assert not consumer.wait_for(2, 0.3), "an idle event side polled again with nothing signalled"

        # When the emulator signals a change
        changed.set()

        # Then it polls again without waiting out its quiet hour
        assert consumer.wait_for(2, 10)
    finally:
        loop.stop()
        loop.join(timeout=10)
    assert not loop.is_alive()


def test_an_idle_event_side_polls_after_its_quiet_wait_with_nothing_signalled():
    # Given the event side with a short quiet wait (a delayed message comes due with no request to tell)
    consumer = CountedPolls()
    loop = EventLoop([consumer], idle_seconds=0.0, quiet_seconds=0.05, changed=threading.Event())
    loop.start()
    try:
        # Then it polls again and again on its own
        assert consumer.wait_for(3, 10)
    finally:
        loop.stop()
        loop.join(timeout=10)
    assert not loop.is_alive()
