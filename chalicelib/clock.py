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


class StepClock:
    """Real time, stepped forward on demand: a test makes time pass without waiting for it, and the clock
    still agrees with whatever else keeps real time (the emulated Cognito's token times)."""

    def __init__(self, base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        self._ahead = timedelta(0)

    def now(self) -> datetime:
        return self._base.now() + self._ahead

    def step(self, by: timedelta) -> None:
        if by < timedelta(0):
            raise ValueError("a StepClock only steps forward")
        self._ahead += by


def isoformat(at: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second: the one shape times take in the API."""
    return at.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
