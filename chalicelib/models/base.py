"""What every table shares: its name from the environment, an explicit region, on-demand billing; and the
one way to write several items atomically."""

from __future__ import annotations

from pynamodb.connection import Connection
from pynamodb.constants import PAY_PER_REQUEST_BILLING_MODE
from pynamodb.transactions import TransactWrite

from chalicelib.environment import aws_region, table_name

__all__ = ["PAY_PER_REQUEST_BILLING_MODE", "aws_region", "own_connection", "table_name", "transaction"]


def own_connection() -> Connection:
    """A connection of one's own, for a caller that writes many transactions in a row."""
    return Connection(region=aws_region())


def transaction(connection: Connection | None = None) -> TransactWrite:
    """All-or-nothing writes across tables: a change and the mail it causes commit together or not at all.
    A caller writing many transactions in a row passes one `connection` for all of them: each new one builds
    a botocore client, which costs more than the write."""
    return TransactWrite(connection=connection or Connection(region=aws_region()))
