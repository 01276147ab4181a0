"""Delivers outbox messages: exactly once each, retried when SES fails, parked when it keeps failing, never
sent to a suppressed address.

A message is delivered when the outbox stream shows it queued (inserted, or put back by a staff retry, which
starts a new generation), and again from the retry queue after a transient failure. Whatever happens to one
message is recorded on it, never raised, so a bad message cannot hold up the ones behind it on the stream.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from jinja2 import TemplateError
from pynamodb.exceptions import PutError, UpdateError

from chalicelib.adapters.ses import PermanentSendError, TransientSendError
from chalicelib.clock import Clock
from chalicelib.errors import Conflict, NotFound
from chalicelib.mail.mime import build_message
from chalicelib.mail.render import render
from chalicelib.models.outbox import MailStatus, OutboxModel, get_message
from chalicelib.models.suppression import SuppressionModel, suppression_of

logger = logging.getLogger(__name__)


class Sender(Protocol):
    def send(self, *, message_id: str, to_address: str, raw: bytes) -> str: ...


class RetryScheduler(Protocol):
    def schedule(self, message_id: str, generation: int, delay_seconds: int) -> None: ...


# Wraps the send so that it runs once per `key` keyword even when called again (Powertools idempotency).
OnceWrapper = Callable[[Callable[..., str]], Callable[..., str]]


class AlreadyInProgress(Exception):
    """Another invocation is sending the same message generation right now."""


@dataclass(frozen=True)
class Delivery:
    message_id: str
    generation: int


class MailDelivery:
    def __init__(
        self,
        *,
        sender: Sender,
        retries: RetryScheduler,
        clock: Clock,
        mail_sender: str,
        max_attempts: int,
        retry_delays_seconds: Sequence[int],
        once: OnceWrapper,
    ) -> None:
        self._sender = sender
        self._retries = retries
        self._clock = clock
        self._from = mail_sender
        self._max_attempts = max_attempts
        self._delays = tuple(retry_delays_seconds) or (60,)
        self._send_once = once(self._render_and_send)

    def deliver(self, delivery: Delivery) -> MailStatus | None:
        """Try to deliver; answers the message's status afterwards, or None when there was nothing to do."""
        message = get_message(delivery.message_id)
        if (
            message is None
            or message.status != MailStatus.QUEUED.value
            or message.generation != delivery.generation
        ):
            return None
        suppression = suppression_of(message.to_address)
        if suppression is not None:
            return self._finish(
                message, MailStatus.SUPPRESSED, error=f"address suppressed after a {suppression.reason}"
            )
        try:
            provider_id = self._send_once(key=f"{message.message_id}#{message.generation}", message=message)
        except AlreadyInProgress:
            return None
        except TransientSendError as exc:
            return self._after_transient_failure(message, str(exc))
        except (PermanentSendError, TemplateError) as exc:  # a rejected address, a broken template
            logger.exception("mail %s cannot be sent", message.message_id)
            reason = str(exc) if isinstance(exc, PermanentSendError) else f"{type(exc).__name__}: {exc}"
            return self._finish(message, MailStatus.FAILED, error=reason, attempted=True)
        except Exception as exc:  # something we depend on failed; it may well work later
            logger.exception("mail %s could not be sent this time", message.message_id)
            return self._after_transient_failure(message, f"{type(exc).__name__}")
        return self._finish(message, MailStatus.SENT, provider_id=provider_id, attempted=True)

    def _render_and_send(self, *, key: str, message: OutboxModel) -> str:
        variables: dict[str, Any] = {**(message.context or {}), **(message.secrets or {})}
        variables["recipient_name"] = message.to_name
        mail = render(message.kind, message.language, variables)
        raw = build_message(
            sender=self._from,
            to_address=message.to_address,
            to_name=message.to_name,
            mail=mail,
            at=self._clock.now(),
        )
        return self._sender.send(message_id=message.message_id, to_address=message.to_address, raw=raw)

    def _after_transient_failure(self, message: OutboxModel, error: str) -> MailStatus | None:
        attempts = int(message.attempts or 0) + 1
        if attempts >= self._max_attempts:
            return self._finish(
                message,
                MailStatus.FAILED,
                error=f"gave up after {attempts} attempts: {error}",
                attempted=True,
            )
        try:
            message.update(
                actions=[OutboxModel.attempts.set(attempts), OutboxModel.last_error.set(error)],
                condition=_still_queued(message),
            )
        except UpdateError as exc:
            if not lost_condition(exc):
                raise
            return None  # finished concurrently by a duplicate delivery
        delay = self._delays[min(attempts, len(self._delays)) - 1]
        self._retries.schedule(message.message_id, int(message.generation), delay)
        logger.warning(
            "mail %s attempt %d failed (%s); next try in %d s", message.message_id, attempts, error, delay
        )
        return MailStatus.QUEUED

    def _finish(
        self,
        message: OutboxModel,
        status: MailStatus,
        *,
        error: str | None = None,
        provider_id: str | None = None,
        attempted: bool = False,
    ) -> MailStatus:
        actions: list[Any] = [OutboxModel.status.set(status.value)]
        if attempted:
            actions.append(OutboxModel.attempts.set(int(message.attempts or 0) + 1))
        if error is not None:
            actions.append(OutboxModel.last_error.set(error))
        if status is MailStatus.SENT:
            actions += [
                OutboxModel.sent_at.set(self._clock.now()),
                OutboxModel.last_error.remove(),
                OutboxModel.provider_message_id.set(provider_id or ""),
            ]
        if status in (MailStatus.SENT, MailStatus.SUPPRESSED):
            # A code or an activation code is in the outbox only so that it can be mailed.
            actions.append(OutboxModel.secrets.remove())
        try:
            message.update(actions=actions, condition=_still_queued(message))
        except UpdateError as exc:
            if not lost_condition(exc):
                raise  # DynamoDB itself failed: let the batch be delivered again
            # Someone else finished this generation first (a duplicate delivery); their outcome stands.
            logger.info("mail %s was finished concurrently", message.message_id)
        return status


def lost_condition(exc: UpdateError | PutError) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def _still_queued(message: OutboxModel) -> Any:
    return (OutboxModel.status == MailStatus.QUEUED.value) & (OutboxModel.generation == message.generation)


def deliveries_in_stream(records: Sequence[Any]) -> list[Delivery]:
    """The messages a batch of outbox stream records asks to deliver: newly queued, or queued again."""
    found = []
    for record in records:
        new = record.new_image or {}
        old = record.old_image or {}
        if _string(new, "status") != MailStatus.QUEUED.value:
            continue
        requeued = _string(old, "status") != MailStatus.QUEUED.value or _number(old, "generation") != _number(
            new, "generation"
        )
        if record.event_name == "INSERT" or (record.event_name == "MODIFY" and requeued):
            found.append(Delivery(_string(new, "message_id") or "", _number(new, "generation")))
    return [d for d in found if d.message_id]


def _string(image: dict[str, Any], name: str) -> str | None:
    value = image.get(name, {})
    return value.get("S") if isinstance(value, dict) else None


def _number(image: dict[str, Any], name: str) -> int:
    value = image.get(name, {})
    raw = value.get("N") if isinstance(value, dict) else None
    return int(raw) if raw is not None and raw.lstrip("-").isdigit() else 0


def retry_by_staff(message_id: str) -> OutboxModel:
    """Put a parked message back in the queue as a new generation; the stream then delivers it again."""
    message = get_message(message_id)
    if message is None:
        raise NotFound("No such message.")
    if message.status != MailStatus.FAILED.value:
        raise Conflict(f"Only failed messages can be retried; this one is {message.status}.")
    try:
        message.update(
            actions=[
                OutboxModel.status.set(MailStatus.QUEUED.value),
                OutboxModel.generation.add(1),
                OutboxModel.attempts.set(0),
                OutboxModel.swept.remove(),
            ],
            condition=OutboxModel.status == MailStatus.FAILED.value,
        )
    except UpdateError as exc:
        raise Conflict("The message changed while it was being retried; look again.") from exc
    return message


def suppress(address: str, *, reason: str, detail: str | None, message_id: str | None, clock: Clock) -> None:
    entry = SuppressionModel(
        address.strip().lower(),
        reason=reason,
        detail=detail,
        suppressed_at=clock.now(),
        message_id=message_id,
    )
    try:
        entry.save(condition=SuppressionModel.address.does_not_exist())
    except PutError as exc:
        if not lost_condition(exc):
            raise
        # Already suppressed; the first reason stands.
