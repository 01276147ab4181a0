"""The bodies and answers of the routes in `chalicelib/api/routes/staff_members.py`, as pydantic models.

Imported when one of those routes first parses a body or a query, or when the OpenAPI document is built;
never by `import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.fields import Strict, Text


class StaffMember(BaseModel):
    user_id: str = Field(description="Also the member's Cognito username")
    first_name: str
    last_name: str
    email: str
    status: str = Field(
        description="'active', 'disabled' or 'removed' (offboarded; the record is kept for the staff trail)"
    )
    created_at: str = Field(description="When the member was added")
    changed_at: str = Field(description="The member's last change (their removal, for a removed member)")


class StaffMemberPage(BaseModel):
    items: list[StaffMember]
    next_cursor: str | None = Field(description="Give as `cursor` for the next page; null on the last page")


class RemovalForm(Strict):
    reason: Text = Field(description="Why the member leaves; kept in the staff trail")
