"""The answers of the routes in `chalicelib/api/routes/vendor_users.py`, as pydantic models. The invitation's
body is `chalicelib.services.people.vendor_people:VendorContact`, the same as a vendor's contact person's.

Imported when one of those routes first answers, or when the OpenAPI document is built; never by
`import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class VendorPerson(BaseModel):
    user_id: str = Field(description="Also the person's username")
    first_name: str
    last_name: str
    email: str
    status: Literal["invited", "active", "disabled"] = Field(
        description="'invited' until the invitation is accepted, then 'active'"
    )
    created_at: str = Field(description="When the person was invited")
    invitation_expires_at: str | None = Field(description="While invited: when the invitation code expires")
    you: bool = Field(description="Whether this is the caller")


class VendorPeople(BaseModel):
    items: list[VendorPerson] = Field(description="The vendor's people, newest first, invited ones included")
