"""Staff: activation letters that were not delivered within 2 hours of their application."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from chalicelib.api.deps import container
from chalicelib.api.paging import PageQuery
from chalicelib.api.routing import STAFF, Call, Routes, query_params

routes = Routes(__name__, tag="Staff: letters")


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


@routes.get(
    "/v1/staff/letters/overdue",
    rule=STAFF,
    summary="Activation letters not delivered within 2 hours, latest due first",
    response=OverdueLetterPage,
    errors=(400,),
    query=query_params(PageQuery),
    description="Found by the check that runs every 15 minutes; a failed letter can be sent again with "
    "`POST /v1/staff/mail/activation_letter:{application_id}/retry`.",
)
def list_overdue_letters(call: Call) -> dict[str, Any]:
    query = call.query_model(PageQuery)
    return container().letter_watch.overdue_page(limit=query.limit, cursor=query.cursor)
