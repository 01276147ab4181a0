"""Counts the DynamoDB API calls the service makes, by a botocore hook on each client it uses: every model's
own PynamoDB connection and the container's plain client. `before-parameter-build` fires once per call (not
per retry) with the call's own parameters, so each call is recorded with the table(s) it went to."""

from __future__ import annotations

from typing import Any

from chalicelib.container import Container
from chalicelib.models import ALL_MODELS

EVENT = "before-parameter-build.dynamodb.*"


class DynamoDBCalls:
    """`with DynamoDBCalls(container) as counted: ...` then `counted.calls`: [(operation, tables), ...]."""

    def __init__(self, container: Container, *, table_prefix: str = "") -> None:
        clients = [model._get_connection().connection.client for model in ALL_MODELS]
        clients.append(container.dynamodb_client)
        # Several models may share one event system; hook each once.
        self._events = list({id(c.meta.events): c.meta.events for c in clients}.values())
        self._prefix = table_prefix
        self.calls: list[tuple[str, str]] = []

    def __enter__(self) -> DynamoDBCalls:
        for events in self._events:
            events.register(EVENT, self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        for events in self._events:
            events.unregister(EVENT, self._record)

    def _record(self, model: Any, params: dict[str, Any], **kwargs: Any) -> None:
        tables = params.get("RequestItems") or {params.get("TableName", "?"): None}
        names = sorted(str(table).removeprefix(self._prefix) for table in tables)
        self.calls.append((str(model.name), "+".join(names)))
