"""The signed-in person: who they are, and the one step open before a second factor is enrolled."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.api.http.callers import ENROLLING, SIGNED_IN, Call
from chalicelib.api.http.routing import Routes
from chalicelib.clock import isoformat
from chalicelib.container import container

if TYPE_CHECKING:
    from chalicelib.services.access.sessions import SessionsEnded
    from chalicelib.services.people.me import MeView

routes = Routes(__name__, schemas="chalicelib.api.schemas.me", tag="Me")


# A person who has a second factor already: enrolment is refused (changing factor is its own step).
ALREADY = (409,)

SIGN_IN_AGAIN = "Sign in again; from now on the second factor is asked for at every sign-in."


def _sign_in_again(changed_at: datetime) -> dict[str, Any]:
    """When the caller may sign in again after a change that ended its sessions (see services/sessions)."""
    from chalicelib.services.access.sessions import sessions_ended

    ended = sessions_ended(changed_at, container().clock.now())
    return {"sign_in_from": isoformat(ended.sign_in_from), "sign_in_after_ms": ended.wait_ms}


@routes.get(
    "/v1/me", rule=SIGNED_IN, summary="Who am I: user, organisation, scope and functions", response="Me"
)
def get_me(call: Call) -> MeView:
    from chalicelib.services.people import me

    return me.describe(call.principal)


@routes.post(
    "/v1/me/second-factor/authenticator",
    rule=ENROLLING,
    summary="Start enrolling an authenticator app as second factor",
    response="AuthenticatorSecret",
    errors=ALREADY,
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
    body="AuthenticatorCodeForm",
    response="SecondFactorDone",
    errors=ALREADY,
)
def verify_authenticator(call: Call) -> dict[str, Any]:
    code = call.body().code
    changed_at = container().identity.confirm_authenticator(call.principal, code)
    return {"second_factor_enrolled": True, "next_step": SIGN_IN_AGAIN, **_sign_in_again(changed_at)}


@routes.post(
    "/v1/me/second-factor/sms",
    rule=ENROLLING,
    summary="Choose SMS as second factor: text a code to the registered mobile",
    response="SmsCodeSent",
    status=202,
    errors=(409, 429),
    description=(
        "Open to a signed-in person who has no second factor yet. SMS counts as the factor only once the "
        "code texted to the mobile number on record is entered at /v1/me/second-factor/sms/verify; a new "
        "request replaces the previous code. At most 3 texts in any 15 minutes and 10 in any 24 hours, to "
        "a login and to a mobile number: beyond that 429 with Retry-After, and nothing is sent."
    ),
)
def choose_sms(call: Call) -> dict[str, Any]:
    sent_to = container().identity.send_sms_code(call.principal)
    return {"sent_to": sent_to, "next_step": "Enter the code at /v1/me/second-factor/sms/verify."}


@routes.post(
    "/v1/me/second-factor/sms/verify",
    rule=ENROLLING,
    summary="Finish choosing SMS with the code texted to the mobile",
    body="SmsCode",
    response="SecondFactorDone",
    errors=(409, 429),
)
def verify_sms(call: Call) -> dict[str, Any]:
    changed_at = container().identity.verify_sms_code(call.principal, call.body().code)
    return {"second_factor_enrolled": True, "next_step": SIGN_IN_AGAIN, **_sign_in_again(changed_at)}


@routes.post(
    "/v1/me/second-factor/reset",
    rule=SIGNED_IN,
    summary="Remove the second factor, to enrol another one",
    response="SecondFactorReset",
    description=(
        "Changing factor is its own step: it needs a sign-in (password and the current factor) of the last 5 "
        "minutes, else 403. It removes the factor and ends every session; sign in again with the password "
        "and enrol the new factor."
    ),
)
def reset_second_factor(call: Call) -> dict[str, Any]:
    changed_at = container().identity.reset_second_factor(call.principal)
    return {
        "second_factor_enrolled": False,
        "next_step": "Sign in again with your password, then enrol a new second factor.",
        **_sign_in_again(changed_at),
    }


def _ended(changed: SessionsEnded) -> dict[str, Any]:
    return {
        "sessions_ended_at": isoformat(changed.ended_at),
        "sign_in_from": isoformat(changed.sign_in_from),
        "sign_in_after_ms": changed.wait_ms,
    }


@routes.post(
    "/v1/me/sign-out",
    rule=ENROLLING,
    summary="Sign out everywhere: end every session of this login, this one too",
    response="SessionsEnded",
    errors=(503,),
    description=(
        "Revokes every refresh token of the login (Cognito's global sign-out) and refuses, from now on, "
        "every access token issued up to this second, on every route. Open before a second factor is "
        "enrolled too."
    ),
)
def sign_out(call: Call) -> dict[str, Any]:
    ended = container().sessions.sign_out(call.principal)
    return {**_ended(ended), "next_step": "Forget the tokens; sign in again to continue."}


@routes.post(
    "/v1/me/password",
    rule=SIGNED_IN,
    summary="Change the password: every session ends, this one too",
    body="PasswordChange",
    response="SessionsEnded",
    errors=(429, 503),
    description=(
        "The current password proves the change (a wrong one is a field error on `old_password`; a new one "
        "the password policy refuses, on `new_password`). Then every session of the login ends as at "
        "POST /v1/me/sign-out, so a session somebody else holds ends too; sign in again with the new "
        "password and the second factor, from `sign_in_from` on."
    ),
)
def change_password(call: Call) -> dict[str, Any]:
    form = call.body()
    ended = container().sessions.change_password(call.principal, old=form.old_password, new=form.new_password)
    return {**_ended(ended), "next_step": "Sign in again with the new password and your second factor."}
