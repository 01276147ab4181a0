"""Powertools' idempotency utility as the mail pipeline's 'send this once': the first call for a key runs
and stores its answer; later calls for the same key get the stored answer without running again."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

from chalicelib.services.outbox.delivery import AlreadyInProgress

# Long enough to outlive any redelivery of a stream record or retry message.
REMEMBER_SECONDS = 7 * 24 * 3600


class SendOnce:
    def __init__(self, *, table_name: str, client: Any) -> None:
        self.config = IdempotencyConfig(
            expires_after_seconds=REMEMBER_SECONDS, raise_on_no_idempotency_key=True
        )
        self._store = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=client)

    def register_lambda_context(self, context: Any) -> None:
        """An invocation that dies mid-send then holds its key only until its own timeout, not for days."""
        if context is not None and hasattr(context, "get_remaining_time_in_millis"):
            self.config.register_lambda_context(context)

    def __call__(self, function: Callable[..., str]) -> Callable[..., str]:
        once = idempotent_function(
            data_keyword_argument="key", persistence_store=self._store, config=self.config
        )(function)

        @functools.wraps(function)
        def call(**kwargs: Any) -> str:
            try:
                return str(once(**kwargs))
            except IdempotencyAlreadyInProgressError as exc:
                raise AlreadyInProgress(str(kwargs.get("key"))) from exc

        return call
