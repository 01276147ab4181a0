"""Applications for a login, and the activation codes their letters carry.

An application is kept per CVR number: the item is the organisation's *current* application, so one
conditional put decides, even between concurrent requests, whether a new letter goes out (no application
yet, or the last one was activated, locked or has expired) or a pending one stands. Earlier applications
live on in the audit trail. The application holds what the applicant typed; the activation holds the
secret's keyed hash, its tries and its state, under the username printed in the letter.

Access patterns
- the current application for a CVR ......... GetItem applications[cvr]
- one at a time per CVR ..................... PutItem applications[cvr] if absent, activated, locked, expired
- an activation by the username in a letter . GetItem activations[username] (consistent read)
- count a try before comparing .............. UpdateItem activations[username] ADD attempts 1 if < 5
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name

LETTER_PROMISE = timedelta(hours=2)
ACTIVATION_VALIDITY = timedelta(days=14)
MAX_ATTEMPTS = 5
# A claim older than this belongs to a request that died mid-way (Lambda's timeout is 30 s); it may be
# taken over, so that a crash can never leave an activation stuck.
STALE_CLAIM = timedelta(minutes=5)
# Applicants' personal data is not kept longer than the activation could still matter.
RETENTION_AFTER_EXPIRY = timedelta(days=90)


class ApplicationStatus(StrEnum):
    PENDING = "pending"  # a letter is on its way or waiting to be used
    ACTIVATED = "activated"
    LOCKED = "locked"  # too many wrong tries; a new application sends a new letter


class ActivationStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"  # the right code was given; the login is being created
    USED = "used"
    LOCKED = "locked"


class ApplicationModel(Model):
    class Meta:
        table_name = table_name("applications")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    cvr = UnicodeAttribute(hash_key=True)
    application_id = UnicodeAttribute()
    # The organisation the administrator will belong to: a new id, or the one that already owns the CVR.
    org_id = UnicodeAttribute()
    # What the applicant sent, normalised (name, subsidiaries, accounts, applicant, language).
    form = JSONAttribute()
    # Where the letter went: the company register's entry, never anything from the form.
    company_name = UnicodeAttribute()
    official_mailbox = UnicodeAttribute()
    username = UnicodeAttribute()
    status = UnicodeAttribute(default=ApplicationStatus.PENDING.value)
    created_at = UTCDateTimeAttribute()
    letter_due_by = UTCDateTimeAttribute()
    code_expires_at = UTCDateTimeAttribute()
    activated_at = UTCDateTimeAttribute(null=True)
    delete_after = TTLAttribute()

    def is_pending(self, now: datetime) -> bool:
        return self.status == ApplicationStatus.PENDING.value and now < self.code_expires_at


def may_replace_application(now: datetime) -> Condition:
    """A new application for the CVR may be written only where no pending one stands."""
    condition: Condition = (
        ApplicationModel.cvr.does_not_exist()
        | ApplicationModel.status.is_in(ApplicationStatus.ACTIVATED.value, ApplicationStatus.LOCKED.value)
        | (ApplicationModel.code_expires_at <= now)
    )
    return condition


class ActivationModel(Model):
    class Meta:
        table_name = table_name("activations")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    username = UnicodeAttribute(hash_key=True)
    application_id = UnicodeAttribute()
    cvr = UnicodeAttribute()
    org_id = UnicodeAttribute()
    # HMAC-SHA256 of the code under GODKEND_ACTIVATION_KEY; the code itself is never stored here.
    code_digest = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    status = UnicodeAttribute(default=ActivationStatus.PENDING.value)
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    claimed_at = UTCDateTimeAttribute(null=True)
    used_at = UTCDateTimeAttribute(null=True)
    delete_after = TTLAttribute()


def get_application(cvr: str) -> ApplicationModel | None:
    try:
        return ApplicationModel.get(cvr, consistent_read=True)
    except ApplicationModel.DoesNotExist:
        return None


def get_activation(username: str) -> ActivationModel | None:
    try:
        return ActivationModel.get(username, consistent_read=True)
    except ActivationModel.DoesNotExist:
        return None


def claimable(now: datetime) -> Condition:
    """Open to a try: waiting, or claimed by a request that died before finishing."""
    condition: Condition = (ActivationModel.status == ActivationStatus.PENDING.value) | (
        (ActivationModel.status == ActivationStatus.CLAIMED.value)
        & (ActivationModel.claimed_at < now - STALE_CLAIM)
    )
    return condition
