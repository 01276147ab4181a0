"""How many texts went lately to one person, and to one mobile number: the SMS step of enrolment sends a text
on every request, and every text is a real message to a real phone (and a cost).

One item per counter: `user#<user_id>` for a person, `mobile#<keyed hash of the number>` for a number, so
that the table never holds a mobile number itself. Each keeps the times of the texts of the last day (a
bounded list: a counter that is full refuses, so it never holds more than the daily bound). Every write is
conditional on the item's version, in the same transaction as the code it counts: two requests that race
cannot both take the last text, and a refused or failed request counts nothing. `delete_after` (the table's
TTL) drops a counter a day after its last text; reads only ever look at the last day, so TTL lag is harmless.

Access patterns
- a send's counters ......................... BatchGetItem sms-quotas[user#…] and [mobile#…], consistent
- count one text ............................ TransactWriteItems: Put of each counter if its version is
                                              still the one read, with the Update of the user's SMS code
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import cast

from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name


class SmsQuotaModel(Model):
    class Meta:
        table_name = table_name("sms-quotas")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    counter = UnicodeAttribute(hash_key=True)
    # When each text of the last day went, in milliseconds since the epoch, oldest first.
    sent_at = ListAttribute(of=NumberAttribute, default=list)
    delete_after = TTLAttribute()
    version = VersionAttribute()


def counters(keys: list[str]) -> dict[str, SmsQuotaModel]:
    """The counters by key, read consistently in one round trip; a counter never written is a new, empty
    item (saved only under the condition that it still does not exist)."""
    found = {item.counter: item for item in SmsQuotaModel.batch_get(keys, consistent_read=True)}
    return {key: found.get(key) or SmsQuotaModel(key, sent_at=[]) for key in keys}


def sent_times(counter: SmsQuotaModel) -> list[datetime]:
    # PynamoDB types a list of numbers as a list of attributes; they are numbers.
    return [datetime.fromtimestamp(cast(float, ms) / 1000, UTC) for ms in counter.sent_at or []]


def with_texts(counter: SmsQuotaModel, texts: Sequence[datetime], *, delete_after: datetime) -> SmsQuotaModel:
    """The counter holding exactly these texts, to be saved under its version condition."""
    counter.sent_at = [int(at.timestamp() * 1000) for at in texts]  # type: ignore[misc]
    counter.delete_after = delete_after
    return counter
