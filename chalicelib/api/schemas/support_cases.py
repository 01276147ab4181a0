"""The answers and queries of the routes in `chalicelib/api/routes/support_cases.py`, as pydantic models.

Imported when one of those routes first parses a query, or when the OpenAPI document is built; never by
`import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.api.schemas.paging import PageQuery
from chalicelib.models.support_case import CaseStatus


class CaseFiled(BaseModel):
    case_id: str = Field(description="The case's reference, for the sender to quote, e.g. S-7K3M-9QXD")
    created_at: str


class LinkedOrganisation(BaseModel):
    org_id: str
    name: str
    status: str = Field(description="The organisation's status: pending, approved, rejected or suspended")


class CaseAnswer(BaseModel):
    at: str
    staff_id: str = Field(description="The staff member who answered")
    text: str


class SupportCase(BaseModel):
    case_id: str = Field(description="The case's reference")
    status: CaseStatus
    topic: str = Field(description="administrator_left, sign_in or other")
    organisation: str = Field(description="The organisation as the sender named it")
    cvr: str | None
    name: str
    email: str
    message: str
    language: str = Field(description="The case's language, and its answers': da or en")
    created_at: str
    closed_at: str | None
    answers: list[CaseAnswer] = Field(description="Staff's answers, oldest first")
    linked_organisation: LinkedOrganisation | None = Field(
        default=None, description="The organisation holding the case's CVR; only on a single case"
    )


class CasePage(BaseModel):
    items: list[SupportCase]
    next_cursor: str | None = Field(description="Give as `cursor` for the next page; null on the last page")


class CaseListQuery(PageQuery):
    status: CaseStatus = Field(default=CaseStatus.OPEN, description="Only cases with this status")
