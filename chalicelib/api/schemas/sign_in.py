"""The answers of the routes in `chalicelib/api/routes/sign_in.py`, as pydantic models.

Imported when one of those routes first answers, or when the OpenAPI document is built; never by `import app`,
so a cold start does not pay for pydantic."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class SignInChallenge(BaseModel):
    """Cognito's next step of the sign-in, the second factor, for the console to answer at
    POST /v1/sign-in/challenge."""

    challenge: Literal["SOFTWARE_TOKEN_MFA", "SMS_MFA"]
    session: str = Field(description="Cognito's session of this sign-in, for POST /v1/sign-in/challenge")
    username: str = Field(description="The login's username, for POST /v1/sign-in/challenge")


class SignInTokens(BaseModel):
    """Cognito's tokens, answered only after the second factor passed; renewed at Cognito
    (REFRESH_TOKEN_AUTH) as any other sign-in's."""

    access_token: str
    id_token: str
    refresh_token: str
    expires_in: int = Field(description="Seconds the access token lasts")


class ResetCodeAsked(BaseModel):
    next_step: str
