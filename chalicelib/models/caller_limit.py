"""How many requests one caller made in one fixed window of time, for the limits on anonymous requests
(`chalicelib/services/onboarding/caller_limits.py`).

A caller is named by a keyed hash of the address API Gateway saw (an IPv6 address by its /64 network), never
the address itself, under the limit it counts for: `applications/3600/<hash>` counts applications per hour.
Each item is one window; the limit reads the current and the previous window to estimate a sliding one
(`chalicelib/services/vendors/failure_limit.py`), and counts a request only under the condition that the
estimate still has room, so concurrent requests never get past the limit and a refused request is not counted.
Each item carries a TTL of two window lengths past its start; reads pick windows by time, so TTL lag is
harmless.

Access patterns
- a caller's current and previous window .... BatchGetItem caller-windows[caller, window_start] x 2 per
                                              limit, consistent
- count a request ............................ UpdateItem caller-windows[caller, window] ADD requests 1 if
                                              below the room left, every limit of the request in one
                                              TransactWriteItems
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name


class CallerWindowModel(Model):
    """One caller's requests of one kind in one fixed window of time."""

    class Meta:
        table_name = table_name("caller-windows")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    # `<what>/<window seconds>/<keyed hash of the caller>`
    caller = UnicodeAttribute(hash_key=True)
    # The window's first second, in seconds since the epoch.
    window_start = NumberAttribute(range_key=True)
    requests = NumberAttribute(default=0)
    expires_at = TTLAttribute()


def counts(keys: list[tuple[str, int]]) -> dict[tuple[str, int], int]:
    """The requests counted in each (caller, window_start), 0 where nothing was; one consistent batch."""
    found = {(k[0], k[1]): 0 for k in keys}
    for item in CallerWindowModel.batch_get(keys, consistent_read=True):
        found[(item.caller, int(item.window_start))] = int(item.requests or 0)
    return found
