"""The table behind Powertools' idempotency utility, which owns its items: here only so that the tests,
the local stack and the infrastructure check create it with the key and TTL Powertools expects.

Access patterns (Powertools')
- one execution record ............... GetItem / conditional PutItem idempotency[id]
"""

from __future__ import annotations

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name


class IdempotencyModel(Model):
    class Meta:
        table_name = table_name("idempotency")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    id = UnicodeAttribute(hash_key=True)
    expiration = TTLAttribute()
