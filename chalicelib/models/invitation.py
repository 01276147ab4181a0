"""Invitations: how a colleague an administrator created sets their password (journey 5).

The token mailed to the colleague is `<invitation_id>.<secret>`: the id finds the item, the secret proves the
holder got the mail. Only the SHA-256 of the secret is stored; the secret has 192 bits from `secrets`, so a
plain hash is as good as a keyed one and guessing is out of reach. A user has at most one live invitation,
the one their record names (`UserModel.invitation_id`); resending replaces it and the old one is revoked in
the same transaction.

Accepting claims the invitation first (a conditional update: exactly one request proceeds), then creates the
Cognito login, then marks it used and the user active in one transaction. A claim older than STALE_CLAIM
belongs to a request that died and may be taken over. Items are deleted by TTL a while after they expire, so
that for a month a late click is told "expired" or "used" rather than "unknown".

Access patterns
- invitation by id (accept) ............ GetItem invitations[invitation_id], consistent
- claim it ............................. UpdateItem invitations[invitation_id] if `claimable`
- revoke it (resend, delete the user) .. UpdateItem in the transaction that replaces or withdraws it
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name

INVITATION_VALIDITY = timedelta(days=7)
STALE_CLAIM = timedelta(minutes=5)
RETENTION_AFTER_EXPIRY = timedelta(days=30)


class InvitationStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"  # the right token was given; the login is being created
    USED = "used"
    REVOKED = "revoked"


class RevokedBecause(StrEnum):
    REPLACED = "replaced"  # an administrator sent a new invitation
    WITHDRAWN = "withdrawn"  # the user was deleted before accepting


class InvitationModel(Model):
    class Meta:
        table_name = table_name("invitations")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    invitation_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    # The organisation the invited person joins, or, for a vendor's person, the vendor (exactly one is set).
    org_id = UnicodeAttribute(null=True)
    vendor_id = UnicodeAttribute(null=True)
    # SHA-256 (hex) of the token's secret part; the secret itself is only ever in the outbox until mailed.
    secret_digest = UnicodeAttribute()
    status = UnicodeAttribute(default=InvitationStatus.PENDING.value)
    revoked_because = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    claimed_at = UTCDateTimeAttribute(null=True)
    used_at = UTCDateTimeAttribute(null=True)
    delete_after = TTLAttribute()


def get_invitation(invitation_id: str) -> InvitationModel | None:
    try:
        return InvitationModel.get(invitation_id, consistent_read=True)
    except InvitationModel.DoesNotExist:
        return None


def claimable(now: datetime) -> Condition:
    """Pending and unexpired, or claimed by a request that has since died."""
    condition: Condition = (InvitationModel.expires_at > now) & (
        (InvitationModel.status == InvitationStatus.PENDING.value)
        | (
            (InvitationModel.status == InvitationStatus.CLAIMED.value)
            & (InvitationModel.claimed_at < now - STALE_CLAIM)
        )
    )
    return condition


def still_live() -> Condition:
    """What revoking an invitation requires: it exists and nobody has used it."""
    condition: Condition = InvitationModel.invitation_id.exists() & (
        InvitationModel.status != InvitationStatus.USED.value
    )
    return condition
