"""The reminders' rules that need no storage: which day each stage reads, what a chunk message may hold,
and the pace the writer keeps."""

from __future__ import annotations

import json
from datetime import date

import pytest

from chalicelib.services.codes.reminders import Chunk, Pacer, Stage, expiry_day_for

CODE_ID = "0123456789abcdef0123456789abcdef"


class FakeTime:
    """A monotonic clock that moves only when slept on."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_run_reads_the_values_expiring_7_days_and_1_day_later_and_the_day_before():
    run_day = date(2027, 3, 1)

    assert {stage: expiry_day_for(stage, run_day) for stage in Stage} == {
        Stage.SEVEN_DAYS: "2027-03-08",
        Stage.ONE_DAY: "2027-03-02",
        Stage.EXPIRED: "2027-02-28",
    }


def test_a_chunk_survives_the_queue():
    chunk = Chunk(Stage.ONE_DAY, "2027-03-02", (CODE_ID,))

    assert Chunk.from_json(chunk.to_json()) == chunk


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps([]),
        json.dumps({"stage": "2d", "expires_on": "2027-03-02", "codes": [CODE_ID]}),
        json.dumps({"stage": "1d", "expires_on": "2027-02-30", "codes": [CODE_ID]}),
        json.dumps({"stage": "1d", "expires_on": "20270302", "codes": [CODE_ID]}),
        json.dumps({"stage": "1d", "expires_on": "2027-03-02", "codes": ["../other-table"]}),
        json.dumps({"stage": "1d", "expires_on": "2027-03-02"}),
    ],
)
def test_a_message_that_is_not_a_chunk_is_recognised_as_such(body: str):
    assert Chunk.from_json(body) is None


def test_the_pacer_lets_a_seconds_worth_through_at_once_and_then_keeps_the_rate():
    # Given a pace of 5 mails a second
    time = FakeTime()
    pacer = Pacer(5, sleep=time.sleep, monotonic=time.monotonic)

    # When 5 are written at once, then 10 more one by one
    pacer.spent(5)
    assert time.slept == []
    for _ in range(10):
        pacer.spent(1)

    # Then the 10 took 2 seconds: 5 a second
    assert sum(time.slept) == pytest.approx(2.0)


def test_the_pacer_does_not_hold_back_writes_slower_than_its_rate():
    time = FakeTime()
    pacer = Pacer(5, sleep=time.sleep, monotonic=time.monotonic)

    for _ in range(20):
        time.now += 1.0  # a second between writes of 2 mails
        pacer.spent(2)

    assert time.slept == []
