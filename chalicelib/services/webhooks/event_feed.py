"""Causes and their events: what a change writes in its own transaction, and how the stream expands it into
one event per receipt (chalicelib/models/webhook.py has the design).

A code that is revoked or renewed concerns the receipts of that code's dying value (given since that value
was issued, before the change); an
organisation suspended, rejected or reinstated concerns every receipt of the organisation given before it.
A receipt given after the change is not told of it: it was given knowing (changes are timed to the second,
so a receipt of the same second is told, to be safe).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.expressions.condition import Condition

from chalicelib.clock import Clock, isoformat
from chalicelib.models.code import CodeModel
from chalicelib.models.organisation import OrganisationModel, OrganisationStatus
from chalicelib.models.validation import ReceiptModel
from chalicelib.models.webhook import (
    EVENT_RETENTION,
    DeliveryStatus,
    EndpointStatus,
    EventCauseModel,
    EventType,
    VendorEventModel,
    WebhookModel,
    event_id_for,
    get_cause,
    get_webhook,
    new_cause,
    save_event_once,
)

# Which organisation transitions vendors hear of, by the status moved to (and from, for reinstatement).
ORGANISATION_EVENTS = {
    OrganisationStatus.SUSPENDED.value: EventType.ORGANISATION_SUSPENDED,
    OrganisationStatus.REJECTED.value: EventType.ORGANISATION_REJECTED,
}
REINSTATED_FROM = frozenset({OrganisationStatus.SUSPENDED.value, OrganisationStatus.REJECTED.value})
PAGE = 100


def code_revoked(entry: CodeModel, *, now: datetime, since: datetime) -> tuple[EventCauseModel, Condition]:
    """`since`: when the value now revoked was issued. Receipts of older values were told at its renewal."""
    return new_cause(
        f"{EventType.CODE_REVOKED.value}:{entry.code_id}",
        EventType.CODE_REVOKED,
        org_id=entry.org_id,
        code_id=entry.code_id,
        since=since,
        now=now,
    )


def code_renewed(entry: CodeModel, *, now: datetime, since: datetime) -> tuple[EventCauseModel, Condition]:
    """`since`: when the value now replaced was issued. `entry.renewals` already counts this renewal, so
    each renewal is its own cause."""
    return new_cause(
        f"{EventType.CODE_RENEWED.value}:{entry.code_id}:{int(entry.renewals)}",
        EventType.CODE_RENEWED,
        org_id=entry.org_id,
        code_id=entry.code_id,
        since=since,
        now=now,
    )


def organisation_changed(
    organisation: OrganisationModel, *, to: str, now: datetime
) -> tuple[EventCauseModel, Condition] | None:
    """The cause for a status change vendors hear of, or None. `organisation` is as read before the change;
    its version names the change."""
    event_type = ORGANISATION_EVENTS.get(to)
    if (
        event_type is None
        and to == OrganisationStatus.APPROVED.value
        and organisation.status in REINSTATED_FROM
    ):
        event_type = EventType.ORGANISATION_REINSTATED
    if event_type is None:
        return None
    return new_cause(
        f"{event_type.value}:{organisation.org_id}:{organisation.version}",
        event_type,
        org_id=organisation.org_id,
        organisation={"status": to},
        now=now,
    )


class EventExpander:
    """Turns a cause into one event per receipt it concerns. Safe to run twice, or to resume after a crash:
    every event has an id derived from the cause and the receipt and is written only if new."""

    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    def expand(self, cause_id: str) -> int:
        cause = get_cause(cause_id)
        if cause is None or cause.expanded_when is not None:
            return 0
        hooks: dict[str, WebhookModel | None] = {}
        written = 0
        for receipt in self._receipts(cause):
            if receipt.vendor_id not in hooks:
                hooks[receipt.vendor_id] = get_webhook(receipt.vendor_id)
            if save_event_once(self._event(cause, receipt, hooks[receipt.vendor_id])):
                written += 1
        cause.update(
            actions=[
                EventCauseModel.expanded_at.set(self._clock.now()),
                EventCauseModel.events.add(written),
            ]
        )
        return written

    def _receipts(self, cause: EventCauseModel) -> Any:
        # Changes are timed to the second, receipts finer: a receipt of the same second might be from just
        # after the change, and is told too. Telling once too often is harmless; not telling is not.
        until = cause.occurred_at + timedelta(seconds=1) - timedelta(microseconds=1)
        if cause.code_id:
            # Only the receipts of the value that died: those of older values were told when they died.
            since = cause.since_when or datetime.min.replace(tzinfo=UTC)
            return ReceiptModel.by_code.query(
                cause.code_id, ReceiptModel.validated_at.between(since, until), page_size=PAGE
            )
        return ReceiptModel.by_org.query(cause.org_id, ReceiptModel.validated_at <= until, page_size=PAGE)

    def _event(
        self, cause: EventCauseModel, receipt: ReceiptModel, hook: WebhookModel | None
    ) -> VendorEventModel:
        now = self._clock.now()
        event_id = event_id_for(cause.cause_id, receipt.validation_id)
        organisation: dict[str, Any] = {
            "name": receipt.organisation_name,
            # Receipts from before legal names were kept told the display name as the legal name too.
            "legal_name": receipt.legal_name or receipt.organisation_name,
            "cvr": receipt.primary_cvr,
            "handle": receipt.handle,
        }
        organisation.update(cause.organisation or {})
        if hook is None:
            status = DeliveryStatus.NO_ENDPOINT
        elif hook.status == EndpointStatus.PAUSED.value:
            status = DeliveryStatus.PAUSED
        else:
            status = DeliveryStatus.PENDING
        return VendorEventModel(
            event_id,
            vendor_id=receipt.vendor_id,
            type=cause.type,
            cause_id=cause.cause_id,
            created_at=cause.occurred_at,
            feed_key=f"{now.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{event_id}",
            data={
                "created_at": isoformat(cause.occurred_at),
                "validation_id": receipt.validation_id,
                "validated_at": isoformat(receipt.validated_at),
                "code_id": receipt.code_id,
                "organisation": organisation,
            },
            delivery_status=status.value,
            parked=status.value if status is DeliveryStatus.PAUSED else None,
            generation=0,
            attempts_made=0,
            window_started_at=now,
            attempt_log=[],
            expires_at=now + EVENT_RETENTION,
        )
