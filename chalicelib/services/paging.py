"""Opaque cursors for paged lists: the keys to continue after, as URL-safe base64 of a small JSON object.
Opaque to callers (they pass it back unchanged); checked on the way in, so that a cursor that was edited or
belongs to another list is a clear 400 rather than a database error."""

from __future__ import annotations

import base64
import binascii
import json

from chalicelib.errors import FieldError, InvalidInput

DEFAULT_LIMIT = 25
MAX_LIMIT = 100


def encode_cursor(keys: dict[str, str] | None) -> str | None:
    if keys is None:
        return None
    raw = json.dumps(keys, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, fields: frozenset[str]) -> dict[str, str] | None:
    if cursor is None or cursor == "":
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise _bad_cursor() from exc
    if (
        not isinstance(data, dict)
        or set(data) != fields
        or not all(isinstance(v, str) and v for v in data.values())
    ):
        raise _bad_cursor()
    return {str(k): str(v) for k, v in data.items()}


def parse_limit(value: str | None) -> int:
    if value is None or value == "":
        return DEFAULT_LIMIT
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise InvalidInput(
            "The limit is out of range.",
            errors=[FieldError("limit", f"A whole number from 1 to {MAX_LIMIT}.")],
        )
    return int(value)


def _bad_cursor() -> InvalidInput:
    return InvalidInput(
        "The cursor is not one this list gave out.",
        errors=[FieldError("cursor", "Pass back the next_cursor of the previous page unchanged.")],
    )
