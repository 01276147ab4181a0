"""How long Godkend keeps what it holds about people, in one place (docs/privacy.md, the record of
processing, states the same periods and why).

Each period is enforced by the table's DynamoDB TTL attribute, set on every write path of the item. TTL
deletes up to days late (and never in moto), so every read that could show such an item also compares its
TTL with the clock: an item past its time is gone for every caller, whether or not DynamoDB has removed it.

- a code's entry (the representative's data): 13 months after the code was last valid (its current
  value's expiry) or revoked; a renewal moves it;
- a vendor's receipt: 5 years after the check (`GODKEND_RECEIPT_RETENTION_YEARS`);
- an audit entry: 5 years after the event;
- an application: 30 days after its letter's code expired (an activated one lives on as the organisation
  and its administrator's login);
- the mail outbox: 90 days after the message was queued (`chalicelib/models/outbox.py`);
- a support case: 12 months after its last change (filed, answered or closed;
  `chalicelib/models/support_case.py`).
- a renewal request (the representative's note): 90 days after it was made or answered.
"""

from __future__ import annotations

import calendar
import hashlib
from datetime import datetime, timedelta

CODE_ENTRY_MONTHS = 13
AUDIT_YEARS = 5
DEFAULT_RECEIPT_YEARS = 5
APPLICATION_AFTER_LETTER = timedelta(days=30)
SUPPORT_CASE_MONTHS = 12
RENEWAL_REQUEST_AFTER_CHANGE = timedelta(days=90)
# What stands where a person's name or e-mail was erased.
ERASED = "[slettet]"
ERASED_EMAIL = "slettet@invalid"


def add_months(when: datetime, months: int) -> datetime:
    """The same time `months` calendar months later; the 31st becomes the month's last day when it has
    fewer days."""
    month_index = when.month - 1 + months
    year, month = when.year + month_index // 12, month_index % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


def code_entry_purge_at(*, expires_at: datetime, revoked_at: datetime | None) -> datetime:
    """When a code's entry goes: 13 months after the code was last valid, that is after its current value
    expired, or after it was revoked if that came first."""
    last_valid = revoked_at if revoked_at is not None and revoked_at < expires_at else expires_at
    return add_months(last_valid, CODE_ENTRY_MONTHS)


def receipt_purge_at(validated_at: datetime, *, years: int = DEFAULT_RECEIPT_YEARS) -> datetime:
    return add_months(validated_at, 12 * years)


def audit_purge_at(at: datetime) -> datetime:
    return add_months(at, 12 * AUDIT_YEARS)


def application_purge_at(code_expires_at: datetime) -> datetime:
    return code_expires_at + APPLICATION_AFTER_LETTER


def support_case_purge_at(last_change: datetime) -> datetime:
    return add_months(last_change, SUPPORT_CASE_MONTHS)


def renewal_request_purge_at(changed_at: datetime) -> datetime:
    """When a renewal request goes: 90 days after it was made or last answered."""
    return changed_at + RENEWAL_REQUEST_AFTER_CHANGE


def is_gone(purge_at: datetime | None, now: datetime) -> bool:
    """Past its retention: treated as deleted, whether or not TTL has removed it yet."""
    return purge_at is not None and now >= purge_at


def subject_of(email: str) -> str:
    """The key a person's data is found under: their e-mail address, trimmed and lower-cased."""
    return email.strip().lower()


def erased_subject(email: str) -> str:
    """What an erased item keeps instead of the address: a digest, so that the same person asking again
    is shown what was kept about them (receipts), while the address itself is gone."""
    return "erased:" + hashlib.sha256(subject_of(email).encode()).hexdigest()
