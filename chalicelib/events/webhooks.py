"""The webhook pipeline's event handlers: causes expanded into events, events queued for delivery, and the
delivery queue's attempts. Both streams are keys only: a handler reads the item itself, consistently, and
no record carries anything the item holds (in particular no signing secret, which lives on another table)."""

from __future__ import annotations

import os

from chalice.app import Blueprint, DynamoDBEvent, SQSEvent

from chalicelib.container import container
from chalicelib.environment import resource_name, table_name
from chalicelib.log import logger

events = Blueprint(__name__)

# As for the outbox (chalicelib/events/mail.py): infra/resources.json fills the ARNs in AWS, the local stack
# before importing the app.
CAUSES_STREAM_ARN = os.environ.get(
    "GODKEND_EVENT_CAUSES_STREAM_ARN",
    f"arn:aws:dynamodb:eu-west-1:000000000000:table/{table_name('event-causes')}/stream/0",
)
EVENTS_STREAM_ARN = os.environ.get(
    "GODKEND_VENDOR_EVENTS_STREAM_ARN",
    f"arn:aws:dynamodb:eu-west-1:000000000000:table/{table_name('vendor-events')}/stream/0",
)
DELIVERY_QUEUE = resource_name("webhook-deliveries")


@events.on_dynamodb_record(stream_arn=CAUSES_STREAM_ARN, batch_size=10, starting_position="TRIM_HORIZON")
def expand_event_causes(event: DynamoDBEvent) -> None:
    expander = container().event_expander
    failed = 0
    for record in event:
        if record.event_name != "INSERT":
            continue
        cause_id = str(record.keys["cause_id"]["S"])
        try:
            written = expander.expand(cause_id)
        except Exception:
            logger.exception(
                "expanding a cause failed; the batch will come again", extra={"cause_id": cause_id}
            )
            failed += 1
            continue
        logger.info("cause expanded", extra={"cause_id": cause_id, "events": written})
    if failed:
        # Expanding is idempotent: the causes done already write nothing the second time.
        raise RuntimeError(f"{failed} cause(s) could not be expanded")


@events.on_dynamodb_record(stream_arn=EVENTS_STREAM_ARN, batch_size=50, starting_position="TRIM_HORIZON")
def queue_webhook_deliveries(event: DynamoDBEvent) -> None:
    ids = [str(record.keys["event_id"]["S"]) for record in event if record.event_name in ("INSERT", "MODIFY")]
    container().webhook_delivery.queue_first_attempts(dict.fromkeys(ids))


@events.on_sqs_message(queue=DELIVERY_QUEUE, batch_size=5)
def deliver_webhooks(event: SQSEvent) -> None:
    delivery = container().webhook_delivery
    failed = 0
    for record in event:
        from chalicelib.services.webhooks.delivery import Job

        job = Job.from_json(record.body)
        if job is None:
            logger.warning("delivery message is not a job; dropped")
            continue
        try:
            outcome = delivery.run(job)
        except Exception:
            logger.exception("webhook attempt failed", extra={"event_id": job.event_id})
            failed += 1
            continue
        logger.info(
            "webhook attempt", extra={"event_id": job.event_id, "attempt": job.attempt, "outcome": outcome}
        )
    if failed:
        # The batch comes again; attempts already made are claimed and not made twice.
        raise RuntimeError(f"{failed} delivery attempt(s) failed")
