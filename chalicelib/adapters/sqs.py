"""The queues: mail retries (a message that failed for a passing reason is tried again after a delay) and
the chunks of the expiry reminders."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.services.codes.reminders import Chunk

SQS_MAX_DELAY_SECONDS = 900
SQS_MAX_BATCH = 10
SEND_ATTEMPTS = 3


class SqsRetryScheduler:
    def __init__(self, client: Any, queue_name: str) -> None:
        self._client = client
        self._queue_name = queue_name

    @cached_property
    def _queue_url(self) -> str:
        return str(self._client.get_queue_url(QueueName=self._queue_name)["QueueUrl"])

    def schedule(self, message_id: str, generation: int, delay_seconds: int) -> None:
        self._client.send_message(
            QueueUrl=self._queue_url,
            MessageBody=json.dumps({"message_id": message_id, "generation": generation}),
            DelaySeconds=max(0, min(delay_seconds, SQS_MAX_DELAY_SECONDS)),
        )


class SqsChunkQueue:
    """The reminders queue: chunks of code ids for the reminder writer, ten to a SendMessageBatch."""

    def __init__(self, client: Any, queue_name: str) -> None:
        self._client = client
        self._queue_name = queue_name

    @cached_property
    def _queue_url(self) -> str:
        return str(self._client.get_queue_url(QueueName=self._queue_name)["QueueUrl"])

    def send(self, chunks: Sequence[Chunk]) -> None:
        for start in range(0, len(chunks), SQS_MAX_BATCH):
            batch = chunks[start : start + SQS_MAX_BATCH]
            self._send_batch({str(i): chunk.to_json() for i, chunk in enumerate(batch)})

    def _send_batch(self, entries: dict[str, str]) -> None:
        for _ in range(SEND_ATTEMPTS):
            answer = self._client.send_message_batch(
                QueueUrl=self._queue_url,
                Entries=[{"Id": key, "MessageBody": body} for key, body in entries.items()],
            )
            failed = {f["Id"] for f in answer.get("Failed", [])}
            if not failed:
                return
            entries = {key: body for key, body in entries.items() if key in failed}
        # Raised into the schedule's invocation, which Lambda retries; chunks sent twice remind once.
        raise RuntimeError(f"the reminders queue refused {len(entries)} chunk(s)")


class SqsDeliveryQueue:
    """The webhook-deliveries queue: one message per attempt to make, delayed until it is due (at most
    15 minutes a hop; a later attempt is re-queued until its time comes)."""

    def __init__(self, client: Any, queue_name: str) -> None:
        self._client = client
        self._queue_name = queue_name

    @cached_property
    def _queue_url(self) -> str:
        return str(self._client.get_queue_url(QueueName=self._queue_name)["QueueUrl"])

    def send(self, body: str, delay_seconds: int) -> None:
        self._client.send_message(
            QueueUrl=self._queue_url,
            MessageBody=body,
            DelaySeconds=max(0, min(delay_seconds, SQS_MAX_DELAY_SECONDS)),
        )
