"""A vendor's people: logins to the vendor console. Staff create the first one with the vendor (its
contact); each gets an invitation mail, accepts it at `POST /v1/invitations/accept` and enrols a second
factor exactly as an organisation's colleague does. A vendor person has no organisation and no functions:
the only routes they reach are `/v1/me` and the vendor console's `/v1/vendor/...`, for their own vendor.

Access patterns
- the person by id / Cognito username ... GetItem users[user_id] (as every login)
- the person's vendor ................... GetItem vendors[vendor_id], the id from the person's record
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import Field
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model

from chalicelib.fields import Email, Mobile, PersonName, Strict
from chalicelib.models.outbox import Language
from chalicelib.models.user import UserKind, UserModel, UserStatus
from chalicelib.services.people.colleagues import new_username
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
    contact: VendorContact, *, vendor_id: str, vendor_name: str, by_user_id: str, now: datetime
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
        invited_by=OPERATOR_NAME,
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
