"""The signed-in person: who they are, and the one step open before a second factor is enrolled."""

from __future__ import annotations

from typing import Any

from chalicelib.api.deps import container
from chalicelib.api.routing import ENROLLING, SIGNED_IN, Call, Routes

routes = Routes(__name__, schemas="chalicelib.api.schemas.me", tag="Me")


SIGN_IN_AGAIN = "Sign in again; from now on the second factor is asked for at every sign-in."


@routes.get(
    "/v1/me", rule=SIGNED_IN, summary="Who am I: user, organisation, scope and functions", response="Me"
)
def get_me(call: Call) -> dict[str, Any]:
    from chalicelib.services import me

    return me.describe(call.principal)


@routes.post(
    "/v1/me/second-factor/authenticator",
    rule=ENROLLING,
    summary="Start enrolling an authenticator app as second factor",
    response="AuthenticatorSecret",
    description="Open to a signed-in person who has no second factor yet; answers the secret for the app.",
)
def start_authenticator(call: Call) -> dict[str, Any]:
    secret = container().identity.start_authenticator(call.principal)
    return {
        "secret_code": secret,
        "otpauth_uri": f"otpauth://totp/Godkend:{call.principal.user_id}?secret={secret}&issuer=Godkend",
    }


@routes.post(
    "/v1/me/second-factor/authenticator/verify",
    rule=ENROLLING,
    summary="Finish enrolling the authenticator app with a code it shows",
    body="AuthenticatorCode",
    response="SecondFactorDone",
)
def verify_authenticator(call: Call) -> dict[str, Any]:
    code = call.body().code
    container().identity.confirm_authenticator(call.principal, code)
    return {"second_factor_enrolled": True, "next_step": SIGN_IN_AGAIN}


@routes.post(
    "/v1/me/second-factor/sms",
    rule=ENROLLING,
    summary="Choose SMS to the registered mobile as second factor",
    response="SecondFactorDone",
)
def choose_sms(call: Call) -> dict[str, Any]:
    container().identity.choose_sms(call.principal)
    return {"second_factor_enrolled": True, "next_step": SIGN_IN_AGAIN}
