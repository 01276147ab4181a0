"""The vendors' event handler: a key's "last used", kept current from the receipts' stream.

A check must stay at its round trips, so it never writes the key it read. Each valid check writes a receipt
(`validations`), and the table's stream (NEW_IMAGE: the record carries the key id and the time, so nothing
is read back) tells this handler, which moves the key's `last_used_at` on, only ever forward. A failed check
makes no receipt and so no use; a test key's check makes a receipt like a live one, and shows too."""

from __future__ import annotations

import os

from chalice.app import Blueprint, DynamoDBEvent

from chalicelib.container import container
from chalicelib.environment import table_name
from chalicelib.log import logger

events = Blueprint(__name__)

# As for the outbox (chalicelib/events/mail.py): infra/resources.json fills the ARN in AWS, the local stack
# before importing the app.
RECEIPTS_STREAM_ARN = os.environ.get(
    "GODKEND_VALIDATIONS_STREAM_ARN",
    f"arn:aws:dynamodb:eu-west-1:000000000000:table/{table_name('validations')}/stream/0",
)


@events.on_dynamodb_record(stream_arn=RECEIPTS_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON")
def record_key_use(event: DynamoDBEvent) -> None:
    from chalicelib.services.vendors.keys import uses_in_stream

    uses = uses_in_stream(event)
    # Idempotent: a batch that comes again writes nothing, its times being no newer than the ones kept.
    moved = container().vendors.record_uses(uses)
    logger.info("key uses recorded", extra={"receipts": len(uses), "keys_moved_on": moved})
