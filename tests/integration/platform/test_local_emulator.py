"""The local stack's emulator (infra/local/emulator.py): one request at a time, and transaction backups
that share the stream's records but still roll back exactly."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from moto.dynamodb.models.table import StreamShard

from infra.local.emulator import POLLS, OneAtATime, share_stream_records
from tests.world import emulated_table


class Overlaps:
    """A WSGI app that notes how many requests it is handling at once.

    Each request, once inside, waits until every call that could be running beside it has been made (each
    of the callers' threads has called, or there is nothing left to call): without serialisation all of them
    would then be inside together, and with it they queue outside. No timing is involved either way."""

    def __init__(self, calls: int, threads: int) -> None:
        self.inside = 0
        self.most = 0
        self._calls = calls
        self._threads = threads
        self._called = 0
        self._answered = 0
        self._changed = threading.Condition()

    def call(self, app: Any) -> Any:
        """One call of `app` from a caller's thread."""
        with self._changed:
            self._called += 1
            self._changed.notify_all()
        try:
            return app({}, lambda *a: None)
        finally:
            with self._changed:
                self._answered += 1
                self._changed.notify_all()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        with self._changed:
            self.inside += 1
            self.most = max(self.most, self.inside)
            everyone_called = self._changed.wait_for(
                lambda: self._called >= min(self._calls, self._answered + self._threads), timeout=30
            )
            assert everyone_called, "the callers stopped calling"
            self.inside -= 1
        start_response("200 OK", [])
        return [b"ok"]


def test_the_emulator_app_handles_one_request_at_a_time():
    # Given the emulator's middleware around an app that notes overlapping requests
    inner = Overlaps(calls=80, threads=16)
    app = OneAtATime(inner)

    # When 16 threads call it 5 times each
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: inner.call(app), range(80)))

    # Then every call was answered, and never two at once
    assert answers == [[b"ok"]] * 80
    assert inner.most == 1


def answer_ok(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [])
    return [b"ok"]


def test_a_request_that_may_write_signals_the_event_side_and_its_own_polls_do_not():
    # Given the emulator's middleware with the event side's change signal
    changed = threading.Event()
    app = OneAtATime(answer_ok, changed)

    # When the event side polls a stream and a queue, and the schedule reads a table
    for target in (
        "DynamoDBStreams_20120810.GetRecords",
        "AmazonSQS.ReceiveMessage",
        "DynamoDB_20120810.Query",
    ):
        assert target in POLLS
        app({"HTTP_X_AMZ_TARGET": target}, lambda *a: None)

    # Then nothing is signalled: an idle stack stays quiet
    assert not changed.is_set()

    # When the API writes an item, sends a message, or makes a call of a protocol without a target (SES)
    for environ in (
        {"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.PutItem"},
        {"HTTP_X_AMZ_TARGET": "AmazonSQS.SendMessage"},
        {"REQUEST_METHOD": "POST"},
    ):
        changed.clear()
        app(environ, lambda *a: None)

        # Then each is signalled, so that the event side polls at once
        assert changed.is_set(), environ


def test_a_cancelled_transaction_still_rolls_back_items_and_stream_when_backups_share_records(
    scratch: None, monkeypatch: pytest.MonkeyPatch
):
    # A table of its own (`scratch` removes it after the test), and the local stack's shared stream records
    monkeypatch.setattr(StreamShard, "__deepcopy__", None, raising=False)  # undone after the test
    share_stream_records()
    dynamodb = boto3.client("dynamodb", region_name="eu-west-1")
    dynamodb.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    dynamodb.put_item(TableName="t", Item={"k": {"S": "old"}})

    # When a transaction writes one item, then fails its condition on another
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "t", "Item": {"k": {"S": "new"}}}},
                {
                    "Put": {
                        "TableName": "t",
                        "Item": {"k": {"S": "old"}},
                        "ConditionExpression": "attribute_not_exists(k)",
                    }
                },
            ]
        )

    # Then neither the item nor its stream record is left, and the next write's record follows the first
    assert "Item" not in dynamodb.get_item(TableName="t", Key={"k": {"S": "new"}}, ConsistentRead=True)
    dynamodb.put_item(TableName="t", Item={"k": {"S": "later"}})
    table = emulated_table("t")
    shard = table.stream_shard
    assert shard is not None
    assert [r.record["eventName"] for r in shard.items] == ["INSERT", "INSERT"]
    assert [r.record["dynamodb"]["Keys"]["k"]["S"] for r in shard.items] == ["old", "later"]
    assert shard.table is table
