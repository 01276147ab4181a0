"""Hosted checks: a vendor sends the representative to Godkend's own page, which asks for the code and sends
the browser back to the vendor's registered address with the signed receipt
(`chalicelib/services/vendors/hosted_checks.py` has the rules).

A check (`checks`, keyed by `check_id`) holds what the page and the vendor need: which vendor (and key, and
whether it was a test key) made it, where to send the browser back (`redirect_url`), the vendor's own
`reference`, when it was made and until when it can be used; once completed, when and which receipt
(`validation_id`) it ended with; how many codes that were not valid it was given (`wrong_codes`), and once
that reached the cap, when it failed and why. Never the code: the receipt holds what the vendor may know of
it.

`check_id` is random (192 bits from `secrets`): whoever holds it may open the page, so it is a bearer
secret for an hour and travels only in the page's URL fragment and in JSON bodies, never in a path or query
a log could keep (except the vendor's own GET, which it made).

A check is usable for an hour (`expires_at`, compared with the clock on every read); it is kept a few days
more for the vendor's GET, then TTL (`purge_at`) removes it.

Access patterns
- check by id (page, vendor) ........... GetItem checks[check_id], consistent
- make one ............................. PutItem checks[check_id], if it does not exist
- complete one ......................... UpdateItem checks[check_id] if status = pending and not expired, in
                                         one transaction with its receipt (validations) and, for a live
                                         check, its `check.completed` event (vendor-events)
- count a wrong code ................... UpdateItem checks[check_id] if pending, not expired and
                                         `wrong_codes` is still what was read (the write that reaches the
                                         cap also sets status = failed)
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import cast

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name

# secrets.token_urlsafe(24): 32 characters of the URL-safe base64 alphabet.
CHECK_ID = re.compile(r"^[A-Za-z0-9_-]{32}$")
# How long the vendor can still read a check after it could last be used.
KEPT_AFTER_EXPIRY = timedelta(days=7)


class CheckStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    EXPIRED = "expired"  # never stored: a pending check past `expires_at`
    FAILED = "failed"  # too many codes that were not valid: closed, the person starts again at the vendor's


class FailureReason(StrEnum):
    TOO_MANY_WRONG_CODES = "too_many_wrong_codes"


class CheckModel(Model):
    class Meta:
        table_name = table_name("checks")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    check_id = UnicodeAttribute(hash_key=True)
    vendor_id = UnicodeAttribute()
    vendor_name = UnicodeAttribute()
    key_id = UnicodeAttribute()
    livemode = BooleanAttribute()
    redirect_url = UnicodeAttribute()
    reference = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default=CheckStatus.PENDING.value)
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)
    validation_id = UnicodeAttribute(null=True)
    # Codes given that were not valid (absent until the first): capped per check, see `count_wrong_code`.
    wrong_codes = NumberAttribute(null=True)
    failed_at = UTCDateTimeAttribute(null=True)
    failure_reason = UnicodeAttribute(null=True)
    purge_at = TTLAttribute()

    def status_at(self, now: datetime) -> CheckStatus:
        if self.status == CheckStatus.COMPLETED.value:
            return CheckStatus.COMPLETED
        if self.status == CheckStatus.FAILED.value:
            return CheckStatus.FAILED
        return CheckStatus.PENDING if now < self.expires_at else CheckStatus.EXPIRED

    @property
    def completed_when(self) -> datetime | None:
        # PynamoDB types a nullable attribute as never None.
        return cast("datetime | None", self.completed_at)

    @property
    def failed_when(self) -> datetime | None:
        return cast("datetime | None", self.failed_at)

    @property
    def wrong_code_count(self) -> int:
        return int(cast("int | None", self.wrong_codes) or 0)

    @property
    def reference_text(self) -> str | None:
        return cast("str | None", self.reference)


def new_check(check: CheckModel) -> None:
    check.purge_at = check.expires_at + KEPT_AFTER_EXPIRY
    check.save(condition=CheckModel.check_id.does_not_exist())


def get_check(check_id: str, *, now: datetime) -> CheckModel | None:
    """The check, unless there is none or it is past keeping (TTL may not have removed it yet)."""
    if not CHECK_ID.match(check_id):
        return None
    try:
        check = CheckModel.get(check_id, consistent_read=True)
    except CheckModel.DoesNotExist:
        return None
    return check if now < check.expires_at + KEPT_AFTER_EXPIRY else None


def still_pending(now: datetime) -> Condition:
    """The condition completing a check is written under: single use, and only within its hour."""
    pending: Condition = (CheckModel.status == CheckStatus.PENDING.value) & (CheckModel.expires_at > now)
    return pending


def count_wrong_code(check: CheckModel, *, cap: int, now: datetime) -> bool | None:
    """Count one code that was not valid on a check read as `check`: True when this one reached `cap` and
    the check failed with it, False when counted below the cap, None when the check changed since it was
    read (another wrong code counted, a confirmation, its hour over): read it again and decide anew.

    The write holds only if the count is still the one read, so two wrong codes at once are never both
    counted as the same one, and no more than `cap` are ever counted."""
    counted = check.wrong_code_count
    reaching = counted + 1 >= cap
    actions: list[Action] = [CheckModel.wrong_codes.set(counted + 1)]
    if reaching:
        actions += [
            CheckModel.status.set(CheckStatus.FAILED.value),
            CheckModel.failed_at.set(now),
            CheckModel.failure_reason.set(FailureReason.TOO_MANY_WRONG_CODES.value),
        ]
    unchanged = CheckModel.wrong_codes.does_not_exist() if counted == 0 else CheckModel.wrong_codes == counted
    try:
        check.update(actions=actions, condition=still_pending(now) & unchanged)
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return reaching
