"""The answers and queries of the routes in `chalicelib/api/routes/staff_support.py`, as pydantic models.

Imported when one of those routes first parses a query, or when the OpenAPI document is built; never by
`import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.api.schemas.staff_organisations import StaffOrganisation
from chalicelib.models.paging import MAX_CURSOR_LENGTH


class SearchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    q: str = Field(
        min_length=1,
        max_length=100,
        description="A CVR number (8 digits, any company of the organisation), an organisation's handle "
        "(the part after @ in its codes; approved organisations have one), or the beginning of its name "
        "(any case and accents; æ, ø and å as typed)",
    )
    limit: int = Field(default=25, ge=1, le=100, description="Organisations per page, when searching by name")
    cursor: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_CURSOR_LENGTH,
        description="`next_cursor` of the page before",
    )


class SearchResult(BaseModel):
    items: list[StaffOrganisation] = Field(
        description="The organisation found by CVR number or handle, or those whose name begins so, by name"
    )
    matched: str | None = Field(
        description="'cvr', 'handle' or 'name': what the query was taken as; null if nothing matched"
    )
    next_cursor: str | None = Field(
        default=None, description="Give as `cursor` for the next page of a name search; null on the last page"
    )


class StaffLogin(BaseModel):
    user_id: str
    username: str = Field(description="What the person signs in with; the same as user_id")
    first_name: str
    last_name: str
    email: str
    mobile: str
    status: str = Field(description="'invited', 'active' or 'disabled'")
    functions: list[str]
    administrator: bool = Field(
        description="Holds the `users` function: administers the organisation's logins"
    )
    second_factor_enrolled: bool
    created_at: str


class StaffLoginPage(BaseModel):
    items: list[StaffLogin]
    next_cursor: str | None = Field(description="Give as `cursor` for the next page; null on the last page")
