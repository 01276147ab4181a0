"""Validation rules that need no storage: what text counts as which code, the sliding window of failed
checks, and reading several tables in one round trip."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.models.validation import MAX_BATCH_ATTEMPTS, UnreadKeys, batch_get
from chalicelib.services.vendors.failure_limit import FailureLimit
from chalicelib.services.vendors.validation import PresentedCode, normalise

# Normalising what a vendor posts


@pytest.mark.parametrize(
    "raw",
    [
        "7k2m9xq4@RoedeKorsAarhus",
        "  7k2m9xq4@RoedeKorsAarhus  ",
        "\t7k2m9xq4@RoedeKorsAarhus\r\n",
        "\u00a07k2m9xq4@RoedeKorsAarhus\u2003",  # no-break and em spaces, as pasted from a mail
        "7K2M9XQ4@RoedeKorsAarhus",
        "7k2M9xQ4@roedekorsaarhus",
        "7k2m9xq4@ROEDEKORSAARHUS",
    ],
)
def test_whitespace_around_a_code_and_the_case_of_its_letters_do_not_matter(raw):
    presented = normalise(raw)
    assert presented is not None
    assert presented.random_part == "7k2m9xq4"
    assert presented.handle.lower() == "roedekorsaarhus"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "7k2m9xq4",
        "7k2m9xq4@",
        "@RoedeKorsAarhus",
        "7k2m9xq@RoedeKorsAarhus",
        "7k2m9xq44@RoedeKorsAarhus",
        "7k2m9xq4@@RoedeKorsAarhus",
        "7k2m9xq4@Roede Kors Aarhus",
        "7k2m9xq4@Roede-Kors",
        "7k2m9xq4@RødeKors",
        "7k2m9xq4@" + "A" * 41,
        "7k2m 9xq4@RoedeKorsAarhus",
        "7k2m9xq4%40RoedeKorsAarhus",
        "7k2m9xq4&#64;RoedeKorsAarhus",
        "\uff17k2m9xq4@RoedeKorsAarhus",  # a full-width 7
        "\u212a2m9xq4@RoedeKorsAarhus",  # the Kelvin sign, which lower() would turn into an ASCII k
        "7k2m9xq4@RoedeKorsAarhus\x00",
        "7k2m9xq4\u200b@RoedeKorsAarhus",
        "7k2m9xq4@RoedeKorsAarhus\nX",
        "' OR 1=1 --",
    ],
)
def test_text_that_cannot_be_a_code_is_not_one(raw):
    assert normalise(raw) is None


def test_a_code_with_a_handle_of_40_characters_is_a_code():
    assert normalise("abcdefgh@" + "A" * 40) == PresentedCode("abcdefgh", "A" * 40)


# The sliding window of failed checks

LIMIT = FailureLimit(limit=20, window_seconds=300)
START = 1_800_000_000 - 1_800_000_000 % 300  # the first second of a window


def test_windows_are_fixed_periods_named_by_their_first_second():
    assert LIMIT.windows(START) == (START, START - 300)
    assert LIMIT.windows(START + 299) == (START, START - 300)
    assert LIMIT.windows(START + 300) == (START + 300, START)
    # A window's count is kept while it can still be the previous one
    assert LIMIT.expiry_of(START) == START + 600


def test_a_vendor_is_refused_from_the_limit_on_and_not_before():
    assert LIMIT.retry_after(START + 10, current=19, previous=0) is None
    assert LIMIT.retry_after(START + 10, current=20, previous=0) is not None


def test_the_previous_window_counts_for_the_part_of_it_still_inside_the_last_window_length():
    # 40 failures in the previous window weigh 40 * (300 - 150) / 300 = 20 halfway through this one
    assert LIMIT.blocked(START + 150, current=0, previous=40)
    assert not LIMIT.blocked(START + 151, current=0, previous=40)
    assert LIMIT.retry_after(START + 150, current=0, previous=40) == 1


def test_twenty_failures_at_once_wait_until_the_window_has_slid_past_them():
    # Given 20 failures in the first second of a window
    # Then the vendor waits for the rest of the window and one second into the next, when their weight
    # has fallen to 20 * 299 / 300
    assert LIMIT.retry_after(START, current=20, previous=0) == 301
    assert LIMIT.retry_after(START + 299, current=20, previous=0) == 2


def brute_force_retry_after(limit: FailureLimit, at: int, current: int, previous: int) -> int | None:
    """Second by second, assuming no more failures are counted while refused."""
    start, _ = limit.windows(at)
    counts = {start: current, start - limit.window_seconds: previous}
    for seconds in range(3 * limit.window_seconds + 2):
        now_window, previous_window = limit.windows(at + seconds)
        if not limit.blocked(at + seconds, counts.get(now_window, 0), counts.get(previous_window, 0)):
            return None if seconds == 0 else seconds
    raise AssertionError("never allowed again")


@pytest.mark.parametrize(("limit", "window"), [(1, 1), (2, 3), (3, 7), (5, 10), (20, 300)])
def test_retry_after_is_the_first_second_the_vendor_is_let_in_again(limit, window):
    rule = FailureLimit(limit=limit, window_seconds=window)
    first = 10_000 - 10_000 % window
    for at in range(first, first + window, max(1, window // 25)):
        for current in range(2 * limit + 2):
            for previous in range(0, 2 * limit + 2, max(1, limit // 4)):
                expected = brute_force_retry_after(rule, at, current, previous)
                assert rule.retry_after(at, current, previous) == expected, (at, current, previous)


def test_a_limit_needs_a_positive_count_and_window():
    for limit, window in ((0, 300), (20, 0), (-1, 300)):
        with pytest.raises(ValueError, match="positive"):
            FailureLimit(limit=limit, window_seconds=window)


# One round trip for several tables


class ThrottledDynamoDB:
    """Answers BatchGetItem like DynamoDB under throttling: the first `unprocessed` answers read nothing."""

    def __init__(self, unprocessed: int) -> None:
        self.unprocessed = unprocessed
        self.requests: list[dict[str, Any]] = []

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(RequestItems)
        if len(self.requests) <= self.unprocessed:
            return {"Responses": {}, "UnprocessedKeys": RequestItems}
        return {
            "Responses": {table: [dict(key) for key in ask["Keys"]] for table, ask in RequestItems.items()},
            "UnprocessedKeys": {},
        }


REQUEST = {"t": {"Keys": [{"id": {"S": "a"}}, {"id": {"S": "b"}}], "ConsistentRead": True}}


def test_keys_handed_back_unread_are_asked_for_again_after_a_pause():
    dynamodb = ThrottledDynamoDB(unprocessed=MAX_BATCH_ATTEMPTS - 1)
    pauses: list[float] = []

    items = batch_get(dynamodb, REQUEST, sleep=pauses.append)

    assert items == {"t": [{"id": {"S": "a"}}, {"id": {"S": "b"}}]}
    assert len(dynamodb.requests) == MAX_BATCH_ATTEMPTS
    assert all(request == REQUEST for request in dynamodb.requests)
    assert len(pauses) == MAX_BATCH_ATTEMPTS - 1
    assert pauses == sorted(pauses)


def test_a_read_that_keeps_being_throttled_gives_up_after_a_bounded_number_of_tries():
    dynamodb = ThrottledDynamoDB(unprocessed=MAX_BATCH_ATTEMPTS)

    with pytest.raises(UnreadKeys):
        batch_get(dynamodb, REQUEST, sleep=lambda seconds: None)
    assert len(dynamodb.requests) == MAX_BATCH_ATTEMPTS


def test_an_unthrottled_read_is_one_round_trip():
    dynamodb = ThrottledDynamoDB(unprocessed=0)
    batch_get(dynamodb, REQUEST, sleep=lambda seconds: pytest.fail("no pause"))
    assert len(dynamodb.requests) == 1
