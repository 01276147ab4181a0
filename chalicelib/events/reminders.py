"""The expiry reminders' handlers: the daily schedule that finds the codes at a stage and queues them in
chunks, and the consumer that writes each chunk's reminders to the mail outbox. The rules are in
`chalicelib/services/codes/reminders.py`."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalice.app import Blueprint, CloudWatchEvent, Cron, SQSEvent

from chalicelib.container import container
from chalicelib.environment import REMINDER_CONSUMERS, resource_name
from chalicelib.log import logger

reminders = Blueprint(__name__)

REMINDERS_QUEUE = resource_name("reminders")


# 06:00 UTC, so that the mails of an ordinary day arrive in the Danish morning.
@reminders.schedule(Cron(0, 6, "*", "*", "?", "*"))
def send_reminders(event: CloudWatchEvent) -> dict[str, Any]:
    """Queues today's reminders. Invoked by hand with `{"detail": {"as_of": "YYYY-MM-DD"}}` (and the other
    fields of a scheduled event) it queues those of another day: how a missed day is made good."""
    as_of = (event.detail or {}).get("as_of")
    report = container().reminder_planner.run(date.fromisoformat(as_of) if as_of else None)
    logger.info("expiry reminders queued", extra=report.as_dict())
    return report.as_dict()


# One chunk per invocation, and at most CONSUMERS invocations at once: each paces its writes to its share of
# GODKEND_REMINDER_MAILS_PER_SECOND, so the reminders never take more of SES's quota than that.
@reminders.on_sqs_message(queue=REMINDERS_QUEUE, batch_size=1, maximum_concurrency=REMINDER_CONSUMERS)
def remind_codes(event: SQSEvent) -> None:
    from chalicelib.services.codes.reminders import Chunk

    deps = container()
    for record in event:
        chunk = Chunk.from_json(record.body)
        if chunk is None:
            logger.warning("a reminders message is not a chunk; dropped")
            continue
        report = deps.reminder_writer.write(chunk)
        logger.info(
            "expiry reminders written",
            extra={"stage": chunk.stage.value, "expires_on": chunk.expires_on, **report.as_dict()},
        )
