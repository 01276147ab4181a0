"""Anonymous requests are limited per caller: a handful per hour and a bounded number per day.

Anybody may apply, and every application makes a letter to a real company's official mailbox, so one caller
must not be able to make many. The caller is the source address API Gateway gives (`Call.origin`); an IPv6
address counts by its /64 network, which one subscriber usually holds whole. Each limit is a sliding window
(`chalicelib/services/vendors/failure_limit.py`) counted in DynamoDB (`chalicelib/models/caller_limit.py`)
before anything else of the request is written: every limit's count goes up in one transaction, each under the
condition that its window still has room, so concurrent requests never get past a limit and a refused one
counts nothing. Beyond a limit: 429 with `Retry-After`, the whole seconds until the request would be
counted.

This is the inner guard. The outer one is the WAF rate-based rule on the API stage (`infra/resources.json`),
which stops a flood from one address before it reaches a function.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.exceptions import TransactWriteError

from chalicelib.clock import Clock
from chalicelib.errors import TooManyRequests
from chalicelib.models.base import transaction
from chalicelib.models.caller_limit import CallerWindowModel, counts
from chalicelib.services.vendors.failure_limit import FailureLimit

WRITE_ATTEMPTS = 3
# The network an IPv6 caller is counted by: a subscriber's usual assignment.
IPV6_PREFIX = 64


@dataclass(frozen=True)
class _Window:
    limit: FailureLimit
    key: str
    current: int
    previous: int


def caller_of(source_ip: str) -> str:
    """Who is counted: an IPv4 address, an IPv6 address's /64 network, or the text as given."""
    try:
        address = ipaddress.ip_address(source_ip)
    except ValueError:
        return source_ip[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


class CallerLimits:
    """The limits of one kind of anonymous request (`what`), each a sliding window."""

    def __init__(
        self,
        *,
        what: str,
        limits: Sequence[FailureLimit],
        clock: Clock,
        pseudonym: Callable[[str], str],
        refusal: str,
    ) -> None:
        self._what = what
        self._limits = tuple(limits)
        self._clock = clock
        self._pseudonym = pseudonym
        self._refusal = refusal

    def admit(self, source_ip: str) -> None:
        """Counts the request against every limit, or raises TooManyRequests and counts nothing."""
        name = self._pseudonym(caller_of(source_ip))
        for _ in range(WRITE_ATTEMPTS):
            at = int(self._clock.now().timestamp())
            windows = self._windows(name, at)
            waits = [
                w.limit.retry_after(at, w.current, w.previous) or 1
                for w in windows
                if w.current >= w.limit.room(at, w.previous)
            ]
            if waits:
                raise TooManyRequests(self._refusal, retry_after_seconds=max(waits))
            try:
                self._count(windows, at)
            except TransactWriteError:
                continue  # counted meanwhile by a request of the same caller: look again
            return
        raise TooManyRequests(self._refusal, retry_after_seconds=1)

    def _windows(self, name: str, at: int) -> list[_Window]:
        """Each limit's current and previous count for the caller, read in one consistent batch."""
        keyed = [(f"{self._what}/{limit.window_seconds}/{name}", limit) for limit in self._limits]
        found = counts([(key, start) for key, limit in keyed for start in limit.windows(at)])
        windows = []
        for key, limit in keyed:
            current, previous = limit.windows(at)
            windows.append(_Window(limit, key, found[(key, current)], found[(key, previous)]))
        return windows

    def _count(self, windows: list[_Window], at: int) -> None:
        with transaction() as tx:
            for window in windows:
                start, _ = window.limit.windows(at)
                room = window.limit.room(at, window.previous)
                tx.update(
                    CallerWindowModel(window.key, start),
                    actions=[
                        CallerWindowModel.requests.add(1),
                        CallerWindowModel.expires_at.set(_expiry(window.limit, start)),
                    ],
                    condition=CallerWindowModel.requests.does_not_exist()
                    | (CallerWindowModel.requests < room),
                )


def _expiry(limit: FailureLimit, window_start: int) -> datetime:
    return datetime.fromtimestamp(limit.expiry_of(window_start), tz=UTC)
