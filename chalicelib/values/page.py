"""A page of any listing, as the services answer it: the items, and the cursor of the next page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page[T]:
    items: list[T]
    # Given back as `cursor` for the next page; None on the last page.
    next_cursor: str | None
