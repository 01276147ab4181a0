"""The webhook in the vendor console: a vendor's person (signed in, never with the API key) sets and removes
the endpoint, rotates the secret, sends a test event, reads the last deliveries with their attempts, and
replays a failed one, for their own vendor only. The same services as the key routes
(chalicelib/services/webhooks/endpoints.py), the same URL rules; every change is written together with its
entry in the staff trail, which names the person.

A **test event** (`webhook.test`) is an event like any other: written to `vendor-events`, queued by the
events stream, signed and delivered with the same retries, shown with its attempts. Its body says
`"data": {"test": true}`. It is not in the vendor's feed (`GET /v1/events`): nothing happened to any receipt.
The deliveries list marks it `test`, as it marks an event of test mode (a test key's hosted check's
`check.completed`, `"livemode": false`), which is not in the feed either.
Sending one is limited per vendor (`webhook_tests_per_vendor_per_hour`), as it makes a post to the vendor's
server.

Access patterns (besides those of chalicelib/models/webhook.py)
- the vendor's last deliveries ............... Query vendor-events.by-vendor[vendor_id], descending feed_key
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from chalicelib.clock import Clock, isoformat
from chalicelib.errors import Forbidden, NotFound
from chalicelib.models.audit import (
    STAFF_TRAIL,
    Actor,
    ActorKind,
    AuditAction,
    AuditEvent,
    Origin,
    audit_record,
)
from chalicelib.models.base import transaction
from chalicelib.models.paging import encode_cursor, page_start
from chalicelib.models.user import get_user
from chalicelib.models.vendor import get_vendor
from chalicelib.models.webhook import (
    EVENT_RETENTION,
    PARKED,
    DeliveryStatus,
    EventType,
    VendorEventModel,
    get_event,
    get_webhook,
)
from chalicelib.services.access.authz import Principal
from chalicelib.services.vendors.api_keys import VendorIdentity
from chalicelib.services.webhooks.endpoints import (
    Attempt,
    Endpoint,
    EndpointWithSecret,
    WebhookService,
    describe_attempts,
)
from chalicelib.values.page import Page

# Its own cursor name: the same index as the feed, read the other way, so a feed cursor is refused here.
DELIVERIES_INDEX = "vendor-events.by-vendor.newest"
DELIVERY_KEYS = frozenset({"event_id", "vendor_id", "feed_key"})
# Deliveries that may be replayed: parked, or never sent because there was no endpoint then.
REPLAYABLE = frozenset({s.value for s in PARKED | {DeliveryStatus.NO_ENDPOINT}})


@dataclass(frozen=True)
class DeliveryOrganisation:
    name: str
    cvr: str | None


@dataclass(frozen=True)
class VendorDelivery:
    """One event and its delivery, as the vendor console lists it."""

    id: str
    type: str
    test: bool
    created_at: str | None
    organisation: DeliveryOrganisation | None
    status: str
    attempts: list[Attempt]
    delivered_at: str | None
    replayable: bool


class VendorWebhooks:
    def __init__(self, *, webhooks: WebhookService, clock: Clock, admit_test: Callable[[str], None]) -> None:
        self._webhooks = webhooks
        self._clock = clock
        # Counts a test event against the vendor's limit, or raises TooManyRequests and counts nothing.
        self._admit_test = admit_test

    def show(self, person: Principal) -> Endpoint:
        return self._webhooks.show(self._vendor(person))

    def register(self, person: Principal, url: str, *, origin: Origin) -> EndpointWithSecret:
        vendor = self._vendor(person)
        audit = self._audit(AuditAction.VENDOR_WEBHOOK_SET, person, origin, vendor, url=url)
        return self._webhooks.register(vendor, url, also=audit)

    def remove(self, person: Principal, *, origin: Origin) -> None:
        vendor = self._vendor(person)
        audit = self._audit(AuditAction.VENDOR_WEBHOOK_REMOVED, person, origin, vendor)
        self._webhooks.remove(vendor, also=audit)

    def rotate_secret(self, person: Principal, *, origin: Origin) -> EndpointWithSecret:
        vendor = self._vendor(person)
        audit = self._audit(AuditAction.VENDOR_WEBHOOK_SECRET_ROTATED, person, origin, vendor)
        return self._webhooks.rotate_secret(vendor, also=audit)

    def replay(self, person: Principal, event_id: str, *, origin: Origin) -> VendorDelivery:
        vendor = self._vendor(person)
        audit = self._audit(AuditAction.VENDOR_WEBHOOK_REPLAYED, person, origin, vendor, event_id=event_id)
        self._webhooks.replay(vendor, event_id, also=audit)
        event = get_event(event_id)
        if event is None:  # gone between the replay and this read: its retention ended
            raise NotFound("No such event.")
        return delivery_of(event)

    def send_test(self, person: Principal, *, origin: Origin) -> VendorDelivery:
        """A `webhook.test` event, delivered like any; 404 without an endpoint, 429 beyond the limit."""
        vendor = self._vendor(person)
        if get_webhook(vendor.vendor_id) is None:
            raise NotFound("No webhook endpoint is set; set one before sending a test event.")
        self._admit_test(vendor.vendor_id)
        event = self._test_event(vendor)
        audit = self._audit(
            AuditAction.VENDOR_WEBHOOK_TESTED, person, origin, vendor, event_id=event.event_id
        )
        with transaction() as tx:
            tx.save(event, condition=VendorEventModel.event_id.does_not_exist())
            tx.save(*audit)
        return delivery_of(event)

    def deliveries(self, person: Principal, *, limit: int, cursor: str | None) -> Page[VendorDelivery]:
        """The vendor's events with their deliveries, newest first (test events too)."""
        vendor = self._vendor(person)
        start = page_start(
            cursor, index=DELIVERIES_INDEX, key_names=DELIVERY_KEYS, partition=("vendor_id", vendor.vendor_id)
        )
        results = VendorEventModel.by_vendor.query(
            vendor.vendor_id, scan_index_forward=False, limit=limit, last_evaluated_key=start
        )
        items = [delivery_of(event) for event in results]
        last = results.last_evaluated_key
        return Page(items, encode_cursor(DELIVERIES_INDEX, last) if last else None)

    def _test_event(self, vendor: VendorIdentity) -> VendorEventModel:
        now = self._clock.now()
        event_id = uuid.uuid4().hex
        return VendorEventModel(
            event_id,
            vendor_id=vendor.vendor_id,
            type=EventType.WEBHOOK_TEST.value,
            cause_id=f"{EventType.WEBHOOK_TEST.value}:{event_id}",
            created_at=now,
            feed_key=f"{now.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{event_id}",
            data={"created_at": isoformat(now), "test": True},
            delivery_status=DeliveryStatus.PENDING.value,
            generation=0,
            attempts_made=0,
            window_started_at=now,
            attempt_log=[],
            expires_at=now + EVENT_RETENTION,
        )

    def _vendor(self, person: Principal) -> VendorIdentity:
        if person.vendor_id is None:
            raise Forbidden("This is for a vendor's people, in the vendor console.")
        vendor = get_vendor(person.vendor_id)
        if vendor is None:
            raise NotFound("No such vendor.")
        # The endpoint services take a vendor as a key presents it; the console's person has no key.
        return VendorIdentity(vendor_id=vendor.vendor_id, vendor_name=vendor.name, key_id="")

    def _audit(
        self,
        action: AuditAction,
        person: Principal,
        origin: Origin,
        vendor: VendorIdentity,
        **details: str,
    ) -> Any:
        """The staff trail's entry for the person's change, with their name as it is now."""
        user = get_user(person.user_id)
        event = AuditEvent(
            STAFF_TRAIL,
            action,
            Actor(ActorKind.USER, person.user_id, user.full_name if user is not None else None),
            origin,
            targets={"vendor_id": vendor.vendor_id},
            details=details,
        )
        return audit_record(event, now=self._clock.now())


def is_test(event: VendorEventModel) -> bool:
    """A test event sent from the console, or an event of test mode (a test key's hosted check)."""
    return event.type == EventType.WEBHOOK_TEST.value or bool(event.test_mode)


def delivery_of(event: VendorEventModel) -> VendorDelivery:
    organisation = (event.data or {}).get("organisation")
    return VendorDelivery(
        id=event.event_id,
        type=event.type,
        test=is_test(event),
        created_at=isoformat(event.created_at),
        organisation=(
            DeliveryOrganisation(name=str(organisation.get("name")), cvr=organisation.get("cvr"))
            if isinstance(organisation, dict)
            else None
        ),
        status=event.delivery_status,
        attempts=describe_attempts(event),
        delivered_at=isoformat(event.delivered_at) if event.delivered_at is not None else None,
        replayable=event.delivery_status in REPLAYABLE,
    )
