"""A token is as good as the user's state now: a change of second factor, status, functions or scope, a
sign-out and a new password end every session from before it (401), and a token from the change's own second
too (its `iat` counts whole seconds, so it cannot prove it came after); the sign-in that follows the change,
from the next second on, is accepted."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from chalicelib.clock import FixedClock, OffsetClock, StepClock
from chalicelib.container import Container, use_container
from chalicelib.models.user import UserKind, UserModel, change_kind
from chalicelib.services.access.authz import Function
from infra.local.signin import sign_in, wait_for_sign_in
from infra.local.totp import fresh_totp
from tests.colleagues import patch_user
from tests.integration.access.test_authentication import assert_problem
from tests.people import (
    PASSWORD,
    People,
    Person,
    after_the_last_change_of,
    json_of,
    refresh_token_of,
    refreshed,
)
from tests.sms import last_code_to, texts_to

JSON = {"content-type": "application/json"}


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@pytest.fixture
def clock(container: Container) -> StepClock:
    assert isinstance(container.clock, StepClock)
    return container.clock


def past_the_second_of(clock: StepClock, token: str) -> None:
    """Steps the service's clock past the second the token was issued in (its `iat` counts seconds), so a
    change made now is unmistakably later than the token, without waiting for that second to end."""
    ahead = the_second_of(token) + timedelta(seconds=1) - clock.now()
    if ahead > timedelta(0):
        clock.step(ahead)


def me(client: Any, token: str) -> Any:
    return client.http.get("/v1/me", headers=bearer(token))


def post(client: Any, path: str, token: str, body: str | None = None) -> Any:
    return client.http.post(path, headers={**bearer(token), **JSON}, body=body.encode() if body else None)


def enrol_authenticator_through_the_service(client: Any, person: Person) -> tuple[str, dict[str, Any]]:
    """Answers the app's secret and the enrolment's answer."""
    started = post(client, "/v1/me/second-factor/authenticator", person.token)
    assert started.status_code == 200, started.body
    secret = str(json_of(started)["secret_code"])
    done = post(
        client,
        "/v1/me/second-factor/authenticator/verify",
        person.token,
        f'{{"code": "{fresh_totp(secret)}"}}',
    )
    assert done.status_code == 200, done.body
    return secret, json_of(done)


def the_second_of(token: str) -> datetime:
    return datetime.fromtimestamp(int(jwt.decode(token, options={"verify_signature": False})["iat"]), UTC)


def test_a_password_only_token_from_before_enrolment_answers_401_and_the_next_sign_in_is_accepted(
    client, people: People, cognito, clock: StepClock
):
    # Given a person who signed in with only a password, a second ago
    person = people.member(people.organisation(), enrolled=False)
    past_the_second_of(clock, person.token)

    # When they enrol an authenticator app with that token
    secret, done = enrol_authenticator_through_the_service(client, person)

    # Then the password-only token is dead, everywhere (the enrolment step included)
    assert_problem(me(client, person.token), 401, "unauthenticated")
    assert_problem(post(client, "/v1/me/second-factor/authenticator", person.token), 401, "unauthenticated")
    # And the answer says from when a sign-in is accepted: the second after the change, at most a second off
    changed = UserModel.get(person.user_id).tokens_valid_from
    assert done["sign_in_from"] == (changed + timedelta(seconds=1)).isoformat().replace("+00:00", "Z")
    assert 0 <= done["sign_in_after_ms"] <= 1000
    # And a sign-in from then on is accepted
    wait_for_sign_in(done["sign_in_from"])
    token = sign_in(cognito, people.pool.client_id, person.user_id, PASSWORD, secret)
    assert me(client, token).status_code == 200


def test_an_enrolled_user_cannot_switch_factor_with_a_bare_token(client, people: People):
    # Given a user with an authenticator app
    person = people.member(people.organisation())

    # When their token (or someone holding it) tries any enrolment step
    for path, body in (
        ("/v1/me/second-factor/sms", None),
        ("/v1/me/second-factor/sms/verify", '{"code": "123456"}'),
        ("/v1/me/second-factor/authenticator", None),
        ("/v1/me/second-factor/authenticator/verify", '{"code": "123456"}'),
    ):
        # Then it is refused, with how to change factor
        body_of = assert_problem(post(client, path, person.token, body), 409, "conflict")
        assert "reset" in body_of["detail"]

    # And nothing changed: no text went out, the factor stands
    assert texts_to("+4512345678") == []
    assert UserModel.get(person.user_id).second_factor_enrolled is True
    assert me(client, person.token).status_code == 200


def test_sms_counts_only_once_the_code_texted_to_the_mobile_is_entered(
    client, people: People, cognito, clock: StepClock
):
    # Given a person without a factor, who chooses SMS
    person = people.member(people.organisation(), enrolled=False)
    past_the_second_of(clock, person.token)
    chosen = post(client, "/v1/me/second-factor/sms", person.token)
    assert chosen.status_code == 202, chosen.body
    assert json_of(chosen)["sent_to"].endswith("56 78")

    # Then choosing it alone enrols nothing
    assert UserModel.get(person.user_id).second_factor_enrolled is False
    assert_problem(me(client, person.token), 403, "second-factor-required")
    assert cognito.admin_get_user(UserPoolId=people.pool.user_pool_id, Username=person.user_id).get(
        "UserMFASettingList"
    ) in (None, [])

    # When a wrong code is entered, it does not enrol either
    code = last_code_to("+4512345678")
    wrong = "000000" if code != "000000" else "111111"
    assert_problem(
        post(client, "/v1/me/second-factor/sms/verify", person.token, f'{{"code": "{wrong}"}}'),
        400,
        "invalid-input",
    )
    assert UserModel.get(person.user_id).second_factor_enrolled is False

    # When the code from the text is entered
    done = post(client, "/v1/me/second-factor/sms/verify", person.token, f'{{"code": "{code}"}}')
    assert done.status_code == 200, done.body

    # Then SMS is the factor (in Cognito too, with the number verified), and the old token is dead
    login = cognito.admin_get_user(UserPoolId=people.pool.user_pool_id, Username=person.user_id)
    assert "SMS_MFA" in login["UserMFASettingList"]
    assert {"Name": "phone_number_verified", "Value": "true"} in login["UserAttributes"]
    assert UserModel.get(person.user_id).second_factor_enrolled is True
    assert UserModel.get(person.user_id).sms_code_digest is None
    assert_problem(me(client, person.token), 401, "unauthenticated")


def test_sms_codes_lock_after_five_wrong_tries(client, people: People):
    person = people.member(people.organisation(), enrolled=False)
    assert post(client, "/v1/me/second-factor/sms", person.token).status_code == 202
    code = last_code_to("+4512345678")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        post(client, "/v1/me/second-factor/sms/verify", person.token, f'{{"code": "{wrong}"}}')
    assert_problem(
        post(client, "/v1/me/second-factor/sms/verify", person.token, f'{{"code": "{code}"}}'),
        429,
        "too-many-requests",
    )
    assert UserModel.get(person.user_id).second_factor_enrolled is False


def test_a_disabled_then_enabled_colleagues_old_token_answers_401(
    client, people: People, cognito, clock: StepClock
):
    # Given an administrator and a colleague signed in a second ago
    org = people.organisation()
    admin = people.member(org)
    colleague = people.member(org, functions=[Function.CODES])
    past_the_second_of(clock, colleague.token)

    # When the administrator disables the colleague and enables them again
    assert patch_user(client, admin, colleague.user_id, {"status": "disabled"}).status_code == 200
    assert patch_user(client, admin, colleague.user_id, {"status": "active"}).status_code == 200

    # Then the token from before answers 401; a new sign-in, from the second after the change, gets in
    assert_problem(me(client, colleague.token), 401, "unauthenticated")
    after_the_last_change_of(colleague.user_id)
    token = sign_in(cognito, people.pool.client_id, colleague.user_id, PASSWORD, colleague.totp_secret)
    assert me(client, token).status_code == 200


def test_a_colleague_disabled_and_enabled_in_the_second_they_signed_in_does_not_get_the_old_token_back(
    client, people: People, container: Container
):
    # Given an administrator and a colleague who signed in
    org = people.organisation()
    admin = people.member(org)
    colleague = people.member(org, functions=[Function.CODES])
    assert me(client, colleague.token).status_code == 200

    # When the administrator disables and enables the colleague within that same second (a fixed clock
    # makes "the same second" exact: the token's `iat` and the change fall in one whole second)
    use_container(
        Container(
            settings=container.settings,
            clock=FixedClock(the_second_of(colleague.token) + timedelta(milliseconds=900)),
        )
    )
    assert patch_user(client, admin, colleague.user_id, {"status": "disabled"}).status_code == 200
    assert patch_user(client, admin, colleague.user_id, {"status": "active"}).status_code == 200

    # Then the token, which cannot prove it was issued after the change, is refused
    assert_problem(me(client, colleague.token), 401, "unauthenticated")


def test_changing_functions_or_scope_ends_the_sessions_from_before(
    client, people: People, cognito, clock: StepClock
):
    org = people.organisation()
    parent, _ = org.companies
    admin = people.member(org)
    for change in (
        {"functions": ["codes", "history"]},
        {"companies": [{"cvr": parent.cvr, "access": "limited", "accounts": ["A1"]}]},
    ):
        # Given a colleague signed in a second ago
        colleague = people.member(org, functions=[Function.CODES])
        past_the_second_of(clock, colleague.token)

        # When the administrator changes what they may do, or see
        assert patch_user(client, admin, colleague.user_id, change).status_code == 200, change

        # Then the old token is refused
        assert_problem(me(client, colleague.token), 401, "unauthenticated")


def test_a_change_of_name_only_keeps_the_session(client, people: People, clock: StepClock):
    org = people.organisation()
    admin = people.member(org)
    colleague = people.member(org, functions=[Function.CODES])
    past_the_second_of(clock, colleague.token)
    assert patch_user(client, admin, colleague.user_id, {"first_name": "Ida"}).status_code == 200
    assert me(client, colleague.token).status_code == 200


def test_resetting_the_factor_needs_a_fresh_sign_in_and_ends_every_session(
    client, people: People, cognito, container: Container, clock: StepClock
):
    # Given a user with an authenticator app
    person = people.member(people.organisation())
    past_the_second_of(clock, person.token)

    # When their sign-in is more than 5 minutes old, the reset is refused
    use_container(Container(settings=container.settings, clock=OffsetClock(timedelta(minutes=6))))
    assert_problem(post(client, "/v1/me/second-factor/reset", person.token), 403, "forbidden")
    use_container(container)
    assert UserModel.get(person.user_id).second_factor_enrolled is True

    # When they reset right after signing in
    reset = post(client, "/v1/me/second-factor/reset", person.token)
    assert reset.status_code == 200, reset.body

    # Then that token is dead too, and neither our record nor Cognito has a factor any more, so the next
    # sign-in enrols one (real Cognito asks with MFA_SETUP; the emulator keeps asking for the old TOTP code
    # once one was verified, whatever the preference says, so that sign-in is not replayed here)
    assert_problem(me(client, person.token), 401, "unauthenticated")
    assert UserModel.get(person.user_id).second_factor_enrolled is False
    login = cognito.admin_get_user(UserPoolId=people.pool.user_pool_id, Username=person.user_id)
    assert login.get("UserMFASettingList") in (None, [])


def test_staff_rights_follow_our_record_not_the_tokens_group_claim(client, people: People, clock: StepClock):
    # Given a staff member's token (it claims the staff group)
    staff = people.staff()
    assert client.http.get("/v1/staff/organisations", headers=staff.auth).status_code == 200
    past_the_second_of(clock, staff.token)

    # When our record stops calling them staff
    change_kind(UserModel.get(staff.user_id), UserKind.MEMBER, now=clock.now())

    # Then the token that still claims the group has no staff rights
    assert_problem(client.http.get("/v1/staff/organisations", headers=staff.auth), 401, "unauthenticated")


# Sign-out and a new password. What the person meets: the routes they use every day.
EVERYDAY_ROUTES = ("/v1/me", "/v1/organisation", "/v1/codes", "/v1/users", "/v1/organisation/audit")
NEW_PASSWORD = "Another-Horse-43"


def assert_refused_everywhere(client: Any, token: str) -> None:
    for path in EVERYDAY_ROUTES:
        assert_problem(client.http.get(path, headers=bearer(token)), 401, "unauthenticated")


def change_password(client: Any, token: str, old: str, new: str) -> Any:
    body = json.dumps({"old_password": old, "new_password": new})
    return post(client, "/v1/me/password", token, body)


def test_signing_out_ends_every_session_of_the_login_at_once(client, people: People, cognito):
    # Given an administrator signed in twice (two devices), the second with a refresh token
    org = people.organisation()
    person = people.member(org)
    other_device = refresh_token_of(cognito, people, person)
    other_token = refreshed(cognito, people, other_device)
    for path in EVERYDAY_ROUTES:
        assert client.http.get(path, headers=person.auth).status_code == 200, path

    # When they sign out on the first
    signed_out = post(client, "/v1/me/sign-out", person.token)

    # Then every access token they held is refused at once on every route, issued that very second or not
    assert signed_out.status_code == 200, signed_out.body
    assert_refused_everywhere(client, person.token)
    assert_refused_everywhere(client, other_token)
    # And no new access token can be drawn from the other device's session
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        refreshed(cognito, people, other_device)
    # And a sign-in from the second the answer names is accepted
    answer = json_of(signed_out)
    assert answer["sessions_ended_at"] == UserModel.get(person.user_id).tokens_valid_from.isoformat().replace(
        "+00:00", "Z"
    )
    wait_for_sign_in(answer["sign_in_from"])
    token = sign_in(cognito, people.pool.client_id, person.user_id, PASSWORD, person.totp_secret)
    assert me(client, token).status_code == 200


def test_signing_out_is_open_before_a_second_factor_is_enrolled(client, people: People):
    person = people.member(people.organisation(), enrolled=False)

    assert post(client, "/v1/me/sign-out", person.token).status_code == 200

    assert_problem(post(client, "/v1/me/second-factor/authenticator", person.token), 401, "unauthenticated")


def test_a_new_password_ends_every_session_and_only_the_new_password_signs_in(
    client, people: People, cognito
):
    # Given a person signed in on two devices
    person = people.member(people.organisation())
    other_device = refresh_token_of(cognito, people, person)
    other_token = refreshed(cognito, people, other_device)

    # When they change their password on the first
    changed = change_password(client, person.token, PASSWORD, NEW_PASSWORD)

    # Then every session ends: both access tokens are refused, the other device cannot refresh
    assert changed.status_code == 200, changed.body
    assert_refused_everywhere(client, person.token)
    assert_refused_everywhere(client, other_token)
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        refreshed(cognito, people, other_device)
    # And the old password no longer signs in; the new one does, from the second the answer names
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        sign_in(cognito, people.pool.client_id, person.user_id, PASSWORD, person.totp_secret)
    wait_for_sign_in(json_of(changed)["sign_in_from"])
    token = sign_in(cognito, people.pool.client_id, person.user_id, NEW_PASSWORD, person.totp_secret)
    assert me(client, token).status_code == 200


# The policy is checked before the identity provider is asked, by the rule the document states.
TOO_SHORT = (
    "Enter a password of at least 12 characters with upper and lower case letters and at least one digit."
)
NO_CAPITAL = "Enter a password with upper and lower case letters (A-Z and a-z) and at least one digit."


@pytest.mark.parametrize(
    ("old", "new", "field", "says"),
    [
        ("Wrong-Horse-99", NEW_PASSWORD, "old_password", "The current password is not correct."),
        (PASSWORD, "Short-1a", "new_password", TOO_SHORT),
        (PASSWORD, "alllowercase-and-long-1", "new_password", NO_CAPITAL),
        (PASSWORD, PASSWORD, "new_password", "Choose a password other than the current one."),
    ],
)
def test_a_refused_password_change_is_a_field_error_in_our_words_and_ends_nothing(
    client, people: People, cognito, old, new, field, says
):
    # Given a signed-in person
    person = people.member(people.organisation())

    # When the change is refused (a wrong current password, or a new one the policy refuses)
    refused = change_password(client, person.token, old, new)

    # Then it is a 400 naming the field, in the service's own words, never the identity provider's
    problem = assert_problem(refused, 400, "invalid-input")
    assert problem["errors"] == [{"field": field, "message": says}]
    # And nothing ended: the session stands, the old password still signs in
    assert me(client, person.token).status_code == 200
    assert sign_in(cognito, people.pool.client_id, person.user_id, PASSWORD, person.totp_secret)


def test_a_password_change_needs_both_passwords(client, people: People):
    person = people.member(people.organisation())
    for body in (
        '{"new_password": "Another-Horse-43"}',
        '{"old_password": "x"}',
        "{}",
        '{"old_password": "", "new_password": ""}',
    ):
        problem = assert_problem(post(client, "/v1/me/password", person.token, body), 400, "invalid-input")
        assert problem["errors"]
    assert me(client, person.token).status_code == 200
