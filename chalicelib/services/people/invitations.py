"""Journey 5, the colleague's side: the invitation mailed when an administrator creates their login, and
accepting it with a password of their own.

The token is `<invitation_id>.<secret>`; the secret is 32 characters of `secrets.token_urlsafe` (192 bits) and
only its SHA-256 is stored, compared in constant time. With 2^192 possible secrets per invitation, guessing is
not a threat worth a lock-out counter (unlike the 60-bit activation codes): a million guesses a second for a
century would find one with a probability below 2^-140, and that is after guessing the random invitation id
the secret belongs to. No rate limit of its own is needed; the API's general throttling applies.

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
import uuid
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
from chalicelib.models.audit import Actor, ActorKind, AuditAction, AuditEvent, Origin, audit_record
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
SECRET_BYTES = 24  # 192 bits
TOKEN = re.compile(r"^([0-9a-f]{32})\.([A-Za-z0-9_-]{32})$")


class AcceptForm(Strict):
    token: InvitationCode = Field(description="The invitation code from the mail")
    password: NewPassword = Field(description="The new login's password")


@dataclass(frozen=True)
class Accepted:
    user_id: str
    org_id: str


@dataclass(frozen=True)
class NewInvitation:
    """An invitation item, and the mail that carries its token (which is stored nowhere else)."""

    item: InvitationModel
    mail: tuple[OutboxModel, Condition]


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_token(typed: str) -> tuple[str, str] | None:
    """The invitation id and secret of a token, or None when what was typed cannot be one."""
    found = TOKEN.match(typed.strip())
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
    invitation_id = uuid.uuid4().hex
    secret = secrets.token_urlsafe(SECRET_BYTES)
    expires_at = now + INVITATION_VALIDITY
    item = InvitationModel(
        invitation_id,
        user_id=user.user_id,
        org_id=organisation.org_id,
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
            "organisation_name": organisation.name,
            "invited_by": invited_by,
            "username": user.user_id,
            "expires_at": isoformat(expires_at),
        },
        now=now,
        secrets={"invitation_token": f"{invitation_id}.{secret}"},
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
        return Accepted(user_id=user.user_id, org_id=invitation.org_id)

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
    event = AuditEvent(
        invitation.org_id,
        AuditAction.INVITATION_ACCEPTED,
        Actor(ActorKind.USER, user.user_id),
        origin,
        targets={"user_id": user.user_id, "invitation_id": invitation.invitation_id},
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
