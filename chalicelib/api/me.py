"""The signed-in person: who they are, and the one step open before a second factor is enrolled."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.api.deps import container
from chalicelib.api.routing import ENROLLING, SIGNED_IN, Call, Routes
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


class AuthenticatorCode(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=6, max_length=6, description="The 6 digits the app shows now")


class SecondFactorDone(BaseModel):
    second_factor_enrolled: bool
    next_step: str


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
    body=AuthenticatorCode,
    response=SecondFactorDone,
)
def verify_authenticator(call: Call) -> dict[str, Any]:
    code = call.body(AuthenticatorCode).code
    container().identity.confirm_authenticator(call.principal, code)
    return {"second_factor_enrolled": True, "next_step": SIGN_IN_AGAIN}


@routes.post(
    "/v1/me/second-factor/sms",
    rule=ENROLLING,
    summary="Choose SMS to the registered mobile as second factor",
    response=SecondFactorDone,
)
def choose_sms(call: Call) -> dict[str, Any]:
    container().identity.choose_sms(call.principal)
    return {"second_factor_enrolled": True, "next_step": SIGN_IN_AGAIN}
