"""The signed-in person: who they are, and the one step open before a second factor is enrolled."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from chalicelib.api.deps import container
from chalicelib.api.routing import ENROLLING, SIGNED_IN, Call, Routes
from chalicelib.fields import AuthenticatorCode, SmsVerificationCode, Strict
from chalicelib.services import me

routes = Routes(__name__, tag="Me")


class MeUser(BaseModel):
    user_id: str
    username: str
    first_name: str
    last_name: str
    email: str
    mobile: str
    status: str
    second_factor_enrolled: bool


class MeAccount(BaseModel):
    number: str
    name: str
    status: str


class MeCompany(BaseModel):
    cvr: str
    name: str
    access: str = Field(description="'full': every account of the company; 'limited': the ones listed")
    accounts: list[MeAccount]


class MeOrganisation(BaseModel):
    org_id: str
    name: str
    handle: str
    status: str


class Me(BaseModel):
    user: MeUser
    roles: list[str]
    functions: list[str]
    organisation: MeOrganisation | None
    companies: list[MeCompany]


class AuthenticatorSecret(BaseModel):
    secret_code: str = Field(description="Base32 secret to enter in the authenticator app (shown once)")
    otpauth_uri: str


class AuthenticatorCodeForm(Strict):
    code: AuthenticatorCode = Field(description="The 6 digits the app shows now")


class SecondFactorDone(BaseModel):
    second_factor_enrolled: bool
    next_step: str


# A person who has a second factor already: enrolment is refused (changing factor is its own step).
ALREADY = (409,)
SIGN_IN_AGAIN = "Sign in again; from now on the second factor is asked for at every sign-in."


@routes.get(
    "/v1/me", rule=SIGNED_IN, summary="Who am I: user, organisation, scope and functions", response=Me
)
def get_me(call: Call) -> dict[str, Any]:
    return me.describe(call.principal)


@routes.post(
    "/v1/me/second-factor/authenticator",
    rule=ENROLLING,
    summary="Start enrolling an authenticator app as second factor",
    response=AuthenticatorSecret,
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
    body=AuthenticatorCodeForm,
    response=SecondFactorDone,
    errors=ALREADY,
)
def verify_authenticator(call: Call) -> dict[str, Any]:
    code = call.body(AuthenticatorCodeForm).code
    container().identity.confirm_authenticator(call.principal, code)
    return {"second_factor_enrolled": True, "next_step": SIGN_IN_AGAIN}


class SmsCodeSent(BaseModel):
    sent_to: str = Field(description="The mobile number on record, masked, that the code was texted to")
    next_step: str


class SmsCode(Strict):
    code: SmsVerificationCode = Field(description="The 6 digits texted to the mobile")


class SecondFactorReset(BaseModel):
    second_factor_enrolled: bool
    next_step: str


@routes.post(
    "/v1/me/second-factor/sms",
    rule=ENROLLING,
    summary="Choose SMS as second factor: text a code to the registered mobile",
    response=SmsCodeSent,
    status=202,
    errors=ALREADY,
    description=(
        "Open to a signed-in person who has no second factor yet. SMS counts as the factor only once the "
        "code texted to the mobile number on record is entered at /v1/me/second-factor/sms/verify; a new "
        "request replaces the previous code."
    ),
)
def choose_sms(call: Call) -> dict[str, Any]:
    sent_to = container().identity.send_sms_code(call.principal)
    return {"sent_to": sent_to, "next_step": "Enter the code at /v1/me/second-factor/sms/verify."}


@routes.post(
    "/v1/me/second-factor/sms/verify",
    rule=ENROLLING,
    summary="Finish choosing SMS with the code texted to the mobile",
    body=SmsCode,
    response=SecondFactorDone,
    errors=(409, 429),
)
def verify_sms(call: Call) -> dict[str, Any]:
    container().identity.verify_sms_code(call.principal, call.body(SmsCode).code)
    return {"second_factor_enrolled": True, "next_step": SIGN_IN_AGAIN}


@routes.post(
    "/v1/me/second-factor/reset",
    rule=SIGNED_IN,
    summary="Remove the second factor, to enrol another one",
    response=SecondFactorReset,
    description=(
        "Changing factor is its own step: it needs a sign-in (password and the current factor) of the last 5 "
        "minutes, else 403. It removes the factor and ends every session; sign in again with the password "
        "and enrol the new factor."
    ),
)
def reset_second_factor(call: Call) -> dict[str, Any]:
    container().identity.reset_second_factor(call.principal)
    return {
        "second_factor_enrolled": False,
        "next_step": "Sign in again with your password, then enrol a new second factor.",
    }
