"""Journey 5, the colleague's side: the invitation mailed when an administrator creates their login, and
accepting it with a password of their own.

The invitation code is 16 characters of Crockford's base32 (80 random bits from `secrets`), printed in four
groups, `7K2M-9XQ4-B8ND-T0PQ`: short enough to type from a phone, and stronger than the letter's 60-bit
activation code. It is read as the activation code is: case-insensitively, hyphens and spaces anywhere, I/L
as 1 and O as 0. Nothing of it is stored: the invitation's key is a SHA-256 of the code under its own label
(so accepting is one GetItem, never a Scan) and `secret_digest` a plain SHA-256 of it, compared in constant
time. Guessing: with 2^80 codes, even 100,000 invitations outstanding at once and a million guesses a second
(far above what the API's throttling lets through) give one hit in about 380,000 years of trying, and every
invitation lasts 7 days; so, as before, no lock-out counter of its own.

The mail carries a link to the console's page with the code in the URL's fragment (`/invitation#kode=...`),
which browsers never send to a server; the page reads it, fills in the field and removes it from the address.

Invitations mailed before the codes were short carry `<invitation_id>.<secret>` (a 32-character
`token_urlsafe` secret); those still outstanding are accepted as before until they expire, at most 7 days
after the change.

Accepting is ordered so that a failure leaves nothing half-done and two concurrent accepts cannot both win:

1. claim the invitation (a conditional update: exactly one request proceeds);
2. create the login in Cognito, username = user id (the password policy speaks here);
3. mark the invitation used and the user active, with the audit record: one transaction, conditional on the
   claim still being ours and the user still waiting for this very invitation.

If 2 fails the claim is released; if 3 fails the login is deleted and the claim released. Accepting again
after success is refused as `invitation-used`, so a retried request changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from pydantic import Field
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition

from chalicelib.adapters.cognito import LoginExists
from chalicelib.clock import Clock, isoformat
from chalicelib.errors import (
    InvitationExpired,
    InvitationInProgress,
    InvitationRevoked,
    InvitationUnknown,
    InvitationUsed,
)
from chalicelib.fields import InvitationCode, NewPassword, Strict
from chalicelib.models.audit import (
    STAFF_TRAIL,
    Actor,
    ActorKind,
    AuditAction,
    AuditEvent,
    Origin,
    audit_record,
)
from chalicelib.models.base import transaction
from chalicelib.models.invitation import (
    INVITATION_VALIDITY,
    RETENTION_AFTER_EXPIRY,
    STALE_CLAIM,
    InvitationModel,
    InvitationStatus,
    RevokedBecause,
    claimable,
    get_invitation,
)
from chalicelib.models.organisation import OrganisationModel
from chalicelib.models.outbox import MailKind, OutboxModel, Recipient, outgoing
from chalicelib.models.user import UserModel, UserStatus, get_user
from chalicelib.services.onboarding.activations import LoginDirectory

CONDITION_FAILED = "ConditionalCheckFailedException"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O or U
CODE_LENGTH = 16  # 16 x 5 bits = 80 bits
GROUP = 4
# What an invitation mailed before the codes were short carries: `<invitation_id>.<secret>`.
OLD_TOKEN = re.compile(r"^([0-9a-f]{32})\.([A-Za-z0-9_-]{32})$")
_CROCKFORD_READS = str.maketrans({"I": "1", "L": "1", "O": "0"})


class AcceptForm(Strict):
    token: InvitationCode = Field(description="The invitation code from the mail")
    password: NewPassword = Field(description="The new login's password")


@dataclass(frozen=True)
class Accepted:
    user_id: str
    org_id: str | None
    vendor_id: str | None = None


@dataclass(frozen=True)
class NewInvitation:
    """An invitation item, and the mail that carries its token (which is stored nowhere else)."""

    item: InvitationModel
    mail: tuple[OutboxModel, Condition]


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_code() -> str:
    """A fresh invitation code in its printed form, `XXXX-XXXX-XXXX-XXXX`."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(code[i : i + GROUP] for i in range(0, CODE_LENGTH, GROUP))


def normalise_code(typed: str) -> str | None:
    """The code as hashed (16 characters, upper case), or None when what was typed cannot be one."""
    if not typed.isascii():
        return None
    cleaned = "".join(typed.upper().replace("-", "").split()).translate(_CROCKFORD_READS)
    if len(cleaned) != CODE_LENGTH or any(character not in ALPHABET for character in cleaned):
        return None
    return cleaned


def invitation_id_of(code: str) -> str:
    """The key an invitation with this (normalised) code is stored under: labelled, so it is never the
    code's `secret_digest`, and as long as the random ids of older invitations."""
    return hashlib.sha256(f"invitation-id\n{code}".encode()).hexdigest()[:32]


def parse_token(typed: str) -> tuple[str, str] | None:
    """The invitation id and secret of what was typed, or None when it cannot be an invitation code: a code
    of today (its key and itself) or a token mailed before them."""
    code = normalise_code(typed)
    if code is not None:
        return invitation_id_of(code), code
    found = OLD_TOKEN.match(typed.strip())
    return (found.group(1), found.group(2)) if found else None


def new_invitation(
    user: UserModel,
    organisation: OrganisationModel,
    *,
    invited_by: str,
    by_user_id: str,
    now: datetime,
    inviter_email: str | None = None,
) -> NewInvitation:
    """A fresh invitation for an invited user, and its mail: `Brugernavn:` and `Invitationskode:` each on a
    line of their own. Save both in the transaction that creates (or re-invites) the user. The mail names who
    invited them (`invited_by`); their address (`inviter_email`) lets that person's requests find it."""
    return _invitation(
        user,
        Joining(org_id=organisation.org_id, vendor_id=None, name=organisation.name),
        invited_by=invited_by,
        by_user_id=by_user_id,
        now=now,
        inviter_email=inviter_email,
    )


def new_vendor_invitation(
    user: UserModel, *, vendor_id: str, vendor_name: str, invited_by: str, by_user_id: str, now: datetime
) -> NewInvitation:
    """The same invitation for a vendor's person; its mail says the login is for the vendor console."""
    return _invitation(
        user,
        Joining(org_id=None, vendor_id=vendor_id, name=vendor_name),
        invited_by=invited_by,
        by_user_id=by_user_id,
        now=now,
        inviter_email=None,
    )


@dataclass(frozen=True)
class Joining:
    """What the invited person joins: an organisation, or a vendor (its console)."""

    org_id: str | None
    vendor_id: str | None
    name: str


def _invitation(
    user: UserModel,
    joining: Joining,
    *,
    invited_by: str,
    by_user_id: str,
    now: datetime,
    inviter_email: str | None,
) -> NewInvitation:
    code = new_code()
    secret = normalise_code(code) or ""
    invitation_id = invitation_id_of(secret)
    expires_at = now + INVITATION_VALIDITY
    item = InvitationModel(
        invitation_id,
        user_id=user.user_id,
        org_id=joining.org_id,
        vendor_id=joining.vendor_id,
        secret_digest=digest(secret),
        status=InvitationStatus.PENDING.value,
        created_by=by_user_id,
        created_at=now,
        expires_at=expires_at,
        delete_after=expires_at + RETENTION_AFTER_EXPIRY,
    )
    mail = outgoing(
        MailKind.INVITATION,
        to=Recipient(address=user.email, name=user.full_name),
        language=user.language or "da",
        context={
            "organisation_name": joining.name,
            "for_vendor": joining.vendor_id is not None,
            "invited_by": invited_by,
            "username": user.user_id,
            "expires_at": isoformat(expires_at),
        },
        now=now,
        secrets={"invitation_token": code},
        message_id=f"{MailKind.INVITATION.value}:{invitation_id}",
        mentions=(inviter_email,) if inviter_email else (),
    )
    return NewInvitation(item=item, mail=mail)


def refuse_unusable(invitation: InvitationModel, now: datetime) -> None:
    """Raise the problem that says why this invitation cannot be accepted now, if it cannot."""
    if invitation.status == InvitationStatus.USED.value:
        raise InvitationUsed(
            "This invitation has already been used. Sign in with your username and password."
        )
    if invitation.status == InvitationStatus.REVOKED.value:
        if invitation.revoked_because == RevokedBecause.REPLACED.value:
            raise InvitationRevoked(
                "A newer invitation has been sent for this login; use the code in the latest mail."
            )
        raise InvitationRevoked("This invitation was withdrawn. Ask your administrator.")
    if now >= invitation.expires_at:
        raise InvitationExpired("The invitation has expired. Ask your administrator to send a new one.")
    if (
        invitation.status == InvitationStatus.CLAIMED.value
        and invitation.claimed_at is not None
        and invitation.claimed_at >= now - STALE_CLAIM
    ):
        raise InvitationInProgress("This invitation is being accepted; try again in a minute.")


class InvitationService:
    def __init__(self, *, logins: LoginDirectory, clock: Clock) -> None:
        self._logins = logins
        self._clock = clock

    def accept(self, form: AcceptForm, *, origin: Origin) -> Accepted:
        parsed = parse_token(form.token)
        invitation = get_invitation(parsed[0]) if parsed else None
        # Compared in constant time; an unknown id and a wrong secret get the same answer.
        if (
            parsed is None
            or invitation is None
            or not hmac.compare_digest(invitation.secret_digest, digest(parsed[1]))
        ):
            raise InvitationUnknown("No invitation has this code; check the mail, or ask your administrator.")
        now = self._clock.now()
        refuse_unusable(invitation, now)
        user = _waiting_user(invitation)
        self._claim(invitation, now)
        try:
            self._create_login(user, form.password)
            try:
                _commit(invitation, user, now, origin)
            except Exception:
                self._logins.delete_login(user.user_id)
                raise
        except Exception:
            self._release(invitation, now)
            raise
        return Accepted(user_id=user.user_id, org_id=invitation.org_id, vendor_id=invitation.vendor_id)

    def _claim(self, invitation: InvitationModel, now: datetime) -> None:
        try:
            invitation.update(
                actions=[
                    InvitationModel.status.set(InvitationStatus.CLAIMED.value),
                    InvitationModel.claimed_at.set(now),
                ],
                condition=claimable(now),
            )
        except UpdateError as exc:
            if exc.cause_response_code != CONDITION_FAILED:
                raise
            refuse_unusable(get_invitation(invitation.invitation_id) or invitation, now)
            raise InvitationInProgress("This invitation is being accepted; try again in a minute.") from exc

    def _release(self, invitation: InvitationModel, claimed_at: datetime) -> None:
        with contextlib.suppress(UpdateError):
            invitation.update(
                actions=[
                    InvitationModel.status.set(InvitationStatus.PENDING.value),
                    InvitationModel.claimed_at.remove(),
                ],
                condition=(InvitationModel.status == InvitationStatus.CLAIMED.value)
                & (InvitationModel.claimed_at == claimed_at),
            )

    def _create_login(self, user: UserModel, password: str) -> None:
        details = {"username": user.user_id, "email": user.email, "mobile": user.mobile, "password": password}
        try:
            self._logins.create_login(**details)
        except LoginExists:
            # Left by an earlier accept of this invitation that died before its records were written: the
            # user is still `invited`, so no one has signed in with it, and a login whose record is not
            # active reaches nothing.
            self._logins.delete_login(user.user_id)
            self._logins.create_login(**details)


def _waiting_user(invitation: InvitationModel) -> UserModel:
    user = get_user(invitation.user_id)
    if (
        user is None
        or user.status != UserStatus.INVITED.value
        or user.invitation_id != invitation.invitation_id
    ):
        raise InvitationRevoked("This invitation was withdrawn. Ask your administrator.")
    return user


def _commit(invitation: InvitationModel, user: UserModel, now: datetime, origin: Origin) -> None:
    # A vendor's person has no organisation: their acceptance is in the staff trail, with the vendor.
    vendor = {"vendor_id": invitation.vendor_id} if invitation.vendor_id else {}
    event = AuditEvent(
        invitation.org_id or STAFF_TRAIL,
        AuditAction.INVITATION_ACCEPTED,
        Actor(ActorKind.USER, user.user_id),
        origin,
        targets={"user_id": user.user_id, "invitation_id": invitation.invitation_id, **vendor},
        mentions=(user.email,),
    )
    try:
        with transaction() as tx:
            tx.update(
                invitation,
                actions=[
                    InvitationModel.status.set(InvitationStatus.USED.value),
                    InvitationModel.used_at.set(now),
                ],
                condition=(InvitationModel.status == InvitationStatus.CLAIMED.value)
                & (InvitationModel.claimed_at == invitation.claimed_at),
            )
            tx.update(
                user,
                actions=[
                    UserModel.status.set(UserStatus.ACTIVE.value),
                    UserModel.invitation_id.remove(),
                    UserModel.invitation_expires_at.remove(),
                    UserModel.updated_at.set(now),
                ],
                condition=(UserModel.status == UserStatus.INVITED.value)
                & (UserModel.invitation_id == invitation.invitation_id),
                # Edits of the name or scope meanwhile do not stop the acceptance; a new invitation does.
                add_version_condition=False,
            )
            tx.save(*audit_record(event, now=now))
    except TransactWriteError as exc:
        if exc.cause_response_code == "TransactionCanceledException":
            raise InvitationRevoked(
                "This invitation was replaced or withdrawn while it was being accepted. Ask your "
                "administrator."
            ) from exc
        raise
