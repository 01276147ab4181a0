"""The stepping clock: real time, moved on by a test instead of waited for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.clock import FixedClock, StepClock


def test_a_step_clock_keeps_its_base_time_until_stepped_and_then_stays_ahead_by_the_steps() -> None:
    base = FixedClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    clock = StepClock(base)
    assert clock.now() == base.now()

    clock.step(timedelta(seconds=1))
    clock.step(timedelta(milliseconds=500))
    base.advance(timedelta(minutes=1))

    assert clock.now() == datetime(2026, 3, 1, 12, 1, 1, 500000, tzinfo=UTC)


def test_a_step_clock_follows_real_time_by_default() -> None:
    before = datetime.now(UTC)
    now = StepClock().now()
    assert before <= now <= datetime.now(UTC)


def test_a_step_clock_never_steps_back() -> None:
    with pytest.raises(ValueError, match="forward"):
        StepClock().step(timedelta(seconds=-1))
