"""The bodies, answers and queries of the routes in `chalicelib/api/routes/me.py`, as pydantic models.

Imported when one of those routes first parses a body or a query, or when the OpenAPI document is built;
never by `import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.fields import AuthenticatorCode, NewPassword, SmsVerificationCode, Strict


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


class MeVendor(BaseModel):
    vendor_id: str
    name: str


class Me(BaseModel):
    user: MeUser
    roles: list[str] = Field(description="`staff` for the operator's staff, `vendor` for a vendor's person")
    functions: list[str]
    organisation: MeOrganisation | None
    companies: list[MeCompany]
    vendor: MeVendor | None = Field(
        default=None, description="The vendor a vendor's person works for; null for everyone else"
    )


class AuthenticatorSecret(BaseModel):
    secret_code: str = Field(description="Base32 secret to enter in the authenticator app (shown once)")
    otpauth_uri: str


class AuthenticatorCodeForm(Strict):
    code: AuthenticatorCode = Field(description="The 6 digits the app shows now")


SIGN_IN_FROM = (
    "From when a new sign-in is accepted: the second after the change. A token issued in the same second "
    "as the change is refused, since its `iat` (whole seconds) cannot say whether it came before or after"
)
SIGN_IN_AFTER_MS = (
    "How long after this answer that is, in milliseconds (0 to 1000): wait this long, then sign in"
)


class SecondFactorDone(BaseModel):
    second_factor_enrolled: bool
    next_step: str
    sign_in_from: str = Field(description=SIGN_IN_FROM)
    sign_in_after_ms: int = Field(ge=0, le=1000, description=SIGN_IN_AFTER_MS)


class SmsCodeSent(BaseModel):
    sent_to: str = Field(description="The mobile number on record, masked, that the code was texted to")
    next_step: str


class SmsCode(Strict):
    code: SmsVerificationCode = Field(description="The 6 digits texted to the mobile")


class SecondFactorReset(BaseModel):
    second_factor_enrolled: bool
    next_step: str
    sign_in_from: str = Field(description=SIGN_IN_FROM)
    sign_in_after_ms: int = Field(ge=0, le=1000, description=SIGN_IN_AFTER_MS)


class SessionsEnded(BaseModel):
    sessions_ended_at: str = Field(
        description="Every access token issued up to this second is refused, and every refresh token revoked"
    )
    sign_in_from: str = Field(description=SIGN_IN_FROM)
    sign_in_after_ms: int = Field(ge=0, le=1000, description=SIGN_IN_AFTER_MS)
    next_step: str


class PasswordChange(Strict):
    old_password: str = Field(min_length=1, max_length=256, description="The current password")
    new_password: NewPassword = Field(
        description="The new password: at least 12 characters, with upper and lower case letters and digits "
        "(the user pool's policy, which decides), and not the current one",
    )
