"""What vendors are told when an approval they gave stops being true: their webhook endpoint, the causes
(a code revoked or renewed, an organisation suspended, rejected or reinstated) and the events each cause
makes for every vendor holding a receipt of it, with the delivery of each event to the vendor's endpoint.

A **cause** (`event-causes`) is written in the same transaction as the change itself, like a mail's outbox
item, so the vendors hear of a change if and only if it committed. One item per cause, however many
receipts it concerns: an organisation with thousands of receipts would not fit DynamoDB's 100 items per
transaction. The table's stream (keys only) expands it into one **event** per receipt (`vendor-events`),
each with an id derived from the cause and the receipt, written only if it does not exist yet, so an
expansion run twice writes every event once. The events table's stream (keys only) puts each new delivery
on the `webhook-deliveries` queue, whose consumer posts it to the endpoint.

An **endpoint** (`webhooks`, one per vendor) holds the URL and the signing secret. The secret must sign, so
it is stored as it is (not hashed), in an attribute of its own, on a table without a stream; it is never
logged and never shown again after the answer that created it. After a rotation the previous secret is
kept, with when it stops signing.

Access patterns
- a vendor's endpoint ........................ GetItem webhooks[vendor_id], consistent
- a cause by id (its stream record) .......... GetItem event-causes[cause_id], consistent
- an event by id (stream, queue, vendor) ..... GetItem vendor-events[event_id], consistent
- a vendor's events, in order ................ Query vendor-events.by-vendor[vendor_id], ascending feed_key
- parked deliveries (staff) .................. Query vendor-events.by-parked[parked], newest first; sparse:
                                               only parked events carry `parked`
- receipts of a code (expanding a cause) ..... Query validations.by-code[code_id] (models/validation.py)
- receipts of an organisation ................ Query validations.by-org[org_id]
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import PutError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name

# Events stay in the feed (and their delivery logs visible) this long; causes only until expanded.
EVENT_RETENTION = timedelta(days=90)
CAUSE_RETENTION = timedelta(days=30)


class EventType(StrEnum):
    CODE_REVOKED = "code.revoked"
    CODE_RENEWED = "code.renewed"
    ORGANISATION_SUSPENDED = "organisation.suspended"
    ORGANISATION_REJECTED = "organisation.rejected"
    ORGANISATION_REINSTATED = "organisation.reinstated"
    # Sent from the vendor console to try an endpoint (chalicelib/services/webhooks/console.py); never in
    # the feed.
    WEBHOOK_TEST = "webhook.test"
    # A hosted check the vendor made was completed with a valid code (its receipt); no cause, one event.
    CHECK_COMPLETED = "check.completed"


class EndpointStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # deliveries kept failing for the whole retry window; a replay or a new PUT resumes


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # on its way, or waiting for the next attempt
    DELIVERED = "delivered"  # the endpoint answered 2xx
    FAILED = "failed"  # parked: every attempt in the retry window failed
    PAUSED = "paused"  # parked: the endpoint was paused, so it was not sent
    NO_ENDPOINT = "no_endpoint"  # the vendor had no endpoint: the event is in the feed only


PARKED = frozenset({DeliveryStatus.FAILED, DeliveryStatus.PAUSED})


class WebhookModel(Model):
    class Meta:
        table_name = table_name("webhooks")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    vendor_id = UnicodeAttribute(hash_key=True)
    url = UnicodeAttribute()
    # The signing secret, as it is: it has to sign. Its own attribute, so nothing copies it by accident.
    secret = UnicodeAttribute()
    previous_secret = UnicodeAttribute(null=True)
    previous_secret_until = UTCDateTimeAttribute(null=True)
    status = UnicodeAttribute(default=EndpointStatus.ACTIVE.value)
    created_at = UTCDateTimeAttribute()
    secret_created_at = UTCDateTimeAttribute()
    consecutive_failures = NumberAttribute(default=0)
    last_success_at = UTCDateTimeAttribute(null=True)
    last_failure_at = UTCDateTimeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    paused_at = UTCDateTimeAttribute(null=True)
    pauses = NumberAttribute(default=0)
    # No version attribute: every delivery updates the health fields, and they must not conflict with one
    # another. The few writes that must not race (a rotation, a pause) carry their own conditions.

    def signing_secrets(self, now: datetime) -> list[str]:
        """The current secret, and during the overlap after a rotation the previous one too."""
        until = cast("datetime | None", self.previous_secret_until)
        if self.previous_secret and until is not None and now < until:
            return [self.secret, self.previous_secret]
        return [self.secret]


class EventCauseModel(Model):
    """One change vendors must hear of; expanded into events by the stream. See the module docstring."""

    class Meta:
        table_name = table_name("event-causes")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE
        stream_view_type = "KEYS_ONLY"

    cause_id = UnicodeAttribute(hash_key=True)
    type = UnicodeAttribute()
    org_id = UnicodeAttribute()
    # Set for code events: only this code's receipts are concerned, and only those given since the value
    # that died was issued.
    code_id = UnicodeAttribute(null=True)
    since = UTCDateTimeAttribute(null=True)
    # The organisation as it is after the change (name, cvr, handle, status), for organisation events.
    organisation = JSONAttribute(default=dict)
    occurred_at = UTCDateTimeAttribute()
    expanded_at = UTCDateTimeAttribute(null=True)

    @property
    def since_when(self) -> datetime | None:
        return cast("datetime | None", self.since)

    @property
    def expanded_when(self) -> datetime | None:
        # PynamoDB types a nullable attribute as never None.
        return cast("datetime | None", self.expanded_at)

    events = NumberAttribute(default=0)
    expires_at = TTLAttribute()


class EventsByVendor(GlobalSecondaryIndex["VendorEventModel"]):
    class Meta:
        index_name = "by-vendor"
        projection = AllProjection()

    vendor_id = UnicodeAttribute(hash_key=True)
    feed_key = UnicodeAttribute(range_key=True)


class ParkedEvents(GlobalSecondaryIndex["VendorEventModel"]):
    class Meta:
        index_name = "by-parked"
        projection = AllProjection()

    parked = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class VendorEventModel(Model):
    """One event for one vendor (one receipt), with its delivery to the vendor's endpoint."""

    class Meta:
        table_name = table_name("vendor-events")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE
        stream_view_type = "KEYS_ONLY"

    event_id = UnicodeAttribute(hash_key=True)
    vendor_id = UnicodeAttribute()
    type = UnicodeAttribute()
    cause_id = UnicodeAttribute()
    # When the change happened (the body's `created_at`).
    created_at = UTCDateTimeAttribute()
    # The feed's order: when the event was written, then its id. A feed read up to a cursor never has an
    # older event slipped in before the cursor later.
    feed_key = UnicodeAttribute()
    data = JSONAttribute()
    delivery_status = UnicodeAttribute(default=DeliveryStatus.PENDING.value)
    # Only while parked (failed or paused): the sparse index staff list parked deliveries by.
    parked = UnicodeAttribute(null=True)
    # A replay starts a new generation: a new retry window, attempts counted from one again.
    generation = NumberAttribute(default=0)
    attempts_made = NumberAttribute(default=0)
    # The attempt under way (claimed, result not yet recorded) and until when the claim holds.
    open_attempt = NumberAttribute(null=True)
    lease_until = UTCDateTimeAttribute(null=True)
    window_started_at = UTCDateTimeAttribute(null=True)
    # Every attempt of every generation: {"generation", "attempt", "at", "status_code", "error"}.
    attempt_log = JSONAttribute(default=list)
    delivered_at = UTCDateTimeAttribute(null=True)
    # Only on an event of test mode (a test key's hosted check, `"livemode": false` in its data): delivered
    # like any, kept out of the live feed. Absent on every live event: the feed passes over events that have
    # it (chalicelib/services/webhooks/endpoints.py, `is_live`).
    test_mode = BooleanAttribute(null=True)
    expires_at = TTLAttribute()
    version = VersionAttribute()

    by_vendor = EventsByVendor()
    by_parked = ParkedEvents()

    def body(self) -> dict[str, Any]:
        """What the vendor is sent, and what the feed shows: nothing secret (no code values)."""
        return {
            "id": self.event_id,
            "type": self.type,
            "created_at": self.data.get("created_at"),
            "data": {k: v for k, v in self.data.items() if k != "created_at"},
        }


def event_id_for(cause_id: str, validation_id: str) -> str:
    """The same cause and receipt always make the same event: an expansion run twice writes it once."""
    return hashlib.sha256(f"{cause_id}|{validation_id}".encode()).hexdigest()[:32]


def new_cause(
    cause_id: str,
    event_type: EventType,
    *,
    org_id: str,
    now: datetime,
    code_id: str | None = None,
    since: datetime | None = None,
    organisation: dict[str, Any] | None = None,
) -> tuple[EventCauseModel, Condition]:
    """A cause and the condition to save it under, in the cause's own transaction:
    `tx.save(*new_cause(...))`. Derive `cause_id` from the change, so the same change written twice fails
    instead of telling twice."""
    cause = EventCauseModel(
        cause_id,
        type=event_type.value,
        org_id=org_id,
        code_id=code_id,
        since=since,
        organisation=organisation or {},
        occurred_at=now,
        expires_at=now + CAUSE_RETENTION,
    )
    return cause, EventCauseModel.cause_id.does_not_exist()


def get_cause(cause_id: str) -> EventCauseModel | None:
    try:
        return EventCauseModel.get(cause_id, consistent_read=True)
    except EventCauseModel.DoesNotExist:
        return None


def get_event(event_id: str) -> VendorEventModel | None:
    if not event_id or len(event_id) > 64:
        return None
    try:
        return VendorEventModel.get(event_id, consistent_read=True)
    except VendorEventModel.DoesNotExist:
        return None


def save_event_once(event: VendorEventModel) -> bool:
    """Write a new event; False when it exists already (the expansion ran before)."""
    try:
        event.save(condition=VendorEventModel.event_id.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def get_webhook(vendor_id: str) -> WebhookModel | None:
    try:
        return WebhookModel.get(vendor_id, consistent_read=True)
    except WebhookModel.DoesNotExist:
        return None
