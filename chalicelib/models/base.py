"""What every table shares: its name from the environment, an explicit region, on-demand billing; one botocore
session per thread for all of them; and the one way to write several items atomically."""

from __future__ import annotations

import threading

import botocore.session
import pynamodb.connection.base
from pynamodb.connection import Connection
from pynamodb.constants import PAY_PER_REQUEST_BILLING_MODE
from pynamodb.exceptions import TransactWriteError
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


def transaction() -> TransactWrite:
    """All-or-nothing writes across tables: a change and the mail it causes commit together or not at all.
    The thread's connection is reused, so a transaction (or a caller writing many in a row) does not build
    a botocore client of its own."""
    return TransactWrite(connection=_thread_connection())


def failed_conditions(exc: TransactWriteError) -> set[int]:
    """Which items of a cancelled transaction failed their condition, by their position in it."""
    return {
        index
        for index, reason in enumerate(exc.cancellation_reasons or [])
        if reason is not None and reason.code == "ConditionalCheckFailed"
    }
