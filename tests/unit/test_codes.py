"""Code rules that need no storage: the value's shape, expiry at the second, which Query a listing runs,
and what counts as a cursor."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.models.code import (
    CodeModel,
    CodeStatus,
    CodeValueModel,
    Visible,
    listing_for,
)
from chalicelib.models.paging import InvalidCursor, decode_cursor, encode_cursor
from chalicelib.services.codes.codes import CODE_LIFETIME, draw_random_part

NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)
ORG = "org-1"
KEYS = frozenset({"code_id", "created_at", "org_id"})


def entry(expires_at: datetime, revoked_at: datetime | None = None) -> CodeModel:
    return CodeModel("0" * 32, expires_at=expires_at, revoked_at=revoked_at)


def test_the_random_part_is_8_lowercase_letters_or_digits_and_varies():
    drawn = {draw_random_part() for _ in range(200)}
    assert len(drawn) == 200
    assert all(len(d) == 8 and set(d) <= set("abcdefghijklmnopqrstuvwxyz0123456789") for d in drawn)


def test_the_lifetime_is_exactly_60_days():
    assert timedelta(days=60) == CODE_LIFETIME


def test_a_code_is_active_until_the_second_before_expiry_and_expired_from_it():
    # Given a code that expires at NOW
    code = entry(expires_at=NOW)
    value = CodeValueModel("abcdefgh", expires_at=NOW)

    # Then it is active one second (and one microsecond) before, and expired from that second on
    for item in (code, value):
        assert item.status_at(NOW - timedelta(seconds=1)) is CodeStatus.ACTIVE
        assert item.status_at(NOW - timedelta(microseconds=1)) is CodeStatus.ACTIVE
        assert item.status_at(NOW) is CodeStatus.EXPIRED
        assert item.status_at(NOW + timedelta(days=400)) is CodeStatus.EXPIRED


def test_revoked_wins_over_active_and_expired():
    code = entry(expires_at=NOW, revoked_at=NOW - timedelta(days=1))
    value = CodeValueModel("abcdefgh", expires_at=NOW, status=CodeStatus.REVOKED.value)
    for item in (code, value):
        assert item.status_at(NOW - timedelta(days=2)) is CodeStatus.REVOKED
        assert item.status_at(NOW + timedelta(days=2)) is CodeStatus.REVOKED


@pytest.mark.parametrize(
    ("visible", "index", "partition"),
    [
        ([Visible("29180008", frozenset({"1001"}))], "by-account", "29180008#1001"),
        ([Visible("29180008")], "by-company", "29180008"),
        ([Visible("29180008", frozenset({"1001", "1002"}))], "by-company", "29180008"),
        ([Visible("29180008"), Visible("34560005", frozenset({"2001"}))], "by-org", ORG),
        # A limited company without accounts shows nothing, so only the other one is left
        (
            [Visible("29180008", frozenset()), Visible("34560005", frozenset({"2001"}))],
            "by-account",
            "34560005#2001",
        ),
    ],
)
def test_a_listing_queries_the_narrowest_index_the_scope_allows(visible, index, partition):
    listing = listing_for(ORG, visible, status=None, now=NOW)
    assert listing is not None
    assert (listing.index, listing.partition) == (index, partition)
    assert listing.condition is not None  # the organisation is pinned in every filter


def test_a_listing_of_nothing_visible_runs_no_query():
    assert listing_for(ORG, [], status=None, now=NOW) is None
    assert listing_for(ORG, [Visible("29180008", frozenset())], status=None, now=NOW) is None


def test_a_cursor_round_trips():
    key = {"code_id": {"S": "a" * 32}, "created_at": {"S": "x"}, "org_id": {"S": ORG}}
    cursor = encode_cursor("by-org", key)
    assert "=" not in cursor
    assert decode_cursor(cursor, index="by-org", key_names=KEYS) == key


def b64(document: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "!!!",
        "x" * 2000,
        "é",
        b64("just a string"),
        b64([1, 2]),
        b64(
            {"i": "by-company", "k": {"code_id": {"S": "a"}, "created_at": {"S": "b"}, "org_id": {"S": ORG}}}
        ),
        b64({"i": "by-org", "k": {"code_id": {"S": "a"}, "created_at": {"S": "b"}}}),
        b64({"i": "by-org", "k": {"code_id": {"N": "1"}, "created_at": {"S": "b"}, "org_id": {"S": ORG}}}),
        b64({"i": "by-org", "k": {"code_id": {"S": ""}, "created_at": {"S": "b"}, "org_id": {"S": ORG}}}),
        b64({"i": "by-org", "k": {"code_id": "a", "created_at": {"S": "b"}, "org_id": {"S": ORG}}}),
        b64({"i": "by-org"}),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_anything_but_a_cursor_for_this_index_is_refused(cursor):
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, index="by-org", key_names=KEYS)
