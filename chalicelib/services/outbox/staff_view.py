"""What staff see of the mail pipeline: messages by status, without their secrets.

Access pattern: Query outbox.by-status[status], newest first, paged by an index-bound cursor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.clock import isoformat
from chalicelib.models.audit import (
    STAFF_TRAIL,
    Actor,
    ActorKind,
    AuditAction,
    AuditEvent,
    Origin,
    record_event,
)
from chalicelib.models.outbox import MailStatus, OutboxModel
from chalicelib.models.paging import encode_cursor, page_start
from chalicelib.services.access.authz import Principal
from chalicelib.services.outbox.delivery import retry_by_staff
from chalicelib.values.page import Page

INDEX = "outbox.by-status"
CURSOR_KEYS = frozenset({"message_id", "status", "created_at"})


@dataclass(frozen=True)
class MailMessage:
    """A message as staff see it: whom it went to and how it fared, never its secrets."""

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


def list_messages(status: MailStatus, *, limit: int, cursor: str | None) -> Page[MailMessage]:
    start = page_start(cursor, index=INDEX, key_names=CURSOR_KEYS, partition=("status", status.value))
    results = OutboxModel.by_status.query(
        status.value, scan_index_forward=False, limit=limit, last_evaluated_key=start
    )
    items = [summary(message) for message in results]
    last = results.last_evaluated_key
    return Page(items, encode_cursor(INDEX, last) if last else None)


def retry(staff: Principal, message_id: str, *, origin: Origin, now: datetime) -> MailMessage:
    message = retry_by_staff(message_id)
    event = AuditEvent(
        STAFF_TRAIL,
        AuditAction.MAIL_RETRIED,
        Actor(ActorKind.STAFF, staff.user_id),
        origin,
        targets={"message_id": message_id},
        details={"generation": int(message.generation or 0) + 1},
    )
    record_event(event, now=now)
    message.refresh(consistent_read=True)
    return summary(message)


def summary(message: OutboxModel) -> MailMessage:
    return MailMessage(
        message_id=message.message_id,
        kind=message.kind,
        language=message.language,
        to_address=message.to_address,
        to_name=message.to_name,
        status=message.status,
        attempts=int(message.attempts or 0),
        last_error=message.last_error,
        created_at=isoformat(message.created_at),
        sent_at=isoformat(message.sent_at) if message.sent_at else None,
    )
