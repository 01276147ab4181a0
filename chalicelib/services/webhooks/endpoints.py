"""A vendor's webhook endpoint and its events (journey 10): register or replace the endpoint (the signing
secret is answered once), look at it and its delivery health (never the secret), remove it, rotate the
secret (the old one keeps signing for a stated overlap), page the vendor's events in order, look at one
event with its delivery log, and replay a parked delivery. Staff list parked deliveries and replay them.

Storage and the stream design are in chalicelib/models/webhook.py; delivery in
chalicelib/services/webhooks/delivery.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from chalicelib.clock import Clock, isoformat
from chalicelib.errors import Conflict, FieldError, InvalidInput, NotFound
from chalicelib.models.base import failed_conditions, transaction
from chalicelib.models.paging import encode_cursor, page_start
from chalicelib.models.webhook import (
    PARKED,
    DeliveryStatus,
    EndpointStatus,
    EventType,
    VendorEventModel,
    WebhookModel,
    get_event,
    get_webhook,
)
from chalicelib.services.vendors.api_keys import VendorIdentity
from chalicelib.services.webhooks.signatures import new_secret
from chalicelib.services.webhooks.urls import Resolver, UrlRefused, resolve, target_of
from chalicelib.values.page import Page

PARKED_ONLY = {
    "en": "Give failed or paused: only parked deliveries are listed.",
    "da": "Vælg failed eller paused: kun parkerede leverancer vises.",
}

# Test events one feed page passes over at most before it answers with a cursor past them.
PASSED_OVER = 500
FEED_INDEX = "vendor-events.by-vendor"
FEED_KEYS = frozenset({"event_id", "vendor_id", "feed_key"})
PARKED_INDEX = "vendor-events.by-parked"
PARKED_KEYS = frozenset({"event_id", "parked", "created_at"})

# A record written in the same transaction as the change it records (the vendor console's audit entry):
# `(item, condition)`, as `audit_record` answers.
Also = tuple[Model, Condition]


class WebhookService:
    def __init__(
        self,
        *,
        clock: Clock,
        allow_loopback: bool,
        secret_overlap: timedelta,
        feed_settle: timedelta = timedelta(0),
        resolver: Resolver = resolve,
    ) -> None:
        self._clock = clock
        self._settle = feed_settle
        self._allow_loopback = allow_loopback
        self._overlap = secret_overlap
        self._resolver = resolver

    def register(self, vendor: VendorIdentity, url: str, *, also: Also | None = None) -> EndpointWithSecret:
        """Register or replace the endpoint; a fresh secret, answered this once. Resumes a paused endpoint.
        `also` (an audit entry) is written with it, or neither is."""
        self._check(url)
        now = self._clock.now()
        secret = new_secret()
        existing = get_webhook(vendor.vendor_id)
        hook = WebhookModel(
            vendor.vendor_id,
            url=url,
            secret=secret,
            status=EndpointStatus.ACTIVE.value,
            created_at=now,
            secret_created_at=now,
            consecutive_failures=0,
            pauses=int(existing.pauses) if existing is not None else 0,
        )
        if also is None:
            hook.save()
        else:
            with transaction() as tx:
                tx.save(hook)
                tx.save(*also)
        return EndpointWithSecret(**vars(describe_webhook(hook, now)), secret=secret)

    def show(self, vendor: VendorIdentity) -> Endpoint:
        return describe_webhook(self._hook(vendor), self._clock.now())

    def remove(self, vendor: VendorIdentity, *, also: Also | None = None) -> bool:
        """Events keep coming to the feed; nothing more is posted. Removing twice is harmless. With `also`
        (an audit entry), both are written only if there was an endpoint to remove; False if there was
        none."""
        if also is not None:
            if get_webhook(vendor.vendor_id) is None:
                return False
            try:
                with transaction() as tx:
                    tx.delete(WebhookModel(vendor.vendor_id), condition=WebhookModel.vendor_id.exists())
                    tx.save(*also)
            except TransactWriteError as exc:
                if 0 in failed_conditions(exc):
                    return False  # removed meanwhile: that removal, and its entry, stand
                raise
            return True
        try:
            WebhookModel(vendor.vendor_id).delete()
        except DeleteError as error:
            if error.cause_response_code != "ResourceNotFoundException":
                raise
        return True

    def rotate_secret(self, vendor: VendorIdentity, *, also: Also | None = None) -> EndpointWithSecret:
        """A new secret, answered once; the one it replaces keeps signing (a second `v1=`) for the overlap.
        `also` (an audit entry) is written with it, or neither is."""
        hook = self._hook(vendor)
        now = self._clock.now()
        secret = new_secret()
        actions = [
            WebhookModel.previous_secret.set(hook.secret),
            WebhookModel.previous_secret_until.set(now + self._overlap),
            WebhookModel.secret.set(secret),
            WebhookModel.secret_created_at.set(now),
        ]
        changed = Conflict("The endpoint changed meanwhile; look at it again and retry.")
        _update(hook, actions, WebhookModel.secret == hook.secret, also=also, changed=changed)
        if also is not None:
            hook.refresh(consistent_read=True)
        return EndpointWithSecret(**vars(describe_webhook(hook, now)), secret=secret)

    def feed(self, vendor: VendorIdentity, *, limit: int, cursor: str | None) -> Page[FeedEvent]:
        """The vendor's live events, oldest first. Unlike other lists, a page that read anything always has a
        `next_cursor`, also the last one: the vendor keeps it and asks again later for what came since. A
        page may show fewer events than `limit`, even none, and still have one: the cursor moves past the
        test events it passed over, so they are never read again. A page that read nothing has none: the
        vendor keeps the cursor it asked with."""
        start = page_start(
            cursor, index=FEED_INDEX, key_names=FEED_KEYS, partition=("vendor_id", vendor.vendor_id)
        )
        # Only events settled in the index: the index is eventually consistent, and a cursor must never
        # pass an event that shows up later with an earlier place in the feed.
        horizon = (self._clock.now() - self._settle).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        results = VendorEventModel.by_vendor.query(
            vendor.vendor_id,
            VendorEventModel.feed_key < horizon,
            scan_index_forward=True,
            page_size=limit,
            last_evaluated_key=start,
        )
        # Test events share the index with live ones and are left out here rather than by a query filter:
        # a filter drops what it read without moving the cursor past it, so a vendor whose newest events
        # were tests read them again at every poll. Passed over here, they move the cursor with them; a
        # page passes over at most `PASSED_OVER` of them, so one page's cost stays bounded.
        events: list[VendorEventModel] = []
        last: VendorEventModel | None = None
        passed_over = 0
        for event in results:
            last = event
            if is_live(event):
                events.append(event)
                if len(events) == limit:
                    break
            else:
                passed_over += 1
                if passed_over >= PASSED_OVER:
                    break
        after = None
        if last is not None:
            after = {
                "event_id": {"S": last.event_id},
                "vendor_id": {"S": vendor.vendor_id},
                "feed_key": {"S": last.feed_key},
            }
        return Page(
            [feed_item(event) for event in events],
            encode_cursor(FEED_INDEX, after) if after else None,
        )

    def event(self, vendor: VendorIdentity, event_id: str) -> EventDetail:
        return event_detail(self._own_event(vendor, event_id))

    def replay(self, vendor: VendorIdentity, event_id: str, *, also: Also | None = None) -> EventDetail:
        event = self._own_event(vendor, event_id)
        if get_webhook(vendor.vendor_id) is None:
            raise Conflict("There is no webhook endpoint to deliver to; register one with PUT /v1/webhook.")
        return event_detail(replay(event, now=self._clock.now(), also=also))

    def _own_event(self, vendor: VendorIdentity, event_id: str) -> VendorEventModel:
        event = get_event(event_id)
        if event is None or event.vendor_id != vendor.vendor_id:
            raise NotFound("No such event.")
        return event

    def _hook(self, vendor: VendorIdentity) -> WebhookModel:
        hook = get_webhook(vendor.vendor_id)
        if hook is None:
            raise NotFound("No webhook endpoint is registered; register one with PUT /v1/webhook.")
        return hook

    def _check(self, url: str) -> None:
        try:
            target_of(url, allow_loopback=self._allow_loopback, resolver=self._resolver)
        except UrlRefused as exc:
            raise InvalidInput(
                "Some fields are missing or invalid.",
                errors=[
                    FieldError(
                        "url",
                        f"Not allowed: {exc}.",
                        translations={
                            "en": f"Not allowed: {exc}.",
                            "da": f"Brug en anden adresse: {exc.danish}.",
                        },
                    )
                ],
            ) from exc


class StaffDeliveries:
    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    def parked(self, status: str, *, limit: int, cursor: str | None) -> Page[ParkedDelivery]:
        """The deliveries parked as `status` ('failed' or 'paused'), newest first."""
        if status not in PARKED:
            raise InvalidInput(
                "Some query parameters are missing or invalid.",
                errors=[FieldError("status", PARKED_ONLY["en"], translations=PARKED_ONLY)],
            )
        parked = DeliveryStatus(status)
        start = page_start(
            cursor, index=PARKED_INDEX, key_names=PARKED_KEYS, partition=("parked", parked.value)
        )
        results = VendorEventModel.by_parked.query(
            parked.value, scan_index_forward=False, limit=limit, last_evaluated_key=start
        )
        items = [parked_delivery(event) for event in results]
        last = results.last_evaluated_key
        return Page(items, encode_cursor(PARKED_INDEX, last) if last else None)

    def replay(self, event_id: str) -> ParkedDelivery:
        event = get_event(event_id)
        if event is None:
            raise NotFound("No such event.")
        return parked_delivery(replay(event, now=self._clock.now()))


def replay(event: VendorEventModel, *, now: datetime, also: Also | None = None) -> VendorEventModel:
    """Deliver a parked event again, as a new generation with a new retry window. The events stream sees
    the change and queues the first attempt. A replay also resumes a paused endpoint: whoever replays says
    it is fixed."""
    if event.delivery_status not in {s.value for s in PARKED | {DeliveryStatus.NO_ENDPOINT}}:
        raise Conflict(
            f"Only a parked delivery can be replayed; this one is {event.delivery_status}. "
            "Delivered events are in GET /v1/events."
        )
    hook = get_webhook(event.vendor_id)
    if hook is None:
        raise Conflict("The vendor has no webhook endpoint to deliver to.")
    resume = [WebhookModel.status.set(EndpointStatus.ACTIVE.value), WebhookModel.consecutive_failures.set(0)]
    paused = WebhookModel.status == EndpointStatus.PAUSED.value
    together: Also | _Together | None = also
    if hook.status == EndpointStatus.PAUSED.value and also is not None:
        # Resumed in the same transaction as the replay and its audit entry: all of it, or none.
        together = _Together(also, hook, resume, paused)
    elif hook.status == EndpointStatus.PAUSED.value:
        try:
            hook.update(actions=list(resume), condition=paused)
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
    actions = [
        VendorEventModel.delivery_status.set(DeliveryStatus.PENDING.value),
        VendorEventModel.parked.remove(),
        VendorEventModel.generation.add(1),
        VendorEventModel.attempts_made.set(0),
        VendorEventModel.open_attempt.remove(),
        VendorEventModel.lease_until.remove(),
        VendorEventModel.window_started_at.set(now),
    ]
    unchanged = VendorEventModel.delivery_status == event.delivery_status
    changed = Conflict("The delivery changed while it was being replayed; look again.")
    _update(event, actions, unchanged, also=together, changed=changed)
    event.refresh(consistent_read=True)
    return event


@dataclass(frozen=True)
class _Together:
    """An audit entry, and another item's update, to commit with a change."""

    record: Also
    item: Model
    actions: Sequence[Action]
    condition: Condition


def _update(
    item: Model,
    actions: Sequence[Action],
    condition: Condition,
    *,
    also: Also | _Together | None,
    changed: Conflict,
) -> None:
    """A conditional update, with `also` in the same transaction if given; `changed` when the condition
    failed."""
    try:
        if also is None:
            item.update(actions=list(actions), condition=condition)
            return
        with transaction() as tx:
            tx.update(item, actions=list(actions), condition=condition)
            if isinstance(also, _Together):
                tx.save(*also.record)
                tx.update(also.item, actions=list(also.actions), condition=also.condition)
            else:
                tx.save(*also)
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise changed from exc
        raise
    except TransactWriteError as exc:
        if failed_conditions(exc):  # the item changed, or the endpoint was resumed meanwhile
            raise changed from exc
        raise


@dataclass(frozen=True)
class EndpointHealth:
    consecutive_failures: int
    last_success_at: str | None
    last_failure_at: str | None
    last_error: str | None
    paused_at: str | None


@dataclass(frozen=True)
class Endpoint:
    url: str
    status: str
    created_at: str
    secret_created_at: str
    previous_secret_valid_until: str | None
    health: EndpointHealth


@dataclass(frozen=True)
class EndpointWithSecret(Endpoint):
    # Answered once, when it is made.
    secret: str


@dataclass(frozen=True)
class FeedDelivery:
    status: str


@dataclass(frozen=True)
class Attempt:
    generation: int
    attempt: int
    at: str | None
    status_code: int | None
    error: str | None


@dataclass(frozen=True)
class DeliveryLog:
    status: str
    attempts: list[Attempt]
    delivered_at: str | None


@dataclass(frozen=True)
class FeedEvent:
    """An event of the feed. `data` is what the vendor is sent, as it was told (see `_told`)."""

    id: str
    type: str
    created_at: str | None
    data: dict[str, Any]
    delivery: FeedDelivery


@dataclass(frozen=True)
class EventDetail:
    id: str
    type: str
    created_at: str | None
    data: dict[str, Any]
    delivery: DeliveryLog


@dataclass(frozen=True)
class ParkedDelivery(EventDetail):
    vendor_id: str


def describe_webhook(hook: WebhookModel, now: datetime) -> Endpoint:
    until = cast("datetime | None", hook.previous_secret_until)
    overlap = hook.previous_secret is not None and until is not None and now < until
    return Endpoint(
        url=hook.url,
        status=hook.status,
        created_at=isoformat(hook.created_at),
        secret_created_at=isoformat(hook.secret_created_at),
        previous_secret_valid_until=isoformat(until) if overlap and until is not None else None,
        health=EndpointHealth(
            consecutive_failures=int(hook.consecutive_failures or 0),
            last_success_at=_time(hook.last_success_at),
            last_failure_at=_time(hook.last_failure_at),
            last_error=hook.last_error,
            paused_at=_time(hook.paused_at) if hook.status == EndpointStatus.PAUSED.value else None,
        ),
    )


def is_live(event: VendorEventModel) -> bool:
    """Whether the feed tells an event. Test events are the vendor console's
    (chalicelib/services/webhooks/console.py): nothing happened to a receipt. Events of test mode (a test
    key's hosted check) are the vendor's tries, not its business: both are delivered and listed in the
    console, never told in the feed."""
    return event.type != EventType.WEBHOOK_TEST.value and not event.test_mode


def feed_item(event: VendorEventModel) -> FeedEvent:
    return FeedEvent(**_told(event), delivery=FeedDelivery(status=event.delivery_status))


def event_detail(event: VendorEventModel) -> EventDetail:
    return EventDetail(**_told(event), delivery=_delivery_log(event))


def parked_delivery(event: VendorEventModel) -> ParkedDelivery:
    return ParkedDelivery(**_told(event), delivery=_delivery_log(event), vendor_id=event.vendor_id)


def _delivery_log(event: VendorEventModel) -> DeliveryLog:
    return DeliveryLog(
        status=event.delivery_status,
        attempts=describe_attempts(event),
        delivered_at=_time(event.delivered_at),
    )


def describe_attempts(event: VendorEventModel) -> list[Attempt]:
    return [
        Attempt(
            generation=int(entry.get("generation", 0)),
            attempt=int(entry.get("attempt", 0)),
            at=entry.get("at"),
            status_code=entry.get("status_code"),
            error=entry.get("error"),
        )
        for entry in (event.attempt_log or [])
    ]


def _told(event: VendorEventModel) -> dict[str, Any]:
    """The event as the feed and the delivery log show it. Events written before the register's name was
    told (they live 90 days) carry the display name as the legal name, as the receipts of that time do."""
    body = event.body()
    organisation = body["data"].get("organisation")
    if isinstance(organisation, dict) and "legal_name" not in organisation:
        body["data"]["organisation"] = {**organisation, "legal_name": organisation.get("name")}
    return body


def _time(at: Any) -> str | None:
    return isoformat(at) if at is not None else None
