"""The mail retry queue: a message that failed for a passing reason is tried again after a delay."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

SQS_MAX_DELAY_SECONDS = 900


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
