"""How every list answers a cursor it did not give out: a 400 that says what to do, never a 500."""

from __future__ import annotations

from chalicelib.errors import FieldError, InvalidInput
from chalicelib.models.paging import InvalidCursor

DEFAULT_LIMIT = 25
MAX_LIMIT = 100


def bad_cursor(exc: InvalidCursor) -> InvalidInput:
    return InvalidInput(
        "Some query parameters are missing or invalid.",
        errors=[FieldError("cursor", "Not a cursor this list gave out; start again without it.")],
    )
