"""Delivering events to vendors' endpoints with the guarantees mail has.

- **Once per endpoint.** Each attempt is claimed first by a conditional write on the event (the attempt
  number, the generation, nobody else's attempt open), so a queue message or stream record delivered twice
  makes no second post. The event id goes along as `Godkend-Event-Id`, for a vendor to drop the rare
  duplicate a crash between posting and recording can cause.
- **Retried with backoff for 24 hours.** A failed attempt (no 2xx, a timeout, a refused address) is tried
  again after 30 s, 2 min, 8 min, 32 min, then four times longer each time up to 4 hours, until the retry
  window (24 hours from the first attempt) is over; then the delivery is **parked** as `failed`. Each
  attempt is a message on the `webhook-deliveries` queue, delayed until it is due (SQS delays by at most
  15 minutes, so a later one hops through the queue until its time).
- **Endpoints that keep failing are paused**: a parked delivery pauses the endpoint, and its contact is
  mailed (in the same transaction as the pause). Deliveries meanwhile are parked as `paused`; a replay
  resumes the endpoint.
- **Checked on every attempt**: the URL is resolved and every address checked before connecting, and the
  connection goes to the address checked (chalicelib/services/webhooks/urls.py).

Every attempt is logged on the event (when, status code or error), for the vendor and for staff; the log
keeps the latest `ATTEMPT_LOG_LIMIT`, written under the attempt's claim (a conditional write).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Protocol, cast

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action

from chalicelib.adapters.webhook_http import PostResult
from chalicelib.clock import Clock, isoformat
from chalicelib.log import logger
from chalicelib.models.base import transaction
from chalicelib.models.outbox import MailKind, Recipient, outgoing
from chalicelib.models.vendor import get_vendor
from chalicelib.models.webhook import (
    DeliveryStatus,
    EndpointStatus,
    VendorEventModel,
    WebhookModel,
    get_event,
    get_webhook,
)
from chalicelib.services.webhooks.signatures import HEADER, signature_header
from chalicelib.services.webhooks.urls import Resolver, Target, UrlRefused, resolve, target_of

SQS_MAX_DELAY_SECONDS = 900
# The most attempts an event's log keeps, the latest: one generation makes about a dozen in its 24 hours, but
# replays add generations without end, and the log lives in the event's item (at most 400 KB).
ATTEMPT_LOG_LIMIT = 50
USER_AGENT = "Godkend-Webhooks/1"


class Poster(Protocol):
    def post(self, target: Target, body: bytes, headers: dict[str, str]) -> PostResult: ...


class DeliveryQueue(Protocol):
    def send(self, body: str, delay_seconds: int) -> None: ...


@dataclass(frozen=True)
class Job:
    """One attempt to make: which event, which generation of its delivery, which attempt, from when."""

    event_id: str
    generation: int
    attempt: int
    due_at: int = 0  # seconds since the epoch; 0: at once

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, body: str) -> Job | None:
        try:
            data = json.loads(body)
            return cls(
                str(data["event_id"]), int(data["generation"]), int(data["attempt"]), int(data["due_at"])
            )
        except (ValueError, TypeError, KeyError):
            return None


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: int = 30
    max_seconds: int = 4 * 3600
    window: timedelta = timedelta(hours=24)

    def delay_after(self, attempt: int) -> int:
        """The wait after the `attempt`-th failed attempt: 30 s, 2 min, 8 min, ... at most max_seconds."""
        return int(min(self.base_seconds * 4 ** (attempt - 1), self.max_seconds))


class WebhookDelivery:
    def __init__(
        self,
        *,
        poster: Poster,
        queue: DeliveryQueue,
        clock: Clock,
        allow_loopback: bool,
        policy: RetryPolicy,
        timeout_seconds: float,
        resolver: Resolver = resolve,
    ) -> None:
        self._poster = poster
        self._queue = queue
        self._clock = clock
        self._allow_loopback = allow_loopback
        self._policy = policy
        self._resolver = resolver
        # A claim outlives one attempt's timeouts (connect and read) with room to record the result.
        self._lease = timedelta(seconds=2 * timeout_seconds + 10)

    def queue_first_attempts(self, event_ids: Iterable[str]) -> int:
        """From the events stream: an event waiting for its first attempt (new, or replayed) goes on the
        queue. Any other change of an event (an attempt recorded) is not a reason to send."""
        queued = 0
        for event_id in event_ids:
            event = get_event(event_id)
            if event is None or event.delivery_status != DeliveryStatus.PENDING.value:
                continue
            if int(event.attempts_made) != 0:
                continue
            self._queue.send(Job(event_id, int(event.generation), 1).to_json(), 0)
            queued += 1
        return queued

    def run(self, job: Job) -> str:
        """Make one attempt, or find there is nothing to do; answers what happened, for the log."""
        now = self._clock.now()
        wait = job.due_at - int(now.timestamp())
        if wait > 0:
            self._queue.send(job.to_json(), min(wait, SQS_MAX_DELAY_SECONDS))
            return "not yet due"
        event = get_event(job.event_id)
        if event is None:
            return "no such event"
        if event.delivery_status != DeliveryStatus.PENDING.value or int(event.generation) != job.generation:
            return f"nothing to do: {event.delivery_status}"
        hook = get_webhook(event.vendor_id)
        if hook is None:
            self._settle(event, job, DeliveryStatus.NO_ENDPOINT, now)
            return "no endpoint"
        if hook.status == EndpointStatus.PAUSED.value:
            self._settle(event, job, DeliveryStatus.PAUSED, now)
            return "endpoint paused"
        if now >= self._deadline(event, now):
            self._park(event, job, hook, now, "the retry window ended")
            return "parked"
        if not self._claim(event, job, now):
            return "claimed by another delivery"
        result = self._post(event, hook, now)
        self._record(event, job, hook, result)
        return "delivered" if result.ok else f"failed: {_describe(result)}"

    def _post(self, event: VendorEventModel, hook: WebhookModel, now: datetime) -> PostResult:
        body = json.dumps(event.body(), separators=(",", ":"), sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            HEADER: signature_header(body, int(now.timestamp()), hook.signing_secrets(now)),
            "Godkend-Event-Id": event.event_id,
            "Godkend-Event-Type": event.type,
        }
        try:
            target = target_of(hook.url, allow_loopback=self._allow_loopback, resolver=self._resolver)
        except UrlRefused as exc:
            return PostResult(status_code=None, error=f"not sent: {exc}")
        return self._poster.post(target, body, headers)

    def _claim(self, event: VendorEventModel, job: Job, now: datetime) -> bool:
        fresh = (
            VendorEventModel.attempts_made == job.attempt - 1
        ) & VendorEventModel.open_attempt.does_not_exist()
        # The same attempt again, after whoever claimed it crashed before recording its result.
        abandoned = (
            (VendorEventModel.attempts_made == job.attempt)
            & (VendorEventModel.open_attempt == job.attempt)
            & (VendorEventModel.lease_until < now)
        )
        try:
            event.update(
                actions=[
                    VendorEventModel.attempts_made.set(job.attempt),
                    VendorEventModel.open_attempt.set(job.attempt),
                    VendorEventModel.lease_until.set(now + self._lease),
                ],
                condition=(VendorEventModel.generation == job.generation)
                & (VendorEventModel.delivery_status == DeliveryStatus.PENDING.value)
                & (fresh | abandoned),
            )
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _record(self, event: VendorEventModel, job: Job, hook: WebhookModel, result: PostResult) -> None:
        now = self._clock.now()
        log = [*(event.attempt_log or []), _entry(job, now, result)][-ATTEMPT_LOG_LIMIT:]
        if result.ok:
            event.update(
                actions=[
                    VendorEventModel.delivery_status.set(DeliveryStatus.DELIVERED.value),
                    VendorEventModel.delivered_at.set(now),
                    VendorEventModel.attempt_log.set(log),
                    VendorEventModel.open_attempt.remove(),
                    VendorEventModel.lease_until.remove(),
                ],
                condition=VendorEventModel.open_attempt == job.attempt,
            )
            _health(hook, now, None)
            return
        _health(hook, now, _describe(result))
        due = now + timedelta(seconds=self._policy.delay_after(job.attempt))
        if due >= self._deadline(event, now):
            event.attempt_log = log
            self._park(event, job, hook, now, _describe(result), log=log)
            return
        event.update(
            actions=[
                VendorEventModel.attempt_log.set(log),
                VendorEventModel.open_attempt.remove(),
                VendorEventModel.lease_until.remove(),
            ],
            condition=VendorEventModel.open_attempt == job.attempt,
        )
        wait = int((due - now).total_seconds())
        self._queue.send(
            Job(event.event_id, job.generation, job.attempt + 1, int(due.timestamp())).to_json(),
            min(wait, SQS_MAX_DELAY_SECONDS),
        )

    def _deadline(self, event: VendorEventModel, now: datetime) -> datetime:
        started = cast("datetime | None", event.window_started_at) or now
        return started + self._policy.window

    def _settle(self, event: VendorEventModel, job: Job, status: DeliveryStatus, now: datetime) -> None:
        """Not sent, and not to be tried again by itself: no endpoint, or a paused one."""
        actions: list[Action] = [
            VendorEventModel.delivery_status.set(status.value),
            VendorEventModel.open_attempt.remove(),
            VendorEventModel.lease_until.remove(),
        ]
        actions.append(
            VendorEventModel.parked.set(status.value)
            if status is DeliveryStatus.PAUSED
            else VendorEventModel.parked.remove()
        )
        try:
            event.update(
                actions=actions,
                condition=(VendorEventModel.generation == job.generation)
                & (VendorEventModel.delivery_status == DeliveryStatus.PENDING.value),
            )
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise

    def _park(
        self,
        event: VendorEventModel,
        job: Job,
        hook: WebhookModel,
        now: datetime,
        error: str,
        *,
        log: list[dict[str, object]] | None = None,
    ) -> None:
        actions: list[Action] = [
            VendorEventModel.delivery_status.set(DeliveryStatus.FAILED.value),
            VendorEventModel.parked.set(DeliveryStatus.FAILED.value),
            VendorEventModel.open_attempt.remove(),
            VendorEventModel.lease_until.remove(),
        ]
        if log is not None:
            actions.append(VendorEventModel.attempt_log.set(log))
        try:
            event.update(
                actions=actions,
                condition=(VendorEventModel.generation == job.generation)
                & (VendorEventModel.delivery_status == DeliveryStatus.PENDING.value),
            )
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return
            raise
        logger.warning(
            "webhook delivery parked", extra={"event_id": event.event_id, "vendor_id": event.vendor_id}
        )
        pause(hook, now=now, last_error=error)


def pause(hook: WebhookModel, *, now: datetime, last_error: str) -> bool:
    """Pause an active endpoint and mail the vendor's contact, together; False if it was paused already."""
    vendor = get_vendor(hook.vendor_id)
    pauses = int(hook.pauses or 0) + 1
    try:
        with transaction() as tx:
            tx.update(
                hook,
                actions=[
                    WebhookModel.status.set(EndpointStatus.PAUSED.value),
                    WebhookModel.paused_at.set(now),
                    WebhookModel.pauses.set(pauses),
                ],
                condition=(WebhookModel.status == EndpointStatus.ACTIVE.value)
                & (WebhookModel.url == hook.url),
            )
            if vendor is not None:
                tx.save(
                    *outgoing(
                        MailKind.WEBHOOK_PAUSED,
                        to=Recipient(address=vendor.contact_email, name=vendor.name),
                        language="da",
                        context={"url": hook.url, "last_error": last_error},
                        now=now,
                        message_id=f"{MailKind.WEBHOOK_PAUSED.value}:{hook.vendor_id}:{pauses}",
                    )
                )
    except TransactWriteError:
        return False  # paused (or replaced) meanwhile: that pause, and its mail, stand
    return True


def _health(hook: WebhookModel, now: datetime, error: str | None) -> None:
    """The endpoint's delivery health, shown by GET /v1/webhook. Best effort: a lost update is harmless."""
    actions: list[Action]
    if error is None:
        actions = [
            WebhookModel.consecutive_failures.set(0),
            WebhookModel.last_success_at.set(now),
        ]
    else:
        actions = [
            WebhookModel.consecutive_failures.add(1),
            WebhookModel.last_failure_at.set(now),
            WebhookModel.last_error.set(error),
        ]
    try:
        hook.update(actions=actions, condition=WebhookModel.vendor_id.exists())
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def _entry(job: Job, at: datetime, result: PostResult) -> dict[str, object]:
    return {
        "generation": job.generation,
        "attempt": job.attempt,
        "at": isoformat(at),
        "status_code": result.status_code,
        "error": None if result.ok else _describe(result),
    }


def _describe(result: PostResult) -> str:
    if result.error:
        return result.error
    return f"HTTP {result.status_code}"
