"""The names every function needs at import time (tables, queues, region), straight from the environment.

Kept apart from the typed settings (`chalicelib/settings.py`) so that importing a model or an event handler,
which every function does, does not pay for parsing the whole configuration.
"""

from __future__ import annotations

import os

DEFAULT_REGION = "eu-west-1"
DEFAULT_TABLE_PREFIX = "godkend-local"
STAFF_GROUP = "staff"
# How many `remind_codes` invocations run at once (the queue's event source names it when the app is
# imported); each paces its writes to its share of GODKEND_REMINDER_MAILS_PER_SECOND.
REMINDER_CONSUMERS = 2


def table_name(name: str) -> str:
    """The physical name of one of our tables. Read at import time by the PynamoDB models, so it comes
    straight from the environment rather than from the cached settings object."""
    prefix = os.environ.get("GODKEND_TABLE_PREFIX", DEFAULT_TABLE_PREFIX)
    return f"{prefix}-{name}"


def resource_name(name: str) -> str:
    """A queue's or topic's name, prefixed like the tables. Read at import time by the event handlers."""
    return table_name(name)


def aws_region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
