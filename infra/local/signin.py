"""Signing in to the user pool as a front end would: password, then the second factor if asked for it."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from infra.local.totp import fresh_totp


class SignInRefused(Exception):
    pass


def sign_in(
    cognito: Any, client_id: str, username: str, password: str, totp_secret: str | None = None
) -> str:
    """Answers an access token."""
    answer = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )
    challenge = answer.get("ChallengeName")
    if challenge == "SOFTWARE_TOKEN_MFA":
        if totp_secret is None:
            raise SignInRefused("the pool asks for an authenticator code and none was given")
        answer = cognito.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName=challenge,
            Session=answer["Session"],
            ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": fresh_totp(totp_secret)},
        )
    elif challenge is not None:
        raise SignInRefused(f"unexpected challenge {challenge}")
    return str(answer["AuthenticationResult"]["AccessToken"])


def wait_for_sign_in(sign_in_from: str | datetime) -> None:
    """Waits until a new sign-in's token will be accepted after a change that ended the login's sessions:
    `sign_in_from`, as an answer of the service states it (enrolment, sign-out, a new password) or as
    `chalicelib.models.user.sign_in_from` computes it from the record. A token issued in the same second as
    such a change is refused, so a sign-in right after one waits for the next second, and no longer."""
    at = datetime.fromisoformat(sign_in_from) if isinstance(sign_in_from, str) else sign_in_from
    time.sleep(max(0.0, at.timestamp() - time.time()))


def enrol_authenticator(cognito: Any, access_token: str) -> str:
    """Enrol an authenticator app for the signed-in user directly with Cognito; answers its secret."""
    secret = str(cognito.associate_software_token(AccessToken=access_token)["SecretCode"])
    cognito.verify_software_token(AccessToken=access_token, UserCode=fresh_totp(secret))
    cognito.set_user_mfa_preference(
        AccessToken=access_token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    return secret
