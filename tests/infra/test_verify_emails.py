"""The one-off step after the deploy that made recovery e-mail only: logins made before it get their e-mail
marked verified, so *Glemt adgangskode?* can reach them."""

from __future__ import annotations

from typing import Any

from infra.local.provision import UserPool
from infra.verify_emails import verify_emails


def attributes(cognito: Any, pool: UserPool, username: str) -> dict[str, str]:
    user = cognito.admin_get_user(UserPoolId=pool.user_pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def old_login(cognito: Any, pool: UserPool, username: str, email: str) -> None:
    """A login as the service made them before: its e-mail not marked verified."""
    cognito.admin_create_user(
        UserPoolId=pool.user_pool_id,
        Username=username,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "phone_number", "Value": "+4522334455"}],
        MessageAction="SUPPRESS",
    )


def test_logins_made_before_get_a_verified_e_mail_once(cognito, pool: UserPool):
    # Given more logins than one page of ListUsers holds, made with unverified e-mail addresses
    usernames = [f"adm-old{n:05d}" for n in range(65)]
    for n, username in enumerate(usernames):
        old_login(cognito, pool, username, f"person{n}@example.org")

    # When the step runs
    marked = verify_emails(cognito, pool.user_pool_id)

    # Then every one of them has its e-mail verified, and nothing else changed
    assert sorted(marked) == usernames
    assert all(attributes(cognito, pool, u)["email_verified"] == "true" for u in usernames)
    assert attributes(cognito, pool, usernames[7])["email"] == "person7@example.org"
    # And running it again changes nothing
    assert verify_emails(cognito, pool.user_pool_id) == []
