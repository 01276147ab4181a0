"""Addresses we no longer mail: SES reported a permanent bounce or a complaint.

Access patterns
- is this address suppressed ......... GetItem suppressions[address] (lower-cased)
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name


class SuppressionModel(Model):
    class Meta:
        table_name = table_name("suppressions")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    address = UnicodeAttribute(hash_key=True)
    reason = UnicodeAttribute()  # "bounce" | "complaint"
    detail = UnicodeAttribute(null=True)
    suppressed_at = UTCDateTimeAttribute()
    # The outbox message whose delivery SES reported on, when known.
    message_id = UnicodeAttribute(null=True)


def suppression_of(address: str) -> SuppressionModel | None:
    try:
        return SuppressionModel.get(address.strip().lower(), consistent_read=True)
    except SuppressionModel.DoesNotExist:
        return None
