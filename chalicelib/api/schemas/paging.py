"""The query every paged list takes. A list's own filters go in a subclass:

class CodeListQuery(PageQuery):
    status: Status | None = None
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.fields import AccountNumber, Cvr
from chalicelib.models.paging import DEFAULT_LIMIT, MAX_CURSOR_LENGTH, MAX_LIMIT


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page")
    cursor: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_CURSOR_LENGTH,
        description="`next_cursor` of the page before",
    )


class ScopedPageQuery(PageQuery):
    """A list of what lives under a company's accounts (codes, validations), narrowed to one of them."""

    company: Cvr | None = Field(default=None, description="Only this company's (CVR)")
    account: AccountNumber | None = Field(default=None, description="Only this account's (needs `company`)")
