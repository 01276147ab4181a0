"""Glemt adgangskode? ends every session from before, as signing out does: people reset because a laptop was
stolen or a shared computer stayed signed in, so a session begun with the old password must not outlive it.
A reset with a wrong code ends nothing. Both ways the console resets are covered: with the e-mail address
through the API, and with the username at Cognito itself, whose PostConfirmation trigger ends the sessions
(`chalicelib/events/sign_in.py`; moto calls no triggers, so the test gives it Cognito's event)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from chalice.local import LambdaContext

from app import app
from chalicelib.models.user import UserModel, end_sessions_of, sign_in_from
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


def confirmation(people: People, login: Any, trigger: str) -> dict[str, Any]:
    """The event Cognito gives its PostConfirmation trigger, as it documents it."""
    return {
        "version": "1",
        "region": "eu-west-1",
        "userPoolId": people.pool.user_pool_id,
        "userName": login.username,
        "callerContext": {"awsSdkVersion": "aws-sdk-js-3.0.0", "clientId": people.pool.client_id},
        "triggerSource": trigger,
        "request": {
            "userAttributes": {
                "sub": "5b1c4e2a-8f3d-4a7e-9c6b-2d1e0f9a8b7c",
                "cognito:user_status": "CONFIRMED",
                "email_verified": "true",
                "email": "ida.holm@example.org",
            }
        },
        "response": {},
    }


def confirmed_at_cognito(cognito: Any, people: People, login: Any, tmp_path: Path) -> None:
    """The console's own reset with the username: ForgotPassword and ConfirmForgotPassword at Cognito."""
    cognito.forgot_password(ClientId=people.pool.client_id, Username=login.username)
    _, code = mailed_code(tmp_path)
    cognito.confirm_forgot_password(
        ClientId=people.pool.client_id,
        Username=login.username,
        ConfirmationCode=code,
        Password=NEW_PASSWORD,
    )


def test_a_reset_at_cognito_ends_the_sessions_from_before_through_the_pools_trigger(
    client, people: People, cognito, tmp_path: Path
):
    # Given a signed-in person who resets the password with the username, at Cognito itself
    mail_forgotten_password_codes(tmp_path)
    login, old_token, old_refresh = signed_in_twice(cognito, people, address())
    confirmed_at_cognito(cognito, people, login, tmp_path)

    # When Cognito calls the pool's trigger after the confirmation
    event = confirmation(people, login, "PostConfirmation_ConfirmForgotPassword")
    answer = app.handler_map["end_sessions_on_reset"](event, LambdaContext("end_sessions_on_reset", 256))

    # Then the trigger answers the event as Cognito expects it back
    assert answer == event
    # And the old session is refused on its next request, and cannot draw new tokens
    assert_refused_everywhere(client, old_token)
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        refreshed(cognito, people, old_refresh)
    # And the new password signs in from the next second on
    wait_for_sign_in(sign_in_from(UserModel.get(login.username).tokens_valid_from))
    token = sign_in(cognito, people.pool.client_id, login.username, NEW_PASSWORD, login.totp_secret)
    assert me(client, token).status_code == 200


@pytest.mark.parametrize("other_pool", [False, True])
def test_the_trigger_ends_nothing_for_another_confirmation_or_another_pool(
    client, people: People, cognito, other_pool: bool
):
    # Given a signed-in person
    login, token, refresh = signed_in_twice(cognito, people, address())

    # When the trigger hears of a confirmed sign-up, or of a reset in a pool that is not the service's
    event = confirmation(people, login, "PostConfirmation_ConfirmSignUp")
    if other_pool:
        event = {**confirmation(people, login, "PostConfirmation_ConfirmForgotPassword")}
        event["userPoolId"] = "eu-west-1_SomeOther"
    answer = app.handler_map["end_sessions_on_reset"](event, LambdaContext("end_sessions_on_reset", 256))

    # Then it answers the event and the session stands
    assert answer == event
    assert me(client, token).status_code == 200
    assert me(client, refreshed(cognito, people, refresh)).status_code == 200


def test_ending_the_sessions_of_a_login_removed_meanwhile_writes_no_stub_of_its_record(people: People):
    # Given a person's record, read just before the person was removed (a reset's trigger and a colleague's
    # removal at the same moment)
    person = people.member(people.organisation())
    read = UserModel.get(person.user_id)
    UserModel.get(person.user_id).delete()

    # When the sessions of the record read are ended
    end_sessions_of(read, datetime.now(UTC))

    # Then the removed record stays removed: no record holding only a session's end is written back
    with pytest.raises(UserModel.DoesNotExist):
        UserModel.get(person.user_id)
