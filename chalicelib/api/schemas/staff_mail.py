"""The bodies, answers and queries of the routes in `chalicelib/api/routes/staff_mail.py`, as pydantic models.

Imported when one of those routes first parses a body or a query, or when the OpenAPI document is built;
never by `import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.api.schemas.paging import PageQuery
from chalicelib.models.outbox import MailStatus


class MailMessage(BaseModel):
    message_id: str
    kind: str
    language: str
    to_address: str
    to_name: str
    status: str
    attempts: int
    last_error: str | None
    created_at: str
    sent_at: str | None


class MailPage(BaseModel):
    items: list[MailMessage]
    next_cursor: str | None = Field(description="Give as `cursor` for the next page; null on the last page")


class MailListQuery(PageQuery):
    status: MailStatus = Field(default=MailStatus.FAILED, description="Only mail with this delivery status")
