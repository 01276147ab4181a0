"""The vendor console's colleagues: a vendor's people (signed in with a Cognito token, never an API key)
see, invite and remove the people of their own vendor. Another vendor's person answers 404, as if they did
not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.api.http.callers import VENDOR_PERSON, Call
from chalicelib.api.http.routing import Routes
from chalicelib.container import container

if TYPE_CHECKING:
    from chalicelib.services.people.vendor_people import VendorPersonView

routes = Routes(__name__, schemas="chalicelib.api.schemas.vendor_users", tag="Vendor console")


@routes.get(
    "/v1/vendor/users",
    rule=VENDOR_PERSON,
    summary="The vendor's people, newest first: name, e-mail, status",
    response="VendorPeople",
)
def list_people(call: Call) -> dict[str, Any]:
    return {"items": container().vendor_people.people(call.principal)}


@routes.post(
    "/v1/vendor/users",
    rule=VENDOR_PERSON,
    summary="Invite a colleague to the vendor console; they are mailed an invitation at once",
    body="chalicelib.services.people.vendor_people:VendorContact",
    response="VendorPerson",
    status=201,
    errors=(429,),
    description="The person starts 'invited': the mail states the username and a single-use invitation "
    "code, valid 7 days, which they accept at POST /v1/invitations/accept and then enrol a second factor, "
    "as the vendor's contact did. Audited in the staff trail with both names. Invitations are limited per "
    "inviting person and per vendor in a sliding day (`GODKEND_INVITATIONS_PER_PERSON_PER_DAY`, "
    "`GODKEND_INVITATIONS_PER_GROUP_PER_DAY`): beyond that 429 with Retry-After, and nothing is sent or "
    "written.",
)
def invite_person(call: Call) -> VendorPersonView:
    return container().vendor_people.invite(call.principal, call.body(), origin=call.origin)


@routes.delete(
    "/v1/vendor/users/{user_id}",
    rule=VENDOR_PERSON,
    summary="Remove one of the vendor's people: their login goes and their sessions end at once",
    status=204,
    errors=(404, 409),
    description="The record and the login go, and a pending invitation stops working; the person's next "
    "request is refused. Nobody removes themselves, and the vendor keeps at least one active person "
    "(409). Another vendor's person is 404.",
)
def remove_person(call: Call, user_id: str) -> None:
    container().vendor_people.remove(call.principal, user_id, origin=call.origin)
