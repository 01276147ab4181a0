"""The SMS bounds' sliding windows at their edges: which texts count, and how long the wait is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.services.access.sms_limits import SMS_LIMITS, mobile_counter, recent, wait_before_next

T0 = datetime(2027, 1, 30, 12, 0, 0, tzinfo=UTC)


def minutes(*offsets: float) -> list[datetime]:
    return [T0 + timedelta(minutes=m) for m in offsets]


def test_a_text_may_go_while_the_windows_have_room():
    assert wait_before_next([], T0, SMS_LIMITS) == 0
    assert wait_before_next(minutes(0, 1), T0 + timedelta(minutes=2), SMS_LIMITS) == 0


def test_the_fourth_text_of_a_quarter_hour_waits_for_the_first_to_leave_it():
    sent = minutes(0, 1, 2)

    assert wait_before_next(sent, T0 + timedelta(minutes=3), SMS_LIMITS) == 12 * 60
    assert wait_before_next(sent, T0 + timedelta(minutes=15) - timedelta(milliseconds=1), SMS_LIMITS) == 1
    assert wait_before_next(sent, T0 + timedelta(minutes=15), SMS_LIMITS) == 0


def test_the_windows_slide_rather_than_start_at_the_clock_quarter():
    # Three texts across a clock quarter's boundary still fill the window
    sent = minutes(14, 15, 16)

    assert wait_before_next(sent, T0 + timedelta(minutes=17), SMS_LIMITS) == 12 * 60


def test_the_eleventh_text_of_a_day_waits_for_the_first_to_be_a_day_old():
    sent = minutes(0, 0, 0, 20, 20, 20, 40, 40, 40, 60)

    wait = wait_before_next(sent, T0 + timedelta(minutes=80), SMS_LIMITS)

    assert wait == (24 * 60 - 80) * 60


def test_only_the_last_day_is_kept():
    sent = minutes(-24 * 60, -24 * 60 + 1)

    assert recent(sent, T0, SMS_LIMITS) == minutes(-24 * 60 + 1)


def test_a_numbers_counter_does_not_show_the_number():
    counter = mobile_counter("+4512345678", b"k" * 32)

    assert "12345678" not in counter
    assert counter != mobile_counter("+4512345678", b"j" * 32)
