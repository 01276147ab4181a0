"""The bodies, answers and queries of the routes in `chalicelib/api/routes/staff_organisations.py`, as
pydantic models.

Imported when one of those routes first parses a body or a query, or when the OpenAPI document is built;
never by `import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.api.schemas.paging import PageQuery
from chalicelib.fields import Strict, Text
from chalicelib.models.organisation import OrganisationStatus


class StaffCompany(BaseModel):
    cvr: str
    name: str = Field(description="The name the organisation typed")
    legal_name: str | None = Field(description="The company register's name, as at application")
    parent_cvr: str | None
    proof: str = Field(
        description="'proven'; 'pending': named, but not yet proven by its own letter; or 'locked': its "
        "letter's code is locked after too many wrong tries"
    )
    proven_by: str | None = Field(description="'letter' or 'ownership' (the register's ownership data)")


class ReviewedCompany(StaffCompany):
    register_name: str | None = Field(description="The register's name now; null when it has no such CVR")
    register_status: str = Field(description="'active', 'ceased', or 'unknown'")


class Applicant(BaseModel):
    first_name: str
    last_name: str
    email: str


class StaffOrganisation(BaseModel):
    org_id: str
    name: str = Field(description="The display name vendors see")
    legal_name: str | None = Field(description="The main company's name in the company register")
    requested_name: str | None = Field(description="A display name the organisation asked for, waiting")
    applicant: Applicant | None = Field(description="Who applied in the activated application")
    companies: list[StaffCompany]
    handle: str
    primary_cvr: str
    status: str
    status_reason: str | None = Field(description="Staff's reason, when rejected or suspended")
    created_at: str
    approved_at: str | None = Field(description="Approved without interruption since (UTC)")
    etag: str = Field(
        description="The version of what this shows (the `ETag` of the organisation's own answer): a "
        "decision on it sends it as `If-Match`"
    )


class StaffOrganisationReview(StaffOrganisation):
    companies: list[ReviewedCompany]  # type: ignore[assignment]


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
