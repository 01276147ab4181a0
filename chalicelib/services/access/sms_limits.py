"""How often the SMS step may text: a few texts per quarter hour and a bounded number per day, counted per
person and per mobile number (a number shared by several logins, or typed into many, is bounded too).

The windows slide: each counter keeps the times of its texts of the last day
(`chalicelib/models/sms_quota.py`), so "at most 3 in any 15 minutes" holds exactly, not only per clock
quarter, and `Retry-After` says when the oldest text that blocks leaves its window. The bounds are small,
so the lists are short: a counter that is full refuses, and never grows past the daily bound."""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class SendLimit:
    texts: int
    window: timedelta


# At most 3 texts in any 15 minutes and 10 in any 24 hours, to a person and to a number.
SMS_LIMITS: tuple[SendLimit, ...] = (
    SendLimit(3, timedelta(minutes=15)),
    SendLimit(10, timedelta(hours=24)),
)


def longest(limits: Sequence[SendLimit]) -> timedelta:
    return max(limit.window for limit in limits)


def recent(sent: Sequence[datetime], now: datetime, limits: Sequence[SendLimit]) -> list[datetime]:
    """The texts still inside the longest window, oldest first: all a counter needs to keep."""
    return sorted(at for at in sent if at > now - longest(limits))


def wait_before_next(sent: Sequence[datetime], now: datetime, limits: Sequence[SendLimit]) -> int:
    """Whole seconds until one more text may go (0: now). For each window that is full, the text that must
    leave it is the one `texts` places before the newest; the longest of those waits decides."""
    kept = recent(sent, now, limits)
    wait = timedelta(0)
    for limit in limits:
        inside = [at for at in kept if at > now - limit.window]
        if len(inside) >= limit.texts:
            leaves = inside[len(inside) - limit.texts] + limit.window
            wait = max(wait, leaves - now)
    return math.ceil(wait.total_seconds()) if wait > timedelta(0) else 0


def user_counter(user_id: str) -> str:
    return f"user#{user_id}"


def mobile_counter(mobile: str, key: bytes) -> str:
    """A number's counter, under a keyed hash of the number, so that the table holds no mobile numbers."""
    return "mobile#" + hmac.new(key, f"sms-quota\n{mobile}".encode(), hashlib.sha256).hexdigest()
