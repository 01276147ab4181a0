"""Staff: mail that could not be delivered, and replaying it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from chalicelib.api import paging
from chalicelib.api.routing import STAFF, Call, QueryParam, Routes
from chalicelib.errors import FieldError, InvalidInput
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
    next_cursor: str | None


STATUSES = [s.value for s in MailStatus]


@routes.get(
    "/v1/staff/mail",
    rule=STAFF,
    summary="Mail by delivery status, newest first",
    response=MailPage,
    query=(
        QueryParam(
            "status",
            "queued, sent, failed, suppressed, bounced or complained (default failed)",
            {"type": "string", "enum": STATUSES},
        ),
        QueryParam("limit", "1 to 100 (default 25)", {"type": "integer", "minimum": 1, "maximum": 100}),
        QueryParam("cursor", "next_cursor of the previous page"),
    ),
)
def list_mail(call: Call) -> dict[str, Any]:
    raw_status = call.query("status") or MailStatus.FAILED.value
    if raw_status not in STATUSES:
        raise InvalidInput("Unknown status.", errors=[FieldError("status", f"one of {', '.join(STATUSES)}")])
    items, last = mail_admin.list_messages(
        MailStatus(raw_status),
        limit=paging.parse_limit(call.query("limit")),
        start=paging.decode_cursor(call.query("cursor"), key_names=mail_admin.CURSOR_KEYS),
    )
    return paging.page(items, last)


@routes.post(
    "/v1/staff/mail/{message_id}/retry",
    rule=STAFF,
    summary="Send a failed message again",
    response=MailMessage,
    errors=(409,),
    description="Only a failed message can be retried; it is sent once more, as a new delivery.",
)
def retry_failed_mail(call: Call, message_id: str) -> dict[str, Any]:
    return mail_admin.retry(message_id)
