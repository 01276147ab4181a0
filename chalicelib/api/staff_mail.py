"""Staff: mail that could not be delivered, and replaying it."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from pydantic import BaseModel, Field

from chalicelib.api.deps import container
from chalicelib.api.paging import PageQuery
from chalicelib.api.routing import STAFF, Call, Routes, query_params
from chalicelib.models.outbox import MailStatus
from chalicelib.services import mail_admin

routes = Routes(__name__, tag="Staff: mail")


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


@routes.get(
    "/v1/staff/mail",
    rule=STAFF,
    summary="Mail by delivery status (default failed), newest first",
    response=MailPage,
    errors=(400,),
    query=query_params(MailListQuery),
)
def list_mail(call: Call) -> dict[str, Any]:
    query = call.query_model(MailListQuery)
    return mail_admin.list_messages(query.status, limit=query.limit, cursor=query.cursor)


@routes.post(
    "/v1/staff/mail/{message_id}/retry",
    rule=STAFF,
    summary="Send a failed message again",
    response=MailMessage,
    errors=(409,),
    description="Only a failed message can be retried; it is sent once more, as a new delivery. The id may "
    "be percent-encoded (`activation_letter%3A…`), as a client encodes a path segment.",
)
def retry_failed_mail(call: Call, message_id: str) -> dict[str, Any]:
    # A message id never holds a '%' of its own; the local gateway hands the segment over still encoded.
    message_id = unquote(message_id)
    return mail_admin.retry(call.principal, message_id, origin=call.origin, now=container().clock.now())
