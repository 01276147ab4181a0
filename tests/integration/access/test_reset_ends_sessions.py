"""Glemt adgangskode? ends every session from before, as signing out does: people reset because a laptop was
stolen or a shared computer stayed signed in, so a session begun with the old password must not outlive it.
A reset with a wrong code ends nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib.models.user import UserModel, sign_in_from
from infra.local.emulator import mail_forgotten_password_codes
from infra.local.signin import sign_in, wait_for_sign_in
from infra.local.totp import fresh_totp
from tests.integration.access.test_password_recovery import NEW_PASSWORD, mailed_code
from tests.integration.access.test_sessions import assert_refused_everywhere, bearer, me
from tests.integration.access.test_sign_in_with_email import address, login_with
from tests.people import People, refreshed

JSON = {"Content-Type": "application/json"}
ASK = "/v1/sign-in/forgotten-password"
CONFIRM = "/v1/sign-in/forgotten-password/confirm"


def post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.http.post(path, headers=JSON, body=json.dumps(body))


def signed_in_twice(cognito: Any, people: People, email: str) -> tuple[Any, str, str]:
    """A login with the address and an authenticator, signed in on a device that keeps its refresh token:
    the login, that device's access token and its refresh token."""
    login = login_with(cognito, people, email)
    answer = cognito.initiate_auth(
        ClientId=people.pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": login.username, "PASSWORD": login.password},
    )
    answer = cognito.respond_to_auth_challenge(
        ClientId=people.pool.client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=answer["Session"],
        ChallengeResponses={
            "USERNAME": login.username,
            "SOFTWARE_TOKEN_MFA_CODE": fresh_totp(str(login.totp_secret)),
        },
    )
    result = answer["AuthenticationResult"]
    return login, str(result["AccessToken"]), str(result["RefreshToken"])


def test_a_reset_with_the_mailed_code_ends_the_sessions_from_before_and_the_new_password_signs_in(
    client, people: People, cognito, tmp_path: Path
):
    # Given a person signed in on a computer they no longer trust, and the emulator mailing Cognito's codes
    mail_forgotten_password_codes(tmp_path)
    email = address()
    login, old_token, old_refresh = signed_in_twice(cognito, people, email)
    assert me(client, old_token).status_code == 200

    # When they reset the password with the mailed code
    assert post(client, ASK, {"email": email}).status_code == 202
    _, code = mailed_code(tmp_path)
    done = post(client, CONFIRM, {"email": email, "code": code, "password": NEW_PASSWORD})

    # Then the old session's very next request is refused as a signed-out one is
    assert done.status_code == 204, done.body
    assert_refused_everywhere(client, old_token)
    # And its refresh token no longer draws new tokens
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        refreshed(cognito, people, old_refresh)
    # And the new password signs in, with the second factor, from the next second on
    ended = UserModel.get(login.username).tokens_valid_from
    wait_for_sign_in(sign_in_from(ended))
    token = sign_in(cognito, people.pool.client_id, login.username, NEW_PASSWORD, login.totp_secret)
    assert client.http.get("/v1/me", headers=bearer(token)).status_code == 200


def test_a_reset_with_a_wrong_code_ends_nothing(client, people: People, cognito, tmp_path: Path):
    # Given a signed-in person who asked for a code
    mail_forgotten_password_codes(tmp_path)
    email = address()
    login, token, refresh = signed_in_twice(cognito, people, email)
    assert post(client, ASK, {"email": email}).status_code == 202

    # When somebody tries a wrong code
    wrong = post(client, CONFIRM, {"email": email, "code": "000000", "password": NEW_PASSWORD})

    # Then it is refused, and the session stands: its token works and its refresh token draws new ones
    assert wrong.status_code == 400, wrong.body
    assert me(client, token).status_code == 200
    assert me(client, refreshed(cognito, people, refresh)).status_code == 200
    assert UserModel.get(login.username).tokens_valid_from is None
