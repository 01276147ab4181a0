"""A code's value item (`code-values`, keyed by the 8 random characters): what a vendor's validation reads,
with one strongly consistent GetItem by the random part (`chalicelib/models/code.py` has the code's entry and
how the two are written together). Apart from the entry's model and its five indexes, so that a vendor's check
imports neither.

Access patterns
- value by random part (validation) ... GetItem code-values[random_part], consistent
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name


class CodeStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"  # never stored: computed from expires_at and the clock
    REVOKED = "revoked"


def is_expired(expires_at: datetime, now: datetime) -> bool:
    """Expired from the expiry second on. The one rule, for entries and value items alike."""
    return now >= expires_at


class CodeValueModel(Model):
    """What validation reads: one consistent GetItem by the random part. Removed by TTL after expiry."""

    class Meta:
        table_name = table_name("code-values")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    random_part = UnicodeAttribute(hash_key=True)
    code_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    # Validation compares the part after the @ with this, so a value under another handle is unknown.
    handle = UnicodeAttribute()
    cvr = UnicodeAttribute()
    account = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    status = UnicodeAttribute(default=CodeStatus.ACTIVE.value)  # active | revoked
    issued_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)

    def status_at(self, now: datetime) -> CodeStatus:
        if self.status == CodeStatus.REVOKED.value:
            return CodeStatus.REVOKED
        return CodeStatus.EXPIRED if is_expired(self.expires_at, now) else CodeStatus.ACTIVE


def get_value(random_part: str) -> CodeValueModel | None:
    try:
        return CodeValueModel.get(random_part, consistent_read=True)
    except CodeValueModel.DoesNotExist:
        return None
