"""A new colleague accepts the invitation from their mail and chooses a password."""

from __future__ import annotations

from typing import Any

from chalicelib.api.http.callers import ANYONE, Call
from chalicelib.api.http.routing import Routes
from chalicelib.container import container

routes = Routes(__name__, schemas="chalicelib.api.schemas.invitations", tag="Users")

NEXT_STEP = (
    "Sign in with the username from the mail and the password. At the first sign-in you enrol a second "
    "factor (authenticator app, or SMS to your mobile number); it is asked for at every sign-in after that."
)


@routes.post(
    "/v1/invitations/accept",
    rule=ANYONE,
    summary="Accept an invitation: the colleague's login is created with the password they choose",
    body="chalicelib.services.people.invitations:AcceptForm",
    response="InvitationAccepted",
    status=201,
    errors=(404, 409, 410, 503),
    description=(
        "The token is the invitation code from the mail. A password the policy refuses is a 400 with a "
        "`password` field error, and the invitation stays usable. Distinct problems: `invitation-unknown` "
        "(404), `invitation-used` (409; accepting twice changes nothing), `invitation-in-progress` (409), "
        "`invitation-expired` (410, after 7 days), `invitation-revoked` (410: a newer invitation was sent, "
        "or the user was deleted). Codes carry 192 random bits, so guessing one is not a practical attack."
    ),
)
def accept_invitation(call: Call) -> dict[str, Any]:
    done = container().invitations.accept(call.body(), origin=call.origin)
    return {
        "user_id": done.user_id,
        "username": done.user_id,
        "org_id": done.org_id,
        "vendor_id": done.vendor_id,
        "next_step": NEXT_STEP,
    }
