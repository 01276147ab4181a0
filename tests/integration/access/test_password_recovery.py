"""Glemt adgangskode?: Cognito's forgotten-password flow, as the login the service makes meets it.

Cognito mails the code only to a verified e-mail address, checks the code and the pool's password policy, and
leaves the second factor as it was. The local emulator plays that part (`mail_forgotten_password_codes`); the
login's side (a verified e-mail) is the service's own.
"""

from __future__ import annotations

import email
import re
from email.policy import default
from pathlib import Path
from typing import Any

import pytest

from infra.local.emulator import mail_forgotten_password_codes
from infra.local.signin import enrol_authenticator, sign_in
from tests.onboarding import STRONG_PASSWORD, activate, apply, letters, username_and_code
from tests.people import People

NEW_PASSWORD = "Ny-Sikker-Adgang-2027"


def activated(client: Any) -> str:
    """An administrator who applied and activated; answers the username."""
    assert apply(client).status_code == 202
    username, code = username_and_code(letters()[-1])
    assert activate(client, username, code).status_code == 201
    return username


def mailed_code(mail_dir: Path) -> tuple[str, str]:
    """The one mail in `mail_dir`: its recipient and the six-digit code in it."""
    (path,) = sorted(mail_dir.glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=default)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"\b(\d{6})\b", body.get_content())
    assert found, body.get_content()
    return str(message["To"]), found.group(1)


def test_a_new_login_has_a_verified_e_mail_so_a_reset_code_can_reach_it(client, people: People, cognito):
    # Given an administrator who has just activated
    username = activated(client)

    # When Cognito is asked to reset the password (it refuses a login with no verified e-mail or mobile)
    cognito.admin_reset_user_password(UserPoolId=people.pool.user_pool_id, Username=username)

    # Then the login's e-mail is marked verified
    user = cognito.admin_get_user(UserPoolId=people.pool.user_pool_id, Username=username)
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["email_verified"] == "true"


def test_glemt_adgangskode_mails_a_code_and_the_second_factor_is_still_asked(
    client, people: People, cognito, tmp_path: Path
):
    # Given an administrator with an authenticator app, and the emulator mailing Cognito's codes
    mail_forgotten_password_codes(tmp_path)
    username = activated(client)
    secret = enrol_authenticator(cognito, sign_in(cognito, people.pool.client_id, username, STRONG_PASSWORD))
    client_id = people.pool.client_id

    # When they ask for a code
    cognito.forgot_password(ClientId=client_id, Username=username)

    # Then it is mailed to their address
    to, code = mailed_code(tmp_path)
    assert to == "ida.holm@example.org"
    # And a wrong code is refused, and so is a password the policy refuses
    with pytest.raises(cognito.exceptions.CodeMismatchException):
        cognito.confirm_forgot_password(
            ClientId=client_id, Username=username, ConfirmationCode="000000", Password=NEW_PASSWORD
        )
    with pytest.raises(cognito.exceptions.InvalidPasswordException):
        cognito.confirm_forgot_password(
            ClientId=client_id, Username=username, ConfirmationCode=code, Password="kort"
        )
    # When they choose a new password with the mailed code
    cognito.confirm_forgot_password(
        ClientId=client_id, Username=username, ConfirmationCode=code, Password=NEW_PASSWORD
    )

    # Then the new password signs in only with the authenticator's code still asked
    answer = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": NEW_PASSWORD},
    )
    assert answer["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert "AuthenticationResult" not in answer
    assert sign_in(cognito, client_id, username, NEW_PASSWORD, secret)
    # And the code cannot be used again
    with pytest.raises(cognito.exceptions.ClientError, match=r"ExpiredCode|CodeMismatch"):
        cognito.confirm_forgot_password(
            ClientId=client_id, Username=username, ConfirmationCode=code, Password=STRONG_PASSWORD
        )


def test_glemt_adgangskode_answers_an_unknown_name_as_a_known_one(people: People, cognito, tmp_path: Path):
    # Given the emulator mailing Cognito's codes
    mail_forgotten_password_codes(tmp_path)

    # When a stranger asks for a code for a name no login has
    answer = cognito.forgot_password(ClientId=people.pool.client_id, Username="adm-nobody00")

    # Then the answer looks like any other, and no mail goes anywhere
    assert "CodeDeliveryDetails" in answer
    assert list(tmp_path.glob("*.eml")) == []
