"""The bodies, answers and queries of the routes in `chalicelib/api/routes/staff_letters.py`, as pydantic
models.

Imported when one of those routes first parses a body or a query, or when the OpenAPI document is built;
never by `import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from pydantic import BaseModel, Field


class OverdueLetterOut(BaseModel):
    application_id: str
    cvr: str
    org_id: str
    company_name: str = Field(description="The company register's name for the CVR")
    official_mailbox: str = Field(description="Where the letter went: the register's address for the CVR")
    application_status: str = Field(description="pending, activated or locked")
    applied_at: str
    letter_due_by: str = Field(description="The promise: 2 hours after the application")
    overdue_since: str | None = Field(description="When the check found the letter overdue")
    letter_status: str = Field(
        description="The letter's delivery status now: queued, sent (late), failed, suppressed, bounced, "
        "complained, or missing"
    )
    sent_at: str | None


class OverdueLetterPage(BaseModel):
    items: list[OverdueLetterOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")
