"""The mail pipeline's event handlers: the outbox stream, the retry queue, SES feedback and the sweeper of
messages stuck in the outbox."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, CloudWatchEvent, DynamoDBEvent, Rate, SNSEvent, SQSEvent

from chalicelib.container import container
from chalicelib.environment import resource_name, table_name
from chalicelib.log import logger

if TYPE_CHECKING:
    from chalicelib.services.outbox.delivery import Delivery

events = Blueprint(__name__)

# Chalice needs these when the app is imported. In AWS the stream's ARN is filled in by infra/resources.json
# (it is only known once the table exists); the local stack sets it before importing the app.
OUTBOX_STREAM_ARN = os.environ.get(
    "GODKEND_OUTBOX_STREAM_ARN",
    f"arn:aws:dynamodb:eu-west-1:000000000000:table/{table_name('outbox')}/stream/0",
)
RETRY_QUEUE = resource_name("mail-retry")
FEEDBACK_TOPIC = resource_name("ses-feedback")


@events.on_dynamodb_record(stream_arn=OUTBOX_STREAM_ARN, batch_size=25, starting_position="TRIM_HORIZON")
def deliver_outbox(event: DynamoDBEvent) -> None:
    # The pipeline (templates, MIME, idempotency) is imported by the functions that deliver mail only.
    from chalicelib.services.outbox.delivery import deliveries_in_stream

    deps = container()
    deps.send_once.register_lambda_context(event.context)
    for delivery in deliveries_in_stream(list(event)):
        deps.mail_delivery.deliver(delivery)


@events.on_sqs_message(queue=RETRY_QUEUE, batch_size=10)
def redeliver_mail(event: SQSEvent) -> None:
    deps = container()
    deps.send_once.register_lambda_context(event.context)
    for record in event:
        delivery = _delivery_of(record.body)
        if delivery is None:
            logger.warning("retry message is not a delivery; dropped")
            continue
        deps.mail_delivery.deliver(delivery)


@events.on_sns_message(topic=FEEDBACK_TOPIC)
def mail_feedback(event: SNSEvent) -> None:
    from chalicelib.services.outbox.feedback import apply_feedback

    suppressed = apply_feedback(event.message, clock=container().clock)
    if suppressed:
        logger.info("suppressed %d address(es) after SES feedback", len(suppressed))


@events.schedule(Rate(15, unit=Rate.MINUTES))
def sweep_outbox(event: CloudWatchEvent) -> dict[str, int]:
    """Drives again what a failed stream batch or a lost retry left queued; parks what keeps failing."""
    return container().outbox_sweeper.run().as_dict()


def _delivery_of(body: str) -> Delivery | None:
    from chalicelib.services.outbox.delivery import Delivery

    try:
        data: Any = json.loads(body)
        return Delivery(str(data["message_id"]), int(data["generation"]))
    except (ValueError, TypeError, KeyError):
        return None
