"""Activating the administrator login with the username and activation code from the letter."""

from __future__ import annotations

from typing import Any

from chalicelib.api.http.callers import ANYONE, Call
from chalicelib.api.http.routing import Routes
from chalicelib.container import container

routes = Routes(__name__, schemas="chalicelib.api.schemas.activations", tag="Onboarding")

NEXT_STEP = (
    "Sign in with the username and the password. At the first sign-in you enrol a second factor "
    "(authenticator app, or SMS to the mobile number); it is asked for at every sign-in after that."
)


@routes.post(
    "/v1/activations",
    rule=ANYONE,
    summary="Activate an administrator login with the letter's username and activation code",
    body="chalicelib.services.onboarding.activations:ActivationForm",
    response="ActivationDone",
    status=201,
    errors=(404, 409, 410, 423, 503),
    description=(
        "Creates the login with the chosen password (400 with a `password` field error when the password "
        "policy refuses it). Distinct problems: `wrong-activation-code` (400), `unknown-username` (404), "
        "`activation-used` (409), `activation-expired` (410, after 14 days), `activation-locked` (423, "
        "after 5 wrong tries; apply again for a new letter)."
    ),
)
def activate(call: Call) -> dict[str, Any]:
    done = container().activations.activate(call.body(), origin=call.origin)
    return {"user_id": done.user_id, "username": done.user_id, "org_id": done.org_id, "next_step": NEXT_STEP}
