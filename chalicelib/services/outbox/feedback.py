"""SES's bounce and complaint notifications: the address goes on the suppression list, and the message the
notification is about says what happened to it."""

from __future__ import annotations

import binascii
import json
from typing import Any

from chalicelib.adapters.ses import message_id_from_tag
from chalicelib.clock import Clock
from chalicelib.log import logger
from chalicelib.models.outbox import MailStatus, OutboxModel, get_message
from chalicelib.services.outbox.delivery import suppress


def apply_feedback(raw_notification: str, *, clock: Clock) -> list[str]:
    """Answers the addresses suppressed. Anything unreadable is logged and ignored: SNS redelivering it would
    not make it readable."""
    try:
        notification = json.loads(raw_notification)
    except ValueError:
        logger.warning("SES notification is not JSON; ignored")
        return []
    if not isinstance(notification, dict):
        return []
    kind = notification.get("notificationType") or notification.get("eventType")
    message_id = _our_message_id(notification.get("mail"))
    if kind == "Bounce":
        bounce = notification.get("bounce") or {}
        if bounce.get("bounceType") != "Permanent":
            return []  # a full mailbox or a greylisting server: the next mail may well arrive
        addresses = _addresses(bounce.get("bouncedRecipients"))
        reason, status = "bounce", MailStatus.BOUNCED
    elif kind == "Complaint":
        addresses = _addresses((notification.get("complaint") or {}).get("complainedRecipients"))
        reason, status = "complaint", MailStatus.COMPLAINED
    else:
        return []
    for address in addresses:
        suppress(address, reason=reason, detail=f"SES {kind}", message_id=message_id, clock=clock)
    if message_id is not None and addresses:
        _mark(message_id, status, f"the recipient's server reported a {reason}")
    return addresses


def _addresses(recipients: Any) -> list[str]:
    if not isinstance(recipients, list):
        return []
    found = []
    for recipient in recipients:
        address = recipient.get("emailAddress") if isinstance(recipient, dict) else None
        if isinstance(address, str) and "@" in address:
            found.append(address.strip().lower())
    return found


def _our_message_id(mail: Any) -> str | None:
    tags = mail.get("tags") if isinstance(mail, dict) else None
    values = tags.get("message_id") if isinstance(tags, dict) else None
    if not isinstance(values, list) or not values or not isinstance(values[0], str):
        return None
    try:
        return message_id_from_tag(values[0])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def _mark(message_id: str, status: MailStatus, reason: str) -> None:
    message = get_message(message_id)
    if message is not None:
        message.update(actions=[OutboxModel.status.set(status.value), OutboxModel.last_error.set(reason)])
