"""The event side of the local stack: what Lambda's event source mappings do in AWS.

`chalice local` serves routes only, so this polls the DynamoDB streams and SQS queues that the app's
`@app.on_dynamodb_record` and `@app.on_sqs_message` handlers are bound to, and calls the handlers with
events shaped as Lambda delivers them. Like Lambda, a batch whose handler fails is delivered again.

The schedules that are part of delivering mail fire here too (`DELIVERY_SCHEDULES`): the sender of gathered
letters writes a letter when it is due, so the letters to an official mailbox flow as they do in AWS. It
fires every few seconds rather than every few minutes, so a gathered letter goes within seconds of its due
time. The daily jobs and the letter watch do not fire here; `make reminders` (infra/local/jobs.py) runs them
on demand.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from chalice.app import Chalice, DynamoDBEventConfig, SQSEventConfig
from chalice.local import LambdaContext

logger = logging.getLogger("godkend.local.events")

Handler = Callable[[dict[str, Any], Any], Any]


class Consumer(Protocol):
    name: str

    def poll_once(self) -> int: ...


class StreamConsumer:
    """Reads every shard of one DynamoDB stream from its start, in order.

    Each poll asks for a fresh iterator after the last record handled, rather than following
    NextShardIterator: when the emulator rolls back a failed TransactWriteItems it puts back a copy of the
    whole table, stream shard included, and an iterator taken before keeps reading the discarded shard, so
    one cancelled transaction on the outbox (two runs writing the same reminder, two concurrent applications)
    would silently stop all mail. In AWS the two ways read the same records.

    Positions by sequence number stay right because the emulator serves one request at a time
    (infra/local/emulator.py): the copy put back is the table as it was just before the cancelled
    transaction, so the only records it drops, and whose numbers later records take again, are that
    transaction's own, which no poll can have read."""

    def __init__(self, streams: Any, name: str, stream_arn: str, handler: Handler, batch_size: int) -> None:
        self.name = name
        self._streams = streams
        self._arn = stream_arn
        self._handler = handler
        self._batch_size = max(1, min(batch_size, 1000))
        self._handled_up_to: dict[str, str] = {}

    def poll_once(self) -> int:
        delivered = 0
        for shard_id in self._shard_ids():
            delivered += self._poll_shard(shard_id)
        return delivered

    def _shard_ids(self) -> list[str]:
        description = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]
        return [shard["ShardId"] for shard in description.get("Shards", [])]

    def _poll_shard(self, shard_id: str) -> int:
        answer = self._streams.get_records(ShardIterator=self._iterator(shard_id), Limit=self._batch_size)
        records = answer.get("Records", [])
        if records:
            # If the handler raises, nothing is marked handled: the same batch comes again next poll.
            self._handler(
                {"Records": [self._lambda_record(r) for r in records]}, LambdaContext(self.name, 512)
            )
            self._handled_up_to[shard_id] = str(records[-1]["dynamodb"]["SequenceNumber"])
        return len(records)

    def _iterator(self, shard_id: str) -> str:
        after = self._handled_up_to.get(shard_id)
        position: dict[str, str] = (
            {"ShardIteratorType": "TRIM_HORIZON"}
            if after is None
            else {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
        )
        answer = self._streams.get_shard_iterator(StreamArn=self._arn, ShardId=shard_id, **position)
        return str(answer["ShardIterator"])

    def _lambda_record(self, record: dict[str, Any]) -> dict[str, Any]:
        change = dict(record["dynamodb"])
        created = change.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            change["ApproximateCreationDateTime"] = created.timestamp()
        return {
            "eventID": record.get("eventID"),
            "eventName": record.get("eventName"),
            "eventVersion": record.get("eventVersion", "1.1"),
            "eventSource": "aws:dynamodb",
            "awsRegion": record.get("awsRegion"),
            "dynamodb": change,
            "eventSourceARN": self._arn,
        }


class QueueConsumer:
    """Receives from one SQS queue and deletes what the handler accepted (partial batch failures honoured)."""

    def __init__(
        self, sqs: Any, name: str, queue_url: str, queue_arn: str, handler: Handler, batch_size: int
    ) -> None:
        self.name = name
        self._sqs = sqs
        self._url = queue_url
        self._arn = queue_arn
        self._handler = handler
        self._batch_size = max(1, min(batch_size, 10))

    def poll_once(self) -> int:
        messages = self._sqs.receive_message(
            QueueUrl=self._url,
            MaxNumberOfMessages=self._batch_size,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not messages:
            return 0
        answer = self._handler(
            {"Records": [self._lambda_record(m) for m in messages]}, LambdaContext(self.name, 512)
        )
        failed = {item["itemIdentifier"] for item in (answer or {}).get("batchItemFailures", [])}
        for message in messages:
            if message["MessageId"] not in failed:
                self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)

    def _lambda_record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": self._arn,
            "awsRegion": self._arn.split(":")[3] if self._arn.count(":") >= 3 else "",
        }


def scheduled_event(at: datetime, name: str) -> dict[str, Any]:
    """What EventBridge hands a scheduled function."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": os.environ.get("AWS_REGION", "eu-west-1"),
        "resources": [f"arn:aws:events:eu-west-1:000000000000:rule/{name}"],
        "detail": {},
    }


# Scheduled functions the local stack fires itself, by name, and how often (seconds).
DELIVERY_SCHEDULES: dict[str, float] = {"send_gathered_letters": 2.0}


class ScheduleConsumer:
    """Calls a scheduled function with the event EventBridge would give it, once every `every_seconds`."""

    def __init__(
        self,
        name: str,
        handler: Handler,
        every_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._handler = handler
        self._every = every_seconds
        self._clock = clock
        self._last: float | None = None

    def poll_once(self) -> int:
        now = self._clock()
        if self._last is not None and now - self._last < self._every:
            return 0
        self._last = now
        self._handler(scheduled_event(datetime.now(UTC), self.name), LambdaContext(self.name, 512))
        # What it wrote reaches the streams; the schedule itself delivers no records.
        return 0


def consumers_for(
    app: Chalice, *, streams: Any, sqs: Any, schedules: Mapping[str, float] | None = None
) -> list[Consumer]:
    found: list[Consumer] = []
    for name, every_seconds in (schedules or {}).items():
        found.append(ScheduleConsumer(name, app.handler_map[name], every_seconds))
    for source in app.event_sources:
        handler = app.handler_map[source.name]
        if isinstance(source, DynamoDBEventConfig):
            found.append(StreamConsumer(streams, source.name, source.stream_arn, handler, source.batch_size))
        elif isinstance(source, SQSEventConfig):
            url = (
                sqs.get_queue_url(QueueName=source.queue)["QueueUrl"]
                if source.queue
                else _url_of(sqs, source)
            )
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            found.append(QueueConsumer(sqs, source.name, url, arn, handler, source.batch_size))
    return found


def _url_of(sqs: Any, source: SQSEventConfig) -> str:
    name = (source.queue_arn or "").rsplit(":", 1)[-1]
    return str(sqs.get_queue_url(QueueName=name)["QueueUrl"])


class EventLoop(threading.Thread):
    """Polls every consumer until stopped. A failing handler is logged and its batch retried.

    After a poll that found nothing it rests `idle_seconds`, then waits for `changed` (set by the emulator
    when a request may have given a consumer something: infra/local/emulator.py, `OneAtATime`) for at most
    `quiet_seconds` in all. A stack nobody calls thus polls once a `quiet_seconds` rather than five times a
    second, which costs the other work of a busy machine a tenth of a core per idle stack; what no request
    sets off (a delayed SQS message coming due, a schedule) waits at most that long."""

    def __init__(
        self,
        consumers: list[Consumer],
        *,
        idle_seconds: float = 0.2,
        quiet_seconds: float = 1.0,
        changed: threading.Event | None = None,
    ) -> None:
        super().__init__(name="godkend-events", daemon=True)
        self._consumers = consumers
        self._idle = idle_seconds
        self._quiet = max(quiet_seconds, idle_seconds)
        # Without a signal, every wait is the idle rest alone, as it always was.
        self._changed = changed
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.is_set():
            # Cleared before the poll: a change the poll may have missed sets it again, and ends the wait.
            if self._changed is not None:
                self._changed.clear()
            if run_once(self._consumers) == 0:
                self._rest()

    def _rest(self) -> None:
        if self._stopping.wait(self._idle) or self._changed is None:
            return
        self._changed.wait(self._quiet - self._idle)

    def stop(self) -> None:
        self._stopping.set()
        if self._changed is not None:
            self._changed.set()


def run_once(consumers: list[Consumer]) -> int:
    delivered = 0
    for consumer in consumers:
        try:
            delivered += consumer.poll_once()
        except Exception:
            logger.exception("event handler %s failed; its batch will be delivered again", consumer.name)
    return delivered
