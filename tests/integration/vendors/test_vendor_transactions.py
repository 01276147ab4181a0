"""The vendor table's audited writes say which condition refused them. PynamoDB sends a transaction's items
grouped by kind (condition checks, deletes, puts, updates), not in the order the code adds them, and DynamoDB
gives the cancellation reasons in the order sent: a write that looked at the first reason for its own
condition read the audit entry's instead, and answered an error where the refusal has a meaning."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from chalicelib.models.audit import (
    STAFF_TRAIL,
    Actor,
    ActorKind,
    AuditAction,
    AuditEvent,
    Origin,
    audit_record,
)
from chalicelib.models.vendor import (
    VendorKeyModel,
    VendorMissing,
    revoke_key,
    set_redirect_origins,
)
from tests.people import People

if TYPE_CHECKING:
    from chalicelib.models.vendor import AuditRecord

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def an_audit(vendor_id: str, action: AuditAction) -> AuditRecord:
    event = AuditEvent(
        org_id=STAFF_TRAIL,
        actor=Actor(ActorKind.USER, "someone"),
        action=action,
        targets={"vendor_id": vendor_id},
        origin=Origin(source_ip="192.0.2.1", user_agent="test"),
    )
    return audit_record(event, now=NOW)


def test_redirect_origins_for_a_vendor_that_is_gone_are_refused_as_a_missing_vendor(tables: None):
    # Given a vendor id that no vendor has (removed while its person was setting the origins)
    # When its origins are set
    # Then the write is refused as a missing vendor, and nothing is kept
    with pytest.raises(VendorMissing):
        set_redirect_origins(
            "no-such-vendor",
            ["https://shop.example"],
            an_audit("no-such-vendor", AuditAction.VENDOR_REDIRECT_ORIGINS_SET),
        )


def test_a_key_revoked_by_two_at_once_is_revoked_once_and_neither_fails(people: People):
    # Given a vendor's key, read by two people who both revoke it
    vendor = people.vendor()
    [key] = list(VendorKeyModel.by_vendor.query(vendor.vendor_id))
    first = VendorKeyModel.get(key.key_id)
    second = VendorKeyModel.get(key.key_id)
    revoked = revoke_key(
        first, now=NOW, by="first", audit=an_audit(vendor.vendor_id, AuditAction.VENDOR_KEY_REVOKED)
    )

    # When the second revocation, on what it read before the first, reaches the table
    again = revoke_key(
        second, now=NOW, by="second", audit=an_audit(vendor.vendor_id, AuditAction.VENDOR_KEY_REVOKED)
    )

    # Then it answers the key as the first left it
    assert revoked.revoked_by == again.revoked_by == "first"
