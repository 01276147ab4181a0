"""The answers and queries of the routes in `chalicelib/api/routes/staff_support.py`, as pydantic models.

Imported when one of those routes first parses a query, or when the OpenAPI document is built; never by
`import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.api.schemas.staff_organisations import StaffOrganisation


class SearchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    q: str = Field(
        min_length=1,
        max_length=100,
        description="A CVR number (8 digits, any company of the organisation) or an organisation's handle "
        "(the part after @ in its codes; approved organisations have one)",
    )


class SearchResult(BaseModel):
    items: list[StaffOrganisation] = Field(description="The organisation found, or none")
    matched: str | None = Field(description="'cvr' or 'handle': what the query was taken as; null if none")


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
