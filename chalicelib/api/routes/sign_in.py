"""Signing in with the e-mail address, and *Glemt adgangskode?* with it: the address becomes the login here,
and its second factor is answered here too (`chalicelib/services/access/sign_in_names.py`)."""

from __future__ import annotations

from typing import Any

from chalicelib.api.http.callers import ANYONE, Call
from chalicelib.api.http.routing import Routes
from chalicelib.container import container

routes = Routes(__name__, schemas="chalicelib.api.schemas.sign_in", tag="Sign-in")

LIMITS = (
    "Limited per caller (the source address) and per e-mail address, in sliding hours "
    "(`GODKEND_SIGN_INS_PER_CALLER_PER_HOUR`, `GODKEND_SIGN_INS_PER_ADDRESS_PER_HOUR`): beyond that 429 "
    "with Retry-After, before the identity provider is asked."
)
RESET_NEXT_STEP = (
    "If a login has this e-mail address, a code is on its way there. Enter it with a new password; the "
    "second factor is asked at the next sign-in as before."
)


@routes.post(
    "/v1/sign-in",
    rule=ANYONE,
    summary="Start a sign-in with the e-mail address instead of the username",
    body="chalicelib.services.access.sign_in_names:EmailSignInForm",
    response="SignInChallenge",
    errors=(401, 403, 409, 429, 503),
    description=(
        "Checks the password against the logins with this e-mail address (at most 3) and answers the "
        "second factor's challenge the identity provider asks next, with its session and the login's "
        "username; the console answers it at `POST /v1/sign-in/challenge`. Never tokens. One answer for an "
        "unknown address, a wrong password and a login that cannot sign in: 401 (`unauthenticated`). 403 "
        "(`second-factor-required`) when the password is right but the login has no second factor yet (or "
        "must set a new password): sign in with the username then. 409 when the password is right for more "
        "than one login with the address: sign in with the username. " + LIMITS
    ),
)
def sign_in(call: Call) -> dict[str, Any]:
    step = container().email_sign_in.sign_in(call.body(), source_ip=call.origin.source_ip)
    return {"challenge": step.challenge, "session": step.session, "username": step.username}


ANSWER_LIMITS = (
    "Limited per caller (the source address) and per username, in sliding hours "
    "(`GODKEND_SIGN_INS_PER_CALLER_PER_HOUR`, `GODKEND_SIGN_INS_PER_ADDRESS_PER_HOUR`): beyond that 429 "
    "with Retry-After, before the identity provider is asked."
)


@routes.post(
    "/v1/sign-in/challenge",
    rule=ANYONE,
    summary="Answer the second factor of a sign-in begun with the e-mail address",
    body="chalicelib.services.access.sign_in_names:ChallengeAnswerForm",
    response="SignInTokens",
    errors=(409, 429, 503),
    description=(
        "Answers the challenge `POST /v1/sign-in` gave (`SOFTWARE_TOKEN_MFA` or `SMS_MFA`) with the code, at "
        "the identity provider as the administrative call the session was made for. The tokens only after "
        "the second factor passed; any other challenge is 400. A wrong code is 400 with an `answer` field "
        "error; a session that has expired, was used or is another login's is 400 with a `session` field "
        "error: begin again with the password. 409 when the identity provider asks for yet another step: "
        "sign in with the username. " + ANSWER_LIMITS
    ),
)
def answer_challenge(call: Call) -> dict[str, Any]:
    tokens = container().email_sign_in.answer_challenge(call.body(), source_ip=call.origin.source_ip)
    return {
        "access_token": tokens.access_token,
        "id_token": tokens.id_token,
        "refresh_token": tokens.refresh_token,
        "expires_in": tokens.expires_in,
    }


@routes.post(
    "/v1/sign-in/forgotten-password",
    rule=ANYONE,
    summary="Glemt adgangskode? with the e-mail address: mail a code to the login(s) with it",
    body="chalicelib.services.access.sign_in_names:ResetCodeForm",
    response="ResetCodeAsked",
    status=202,
    errors=(429, 503),
    description=(
        "Always 202, whether or not a login has the address; the identity provider mails each login with "
        "it a code. The new password is then set with `POST /v1/sign-in/forgotten-password/confirm`. "
        + LIMITS
    ),
)
def ask_reset_code(call: Call) -> dict[str, Any]:
    container().email_sign_in.send_reset_code(call.body(), source_ip=call.origin.source_ip)
    return {"next_step": RESET_NEXT_STEP}


@routes.post(
    "/v1/sign-in/forgotten-password/confirm",
    rule=ANYONE,
    summary="Set a new password with the e-mail address and the mailed code",
    body="chalicelib.services.access.sign_in_names:NewPasswordForm",
    status=204,
    errors=(429, 503),
    description=(
        "Sets the new password of the login whose code it is. 400 with a `code` field error when the code "
        "is wrong or expired (or no login has the address), with a `password` field error when the policy "
        "refuses the password. The second factor is unchanged and asked at the next sign-in. Every session "
        "of the login from before ends, as at POST /v1/me/sign-out: its access tokens answer 401 and its "
        "refresh tokens draw no new ones; a wrong code ends nothing. A new sign-in is accepted from the next "
        "whole second on. " + LIMITS
    ),
)
def reset_password(call: Call) -> None:
    container().email_sign_in.reset_password(call.body(), source_ip=call.origin.source_ip)
