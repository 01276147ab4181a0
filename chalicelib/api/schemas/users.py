"""The bodies, answers and queries of the routes in `chalicelib/api/routes/users.py`, as pydantic models.

Imported when one of those routes first parses a body or a query, or when the OpenAPI document is built;
never by `import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from pydantic import BaseModel, Field


class UserScope(BaseModel):
    cvr: str
    access: str = Field(description="'full': every account of the company; 'limited': the ones listed")
    accounts: list[str]


class User(BaseModel):
    user_id: str
    username: str = Field(description="What the user signs in with; the same as user_id")
    first_name: str
    last_name: str
    email: str
    mobile: str
    language: str
    status: str = Field(description="'invited' until the invitation is accepted; then 'active' or 'disabled'")
    functions: list[str]
    companies: list[UserScope] = Field(description="The user's scope, cut to what the caller sees")
    within_your_scope: bool = Field(
        description="Whether the caller's own access covers all of this user's, so the caller may change them"
    )
    second_factor_enrolled: bool
    created_at: str
    updated_at: str | None
    invitation_expires_at: str | None = Field(description="While invited: when the invitation code expires")


class UserPage(BaseModel):
    items: list[User]
    next_cursor: str | None = Field(description="Give as `cursor` for the next page; null on the last page")
