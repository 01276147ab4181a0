"""The bodies, answers and queries of the routes in `chalicelib/api/routes/invitations.py`, as pydantic
models.

Imported when one of those routes first parses a body or a query, or when the OpenAPI document is built;
never by `import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from pydantic import BaseModel, Field


class InvitationAccepted(BaseModel):
    user_id: str
    username: str
    org_id: str | None = Field(description="The organisation joined; null for a vendor's person")
    vendor_id: str | None = Field(default=None, description="The vendor joined, for a vendor's person")
    next_step: str
