"""Opaque cursors for paged Queries: base64url of a small JSON document naming the index and holding its
LastEvaluatedKey. Opaque to clients, not secret: a cursor only ever resumes a Query the caller was allowed
to run, because the partition and the scope filter come from the request, never from the cursor."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from chalicelib.errors import FieldError, InvalidInput

MAX_CURSOR_LENGTH = 1024
# Every list's page size: what it gives without a `limit`, and the most it gives with one.
DEFAULT_LIMIT = 25
MAX_LIMIT = 100

StartKey = dict[str, dict[str, str]]


class InvalidCursor(ValueError):
    pass


def encode_cursor(index: str, key: StartKey) -> str:
    raw = json.dumps({"i": index, "k": key}, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, *, index: str, key_names: frozenset[str]) -> StartKey:
    """The start key a cursor holds, if it was made for `index` and has exactly its string keys."""
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH or not cursor.isascii():
        raise InvalidCursor("not a cursor")
    try:
        document: Any = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise InvalidCursor("not a cursor") from exc
    if not isinstance(document, dict) or document.get("i") != index:
        raise InvalidCursor("not a cursor for this list")
    key = document.get("k")
    if not isinstance(key, dict) or set(key) != key_names:
        raise InvalidCursor("not a cursor for this list")
    for value in key.values():
        if not (
            isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str) and value["S"]
        ):
            raise InvalidCursor("not a cursor for this list")
    return {name: {"S": value["S"]} for name, value in key.items()}


def resume_key(
    cursor: str, *, index: str, key_names: frozenset[str], partition: tuple[str, str] | None = None
) -> StartKey:
    """The start key of a cursor made for `index`, whose partition attribute (name, value), if given, is the
    one the caller is querying now: a cursor never moves a Query to another partition."""
    key = decode_cursor(cursor, index=index, key_names=key_names)
    if partition is not None and key[partition[0]]["S"] != partition[1]:
        raise InvalidCursor("not a cursor for this list")
    return key


CURSOR_REFUSED = {
    "en": "Not a cursor this list gave out; start again without it.",
    "da": "Hent listen forfra uden cursor: denne cursor kommer ikke fra listen.",
}


def bad_cursor(exc: InvalidCursor) -> InvalidInput:
    """How every list answers a cursor it did not give out: a 400 that says what to do, never a 500."""
    return InvalidInput(
        "Some query parameters are missing or invalid.",
        errors=[FieldError("cursor", CURSOR_REFUSED["en"], translations=CURSOR_REFUSED)],
    )


def page_start(
    cursor: str | None, *, index: str, key_names: frozenset[str], partition: tuple[str, str] | None = None
) -> StartKey | None:
    """Where a page begins: nowhere in particular without a cursor, else the cursor's start key
    (`resume_key`); a cursor the list did not give out is the 400 every list answers (`bad_cursor`)."""
    if not cursor:
        return None
    try:
        return resume_key(cursor, index=index, key_names=key_names, partition=partition)
    except InvalidCursor as exc:
        raise bad_cursor(exc) from exc
