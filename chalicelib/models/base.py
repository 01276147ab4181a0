"""What every table shares: its name from the environment, an explicit region, on-demand billing; one botocore
session per thread for all of them; and the one way to write several items atomically."""

from __future__ import annotations

import threading
from typing import Any

import botocore.session
import pynamodb.connection.base
from pynamodb.connection import Connection
from pynamodb.constants import PAY_PER_REQUEST_BILLING_MODE
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.environment import aws_region, table_name

__all__ = ["PAY_PER_REQUEST_BILLING_MODE", "aws_region", "table_name", "transaction"]

_per_thread = threading.local()


def thread_session() -> botocore.session.Session:
    """This thread's botocore session, shared by every table's connection.

    PynamoDB gives each model's connection a session of its own, and each session loads and keeps its own
    copy of botocore's endpoint data and DynamoDB service model: about 10 MB and 70 ms of CPU per table a
    function touches, and again for every transaction (pynamodb/PynamoDB#876). A session is not safe to
    build clients from in two threads at once, so there is one per thread, as PynamoDB has one per thread
    and connection."""
    session: botocore.session.Session | None = getattr(_per_thread, "session", None)
    if session is None:
        session = _per_thread.session = botocore.session.get_session()
    return session


# PynamoDB's connections ask this module-level name for their session (pynamodb/connection/base.py).
pynamodb.connection.base.get_session = thread_session  # type: ignore[attr-defined]


def _thread_connection() -> Connection:
    connection: Connection | None = getattr(_per_thread, "connection", None)
    if connection is None or connection.region != aws_region():
        connection = _per_thread.connection = Connection(region=aws_region())
    return connection


class _PointingTransactWrite(TransactWrite):
    """A TransactWrite that also writes the pointers of every item it saves that names people under another
    key (an item whose `mentioned` lists their addresses; see `chalicelib/models/mentions.py`).

    The pointers are updates (idempotent: no condition) added when the transaction commits, after everything
    else. DynamoDB answers a cancelled transaction with one reason per item in the order it got them
    (condition checks, deletes, puts, updates, each in the order added), and several callers read a reason
    by its position: pointers at the very end leave every position a caller knows of where it was. Only the
    number of reasons grows, which is why the expiry reminders (`models/code.write_reminders` counts them)
    name nobody: a reminder's representative is found through the code instead."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pointed: list[Model] = []

    def save(
        self, model: Model, condition: Condition | None = None, return_values: str | None = None
    ) -> None:
        super().save(model, condition=condition, return_values=return_values)
        if getattr(model, "mentioned", ()):
            self._pointed.append(model)

    def _commit(self) -> Any:
        from chalicelib.models.mentions import MentionModel, pointers_for

        for model in self._pointed:
            for pointer in pointers_for(model, model.mentioned):  # type: ignore[attr-defined]
                until = pointer.purge_when
                keep = MentionModel.purge_at.set(until) if until else MentionModel.purge_at.remove()
                super().update(pointer, actions=[keep])
        self._pointed = []
        return super()._commit()


def transaction() -> TransactWrite:
    """All-or-nothing writes across tables: a change and the mail it causes commit together or not at all,
    and so do an item that names a person under another key and its pointers (`_PointingTransactWrite`).
    The thread's connection is reused, so a transaction (or a caller writing many in a row) does not build
    a botocore client of its own."""
    return _PointingTransactWrite(connection=_thread_connection())


def failed_conditions(exc: TransactWriteError) -> set[int]:
    """Which items of a cancelled transaction failed their condition, by their position in it."""
    return {
        index
        for index, reason in enumerate(exc.cancellation_reasons or [])
        if reason is not None and reason.code == "ConditionalCheckFailed"
    }
