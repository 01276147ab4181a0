"""Time comes from here, so that expiry can be tested at the boundary second and jobs replayed as of
another day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at

    def advance(self, by: timedelta) -> None:
        self._at += by


class OffsetClock:
    """Real time shifted by a fixed amount: a job run 'as of' another day keeps ticking."""

    def __init__(self, offset: timedelta, base: Clock | None = None) -> None:
        self._offset = offset
        self._base = base or SystemClock()

    def now(self) -> datetime:
        return self._base.now() + self._offset


def isoformat(at: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second: the one shape times take in the API."""
    return at.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
