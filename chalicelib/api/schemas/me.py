"""The bodies, answers and queries of the routes in `chalicelib/api/me.py`, as pydantic models.

Imported when one of those routes first parses a body or a query, or when the OpenAPI document is built;
never by `import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.fields import AuthenticatorCode, SmsVerificationCode, Strict


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


class SmsCodeSent(BaseModel):
    sent_to: str = Field(description="The mobile number on record, masked, that the code was texted to")
    next_step: str


class SmsCode(Strict):
    code: SmsVerificationCode = Field(description="The 6 digits texted to the mobile")


class SecondFactorReset(BaseModel):
    second_factor_enrolled: bool
    next_step: str
