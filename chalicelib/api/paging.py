"""Paged lists: `limit` and an opaque `cursor` in, `{"items": [...], "next_cursor": ...}` out.

The cursor is DynamoDB's LastEvaluatedKey as base64url JSON. It is opaque to clients, but not secret: it only
names the last item they were already shown. Anything that does not decode to a key of the expected shape is
a 400, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from chalicelib.errors import FieldError, InvalidInput

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MAX_CURSOR_LENGTH = 2048


def parse_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidInput(
            "The limit is not valid.",
            errors=[FieldError("limit", f"a whole number from 1 to {MAX_LIMIT}")],
        )
    return int(raw)


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, key_names: frozenset[str]) -> dict[str, Any] | None:
    """The LastEvaluatedKey a cursor carries; it must name exactly `key_names`, each a DynamoDB string or
    number, or the cursor is refused."""
    if cursor is None or cursor == "":
        return None
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError("too long")
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not _is_key(key, key_names):
            raise ValueError("not a key")
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput(
            "The cursor is not valid.", errors=[FieldError("cursor", "use next_cursor as given")]
        ) from exc
    result: dict[str, Any] = key
    return result


def _is_key(key: Any, key_names: frozenset[str]) -> bool:
    if not isinstance(key, dict) or set(key) != key_names:
        return False
    return all(
        isinstance(value, dict)
        and len(value) == 1
        and next(iter(value)) in {"S", "N"}
        and isinstance(next(iter(value.values())), str)
        for value in key.values()
    )


def page(items: list[dict[str, Any]], last_evaluated_key: dict[str, Any] | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": encode_cursor(last_evaluated_key)}
