"""Delivers outbox messages: exactly once each, retried when SES fails, parked when it keeps failing, never
sent to a suppressed address.

A message is delivered when the outbox stream names it and the item, read by its key, is queued and not yet
tried (inserted, or put back by a staff retry, which starts a new generation with no attempts), and again from
the retry queue after a transient failure. The stream carries keys only, so no secret is ever in a record;
the retry queue carries the generation it retries. Whatever happens to one
message is recorded on it, never raised, so a bad message cannot hold up the ones behind it on the stream.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.errors import MessageError
from typing import Any, Protocol

from jinja2 import TemplateError
from pynamodb.exceptions import PutError, UpdateError

from chalicelib.adapters.ses import PermanentSendError, TransientSendError
from chalicelib.clock import Clock
from chalicelib.errors import Conflict, NotFound
from chalicelib.log import logger
from chalicelib.mail.mime import build_message
from chalicelib.mail.render import MailFrame, render
from chalicelib.models.outbox import MailStatus, OutboxModel, get_message
from chalicelib.models.suppression import SuppressionModel, suppression_of


class Sender(Protocol):
    def send(self, *, message_id: str, to_address: str, raw: bytes) -> str: ...


class RetryScheduler(Protocol):
    def schedule(self, message_id: str, generation: int, delay_seconds: int) -> None: ...


# Wraps the send so that it runs once per `key` keyword even when called again (Powertools idempotency).
OnceWrapper = Callable[[Callable[..., str]], Callable[..., str]]


class UnbuildableMail(Exception):
    """The message cannot be rendered or put into MIME (a broken template, an address no header can carry).
    Permanent: trying again builds the same thing."""


class AlreadyInProgress(Exception):
    """Another invocation is sending the same message generation right now."""


@dataclass(frozen=True)
class Delivery:
    message_id: str
    # The generation a retry is for; None (from the stream) is the item's current one, untried so far.
    generation: int | None = None


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
        frame: MailFrame | None = None,
    ) -> None:
        self._sender = sender
        self._retries = retries
        self._clock = clock
        self._from = mail_sender
        self._max_attempts = max_attempts
        self._delays = tuple(retry_delays_seconds) or (60,)
        self._send_once = once(self._render_and_send)
        self._frame = frame or MailFrame()

    def deliver(self, delivery: Delivery) -> MailStatus | None:
        """Try to deliver; answers the message's status afterwards, or None when there was nothing to do."""
        message = get_message(delivery.message_id)
        if message is None or not _due(message, delivery):
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
        except PermanentSendError as exc:  # SES refused the address or the message for good
            logger.exception("mail %s cannot be sent", message.message_id)
            return self._finish(message, MailStatus.FAILED, error=str(exc), attempted=True)
        except UnbuildableMail as exc:
            # Parked at once; its secret goes too, since no retry can ever mail it.
            logger.exception("mail %s cannot be built", message.message_id)
            return self._finish(message, MailStatus.FAILED, error=str(exc), attempted=True, drop_secrets=True)
        except Exception as exc:  # something we depend on failed; it may well work later
            logger.exception("mail %s could not be sent this time", message.message_id)
            return self._after_transient_failure(message, f"{type(exc).__name__}")
        return self._finish(message, MailStatus.SENT, provider_id=provider_id, attempted=True)

    def _render_and_send(self, *, key: str, message: OutboxModel) -> str:
        variables: dict[str, Any] = {**(message.context or {}), **(message.secrets or {})}
        variables["recipient_name"] = message.to_name
        try:
            mail = render(message.kind, message.language, variables, self._frame)
            raw = build_message(
                sender=self._from,
                to_address=message.to_address,
                to_name=message.to_name,
                mail=mail,
                at=self._clock.now(),
            )
        except (TemplateError, MessageError, ValueError, TypeError, LookupError) as exc:
            raise UnbuildableMail(f"{type(exc).__name__}: {exc}") from exc
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
        drop_secrets: bool = False,
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
        if drop_secrets or status in (MailStatus.SENT, MailStatus.SUPPRESSED):
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


def _due(message: OutboxModel, delivery: Delivery) -> bool:
    if message.status != MailStatus.QUEUED.value:
        return False
    if delivery.generation is None:
        # A stream record: every write to the item makes one. Only a message not yet tried in this generation
        # is the stream's to send; after a failed try the retry queue owns it, with its delay.
        return int(message.attempts or 0) == 0
    return bool(message.generation == delivery.generation)


def lost_condition(exc: UpdateError | PutError) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def _still_queued(message: OutboxModel) -> Any:
    return (OutboxModel.status == MailStatus.QUEUED.value) & (OutboxModel.generation == message.generation)


def deliveries_in_stream(records: Sequence[Any]) -> list[Delivery]:
    """The messages a batch of outbox stream records (keys only) may ask to deliver, each once per batch;
    `deliver` reads the item and decides."""
    found: dict[str, Delivery] = {}
    for record in records:
        if record.event_name not in ("INSERT", "MODIFY"):
            continue
        message_id = _string(record.keys or {}, "message_id")
        if message_id:
            found.setdefault(message_id, Delivery(message_id))
    return list(found.values())


def _string(image: dict[str, Any], name: str) -> str | None:
    value = image.get(name, {})
    return value.get("S") if isinstance(value, dict) else None


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
