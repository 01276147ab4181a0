"""A vendor's people: logins to the vendor console. Staff create the first one with the vendor (its
contact); each gets an invitation mail, accepts it at `POST /v1/invitations/accept` and enrols a second
factor exactly as an organisation's colleague does. A vendor person has no organisation and no functions:
the only routes they reach are `/v1/me` and the vendor console's `/v1/vendor/...`, for their own vendor.

A vendor's people look after each other (`VendorPeopleService`): they list their vendor's people, invite a
colleague of the same vendor (the same invitation and mail as the contact's, the same field rules as an
organisation's colleague), and remove one. Removing is as an organisation colleague's deletion: the record
goes (so no token of theirs is accepted from the next request on: every request reads the record), a
pending invitation is revoked in the same transaction, and the Cognito login is deleted afterwards. Nobody
removes themselves, and the vendor always keeps an active person: the remover is the witness, checked in the
same transaction (`vendor_person_condition`), so two people removing each other at once cannot both win.
Every change is in the staff trail with the names of who acted and whom it was about.

Access patterns
- the person by id / Cognito username ... GetItem users[user_id] (as every login)
- the person's vendor ................... GetItem vendors[vendor_id], the id from the person's record
- the vendor's people, newest first ..... Query users.by-vendor[vendor_id] (`people_of_vendor`)
- "the remover is still active" ......... ConditionCheck users[remover] in the removing transaction
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import Field
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.clock import Clock, isoformat
from chalicelib.errors import Conflict, Forbidden, NotFound, UpstreamUnavailable
from chalicelib.fields import Email, Mobile, PersonName, Strict
from chalicelib.log import logger
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
    InvitationModel,
    InvitationStatus,
    RevokedBecause,
    get_invitation,
    still_live,
)
from chalicelib.models.outbox import Language
from chalicelib.models.user import (
    UserKind,
    UserModel,
    UserStatus,
    get_user,
    people_of_vendor,
    vendor_person_condition,
)
from chalicelib.models.vendor import get_vendor
from chalicelib.services.access.authz import Principal
from chalicelib.services.onboarding.activations import LoginDirectory
from chalicelib.services.people.colleagues import USER_ID, USERNAME_ATTEMPTS, new_username
from chalicelib.services.people.invitation_limits import InvitationLimits
from chalicelib.services.people.invitations import new_vendor_invitation
from chalicelib.services.vendors.keys import SaveAlso

# Who the invitation mail says created the login: the operator, whose staff made the vendor.
OPERATOR_NAME = "Godkend"


class VendorContact(Strict):
    first_name: PersonName
    last_name: PersonName
    email: Email = Field(description="Where the invitation to the vendor console is mailed")
    mobile: Mobile = Field(description="For the second factor by SMS, if the person chooses it")
    language: Language = Field(default=Language.DA, description="The language of the person's mail")


def inviting(contact: VendorContact | None, *, by_user_id: str) -> SaveAlso | None:
    """What `VendorService.create` saves with a new vendor for its contact: their login and invitation."""
    if contact is None:
        return None

    def items(vendor_id: str, vendor_name: str, now: datetime) -> list[tuple[Model, Condition | None]]:
        return invited_person(
            contact, vendor_id=vendor_id, vendor_name=vendor_name, by_user_id=by_user_id, now=now
        ).items

    return items


@dataclass(frozen=True)
class InvitedPerson:
    """A vendor person's login, waiting for its invitation, and what to save with it."""

    user: UserModel
    items: list[tuple[Model, Condition | None]]


def invited_person(
    contact: VendorContact,
    *,
    vendor_id: str,
    vendor_name: str,
    by_user_id: str,
    now: datetime,
    invited_by: str = OPERATOR_NAME,
) -> InvitedPerson:
    """The login (invited, no password yet), its invitation and the mail that carries the code. The
    username is drawn at random; saving it on `does_not_exist` makes a clash fail the whole transaction."""
    user = UserModel(
        new_username(),
        kind=UserKind.VENDOR.value,
        vendor_id=vendor_id,
        first_name=contact.first_name,
        last_name=contact.last_name,
        email=contact.email,
        mobile=contact.mobile,
        status=UserStatus.INVITED.value,
        language=contact.language.value,
        created_at=now,
        created_by=by_user_id,
    )
    invitation = new_vendor_invitation(
        user,
        vendor_id=vendor_id,
        vendor_name=vendor_name,
        invited_by=invited_by,
        by_user_id=by_user_id,
        now=now,
    )
    user.invitation_id = invitation.item.invitation_id
    user.invitation_expires_at = invitation.item.expires_at
    return InvitedPerson(
        user=user,
        items=[
            (user, UserModel.user_id.does_not_exist()),
            (invitation.item, None),
            invitation.mail,
        ],
    )


@dataclass(frozen=True)
class VendorPersonView:
    """One of a vendor's people as their colleagues see them: no mobile, no second-factor state."""

    user_id: str
    first_name: str
    last_name: str
    email: str
    status: str
    created_at: str
    invitation_expires_at: str | None
    you: bool


class VendorPeopleService:
    """A vendor's people, as they see and change each other in the vendor console."""

    def __init__(self, *, logins: LoginDirectory, clock: Clock, limits: InvitationLimits) -> None:
        self._logins = logins
        self._clock = clock
        # Invitation mails per inviting person and per vendor and day, counted with each mail.
        self._limits = limits

    def people(self, person: Principal) -> list[VendorPersonView]:
        """The person's vendor's people, newest first, invited ones included."""
        vendor_id = _own_vendor(person)
        return [_describe(user, person) for user in people_of_vendor(vendor_id)]

    def invite(self, person: Principal, contact: VendorContact, *, origin: Origin) -> VendorPersonView:
        """A colleague of the same vendor, invited as the vendor's contact was; audited in the staff trail."""
        vendor_id = _own_vendor(person)
        vendor = get_vendor(vendor_id)
        if vendor is None:
            raise NotFound("No such vendor.")
        actor = _acting(person)
        for _ in range(USERNAME_ATTEMPTS):
            # To the microsecond: the list orders people by it, and a vendor may invite several in a second.
            now = self._clock.now()
            admission = self._limits.admit(person_id=person.user_id, group=f"vendor#{vendor_id}", now=now)
            invited = invited_person(
                contact,
                vendor_id=vendor_id,
                vendor_name=vendor.name,
                by_user_id=person.user_id,
                now=now,
                invited_by=actor.name or vendor.name,
            )
            event = _event(person, actor, AuditAction.USER_INVITED, origin, invited.user)
            try:
                with transaction() as tx:
                    for item, condition in invited.items:
                        tx.save(item, condition=condition)
                    tx.save(*audit_record(event, now=self._clock.now()))
                    admission.count(tx)
            except TransactWriteError as exc:
                if exc.cause_response_code == "TransactionCanceledException":
                    # The random username was taken, or the day's last invitation went meanwhile: look again.
                    continue
                raise
            return _describe(invited.user, person)
        raise Conflict("The login could not be created; please try again.")

    def remove(self, person: Principal, user_id: str, *, origin: Origin) -> None:
        """Offboard one of the vendor's people: the record and its invitation go at once, the login after."""
        vendor_id = _own_vendor(person)
        if user_id == person.user_id:
            raise Conflict(
                "You cannot remove yourself; ask a colleague of your vendor to do it.",
                detail_da="Du kan ikke fjerne dig selv. Bed en kollega hos jeres leverandør om at gøre det.",
            )
        user = _person_of(vendor_id, user_id)
        event = _event(person, _acting(person), AuditAction.USER_DELETED, origin, user)
        try:
            with transaction() as tx:
                # The remover is the witness: the vendor keeps an active person whatever else commits.
                tx.condition_check(UserModel, person.user_id, condition=vendor_person_condition(vendor_id))
                tx.delete(user, condition=UserModel.vendor_id == vendor_id)
                if user.invitation_id:
                    _revoke_invitation(tx, user.invitation_id)
                tx.save(*audit_record(event, now=self._clock.now()))
        except TransactWriteError as exc:
            if exc.cause_response_code == "TransactionCanceledException":
                raise Conflict(
                    "Your vendor's people changed meanwhile; look again and retry.",
                    detail_da="Jeres personer er ændret imens. Hent siden igen, og prøv igen.",
                ) from exc
            raise
        if user.status != UserStatus.INVITED.value:
            self._delete_login(user)

    def _delete_login(self, user: UserModel) -> None:
        try:
            self._logins.delete_login(user.user_id)
        except UpstreamUnavailable:
            # The record is gone, so the login reaches nothing, and its random username is never reused.
            logger.error("login left behind in the user pool", extra={"user_id": user.user_id})


def _own_vendor(person: Principal) -> str:
    if person.vendor_id is None:
        raise Forbidden("This is for a vendor's people, in the vendor console.")
    return person.vendor_id


def _person_of(vendor_id: str, user_id: str) -> UserModel:
    """One of the vendor's people, read consistently; anyone else's id is simply not found."""
    user = None
    if USER_ID.match(user_id):
        try:
            user = UserModel.get(user_id, consistent_read=True)
        except UserModel.DoesNotExist:
            user = None
    if user is None or user.kind != UserKind.VENDOR.value or user.vendor_id != vendor_id:
        raise NotFound("No such person at your vendor.")
    return user


@dataclass(frozen=True)
class _Acting:
    """Who acts, as the trail names them, and the address by which their own request finds that entry."""

    name: str | None
    email: str | None


def _acting(person: Principal) -> _Acting:
    user = get_user(person.user_id)
    return _Acting(None, None) if user is None else _Acting(user.full_name, user.email)


def _event(
    person: Principal, actor: _Acting, action: AuditAction, origin: Origin, user: UserModel
) -> AuditEvent:
    # In the staff trail with both names; each of the two finds it by their address.
    return AuditEvent(
        STAFF_TRAIL,
        action,
        Actor(ActorKind.USER, person.user_id, actor.name),
        origin,
        targets={"vendor_id": str(user.vendor_id), "user_id": user.user_id},
        details=_profile(user),
        mentions=(user.email, *((actor.email,) if actor.email else ())),
        names={"user": user.full_name},
    )


def _profile(user: UserModel) -> dict[str, Any]:
    return {"name": user.full_name, "email": user.email, "status": user.status}


def _revoke_invitation(tx: TransactWrite, invitation_id: str) -> None:
    """A withdrawn person's invitation stops working in the same transaction; one that TTL removed needs
    nothing."""
    invitation = get_invitation(invitation_id)
    if invitation is None or invitation.status == InvitationStatus.REVOKED.value:
        return
    tx.update(
        InvitationModel(invitation_id),
        actions=[
            InvitationModel.status.set(InvitationStatus.REVOKED.value),
            InvitationModel.revoked_because.set(RevokedBecause.WITHDRAWN.value),
        ],
        condition=still_live(),
    )


def _describe(user: UserModel, person: Principal) -> VendorPersonView:
    invited = user.status == UserStatus.INVITED.value
    return VendorPersonView(
        user_id=user.user_id,
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        status=user.status,
        created_at=isoformat(user.created_at),
        invitation_expires_at=(
            isoformat(user.invitation_expires_at) if invited and user.invitation_expires_at else None
        ),
        you=user.user_id == person.user_id,
    )
