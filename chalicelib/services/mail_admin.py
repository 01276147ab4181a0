"""What staff see of the mail pipeline: messages by status, without their secrets."""

from __future__ import annotations

from typing import Any

from chalicelib.clock import isoformat
from chalicelib.models.outbox import MailStatus, OutboxModel
from chalicelib.services.mail_delivery import retry_by_staff

CURSOR_KEYS = frozenset({"message_id", "status", "created_at"})


def list_messages(
    status: MailStatus, *, limit: int, start: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    results = OutboxModel.by_status.query(
        status.value, scan_index_forward=False, limit=limit, last_evaluated_key=start
    )
    items = [summary(message) for message in results]
    return items, results.last_evaluated_key


def retry(message_id: str) -> dict[str, Any]:
    message = retry_by_staff(message_id)
    message.refresh(consistent_read=True)
    return summary(message)


def summary(message: OutboxModel) -> dict[str, Any]:
    return {
        "message_id": message.message_id,
        "kind": message.kind,
        "language": message.language,
        "to_address": message.to_address,
        "to_name": message.to_name,
        "status": message.status,
        "attempts": int(message.attempts or 0),
        "last_error": message.last_error,
        "created_at": isoformat(message.created_at),
        "sent_at": isoformat(message.sent_at) if message.sent_at else None,
    }
