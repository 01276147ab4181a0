"""What every table shares: its name from the environment, an explicit region, on-demand billing; and the
one way to write several items atomically."""

from __future__ import annotations

from pynamodb.connection import Connection
from pynamodb.constants import PAY_PER_REQUEST_BILLING_MODE
from pynamodb.transactions import TransactWrite

from chalicelib.settings import aws_region, table_name

__all__ = ["PAY_PER_REQUEST_BILLING_MODE", "aws_region", "table_name", "transaction"]


def transaction() -> TransactWrite:
    """All-or-nothing writes across tables: a change and the mail it causes commit together or not at all."""
    return TransactWrite(connection=Connection(region=aws_region()))
