"""The answers of the routes in `chalicelib/api/routes/sign_in.py`, as pydantic models.

Imported when one of those routes first answers, or when the OpenAPI document is built; never by `import app`,
so a cold start does not pay for pydantic."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class SignInChallenge(BaseModel):
    """Cognito's next step of the sign-in, for the console to answer at Cognito (RespondToAuthChallenge)."""

    challenge: Literal["SOFTWARE_TOKEN_MFA", "SMS_MFA", "MFA_SETUP", "NEW_PASSWORD_REQUIRED"]
    session: str = Field(description="Cognito's session of this sign-in, for RespondToAuthChallenge")
    username: str = Field(description="The login's username, as RespondToAuthChallenge names it")


class ResetCodeAsked(BaseModel):
    next_step: str
