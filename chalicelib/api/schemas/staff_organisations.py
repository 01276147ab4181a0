"""The bodies, answers and queries of the routes in `chalicelib/api/staff_organisations.py`, as
pydantic models.

Imported when one of those routes first parses a body or a query, or when the OpenAPI document is built;
never by `import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.api.schemas.paging import PageQuery
from chalicelib.fields import Strict, Text
from chalicelib.models.organisation import OrganisationStatus


class StaffOrganisation(BaseModel):
    org_id: str
    name: str
    handle: str
    primary_cvr: str
    status: str
    status_reason: str | None = Field(description="Staff's reason, when rejected or suspended")
    created_at: str
    approved_at: str | None = Field(description="Approved without interruption since (UTC)")


class StaffOrganisationPage(BaseModel):
    items: list[StaffOrganisation]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class LoginRemovedOut(BaseModel):
    org_id: str
    user_id: str
    administrators_left: int
    may_apply_again: bool = Field(
        description="True when no active administrator is left: a new application "
        "for the organisation's CVR now sends a new letter"
    )


class OrganisationListQuery(PageQuery):
    status: OrganisationStatus = Field(
        default=OrganisationStatus.PENDING_REVIEW, description="Only organisations with this status"
    )


class ReasonForm(Strict):
    reason: Text = Field(
        description="Why; mailed to the administrators and kept in the audit trail",
    )
