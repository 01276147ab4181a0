"""A new colleague's invitation: accepting it, and every way it can no longer be accepted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.clock import FixedClock
from chalicelib.container import Container, use_container
from chalicelib.models.invitation import InvitationModel, InvitationStatus
from infra.local.provision import create_login
from infra.local.signin import SignInRefused, sign_in, wait_for_sign_in
from infra.local.totp import fresh_totp
from tests.colleagues import (
    NEW_PASSWORD,
    accept,
    colleague,
    created_user,
    invitations_to,
    patch_user,
    record,
    resend,
    token_of,
)
from tests.integration.access.test_authentication import assert_problem
from tests.onboarding import UnavailableLogins, trail
from tests.people import People, Person, json_of

# An invitation is valid for 7 days from when it was sent.
SEVEN_DAYS = timedelta(days=7)


def login_exists(cognito: Any, people: People, username: str) -> bool:
    try:
        cognito.admin_get_user(UserPoolId=people.pool.user_pool_id, Username=username)
    except cognito.exceptions.UserNotFoundException:
        return False
    return True


def invited(client: Any, people: People, **overrides: Any) -> tuple[Person, dict[str, Any], str]:
    """An administrator, a colleague they invited, and the colleague's invitation code."""
    org = people.organisation()
    admin = people.member(org)
    user = created_user(client, admin, colleague(org, **overrides))
    return admin, user, token_of(user["user_id"])


@pytest.fixture
def clock(container: Container) -> FixedClock:
    # Far enough back that 7 days and more later is still before the test's access tokens expire.
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=30))
    use_container(Container(settings=container.settings, clock=clock))
    return clock


def test_accepting_creates_the_login_and_the_first_sign_in_must_enrol_a_second_factor(
    client, people: People, cognito
):
    # Given a colleague's invitation code, read from their mail
    admin, user, token = invited(client, people)
    user_id = user["user_id"]

    # When they accept it with a password of their own
    response = accept(client, token)

    # Then the login exists, under the username from the mail, and the user is active
    assert response.status_code == 201, response.body
    assert json_of(response)["username"] == user_id
    assert login_exists(cognito, people, user_id)
    assert record(user_id).status == "active"
    assert record(user_id).invitation_id is None
    assert record(user_id).invitation_expires_at is None
    [invitation] = InvitationModel.scan()
    assert invitation.status == InvitationStatus.USED.value
    assert trail(str(admin.org_id))[0].action == "user.invitation_accepted"

    # And signing in with the password reaches nothing but the second-factor enrolment
    token_without_factor = sign_in(cognito, people.pool.client_id, user_id, NEW_PASSWORD)
    auth = {"authorization": f"Bearer {token_without_factor}"}
    assert_problem(client.http.get("/v1/me", headers=auth), 403, "second-factor-required")

    # When they enrol an authenticator app and sign in with it
    secret = json_of(client.http.post("/v1/me/second-factor/authenticator", headers=auth))["secret_code"]
    verified = client.http.post(
        "/v1/me/second-factor/authenticator/verify",
        headers={**auth, "content-type": "application/json"},
        body=f'{{"code": "{fresh_totp(secret)}"}}'.encode(),
    )
    assert verified.status_code == 200, verified.body
    with pytest.raises(SignInRefused):
        sign_in(cognito, people.pool.client_id, user_id, NEW_PASSWORD)
    wait_for_sign_in(json_of(verified)["sign_in_from"])
    signed_in = sign_in(cognito, people.pool.client_id, user_id, NEW_PASSWORD, secret)

    # Then they are in, with exactly the scope and functions they were given
    me = json_of(client.http.get("/v1/me", headers={"authorization": f"Bearer {signed_in}"}))
    assert me["functions"] == ["codes"]
    assert [(c["cvr"], [a["number"] for a in c["accounts"]]) for c in me["companies"]] == [
        (user["companies"][0]["cvr"], ["A1"])
    ]


def test_an_invitation_is_used_once_and_accepting_again_changes_nothing(client, people: People, cognito):
    _, user, token = invited(client, people)
    assert accept(client, token).status_code == 201

    assert_problem(accept(client, token), 409, "invitation-used")
    assert_problem(accept(client, token, password="Another-Password-99"), 409, "invitation-used")

    # The password chosen first still signs in
    sign_in(cognito, people.pool.client_id, user["user_id"], NEW_PASSWORD)


# A code of the documented shape that matches no invitation is 404; anything else breaks the contract (400).
# A token of the shape mailed before the codes were short is still of the documented shape.
@pytest.mark.parametrize(
    ("token", "status", "slug"),
    [
        ("", 400, "invalid-input"),
        ("nonsense", 400, "invalid-input"),
        ("0" * 32 + "." + "A" * 32, 404, "invitation-unknown"),
        ("0" * 32 + "." + "A" * 31, 400, "invalid-input"),
        ("G" * 32 + "." + "A" * 32, 400, "invalid-input"),
        ("{wrong}", 404, "invitation-unknown"),
        ("{code}X", 400, "invalid-input"),
        ("{short}", 400, "invalid-input"),
        ("{short}U", 400, "invalid-input"),
    ],
)
def test_an_unknown_or_mistyped_code_is_not_found(client, people: People, token, status, slug):
    _, user, real = invited(client, people)
    wrong = real[:-1] + ("0" if real[-1] != "0" else "1")
    typed = token.format(code=real, wrong=wrong, short=real[:-1])

    response = accept(client, typed)

    assert_problem(response, status, slug)
    assert record(user["user_id"]).status == "invited"


def test_a_code_is_read_whatever_its_case_and_grouping(client, people: People):
    # Given an invitation whose code is mailed as XXXX-XXXX-XXXX-XXXX
    _, user, token = invited(client, people)

    # When the colleague types it in lower case, in groups of their own, O for 0
    typed = " ".join(token.replace("-", "").lower()[i : i + 2] for i in range(0, 16, 2)).replace("0", "o")

    # Then it is accepted
    assert accept(client, typed).status_code == 201
    assert record(user["user_id"]).status == "active"


def test_surrounding_whitespace_in_a_pasted_code_is_forgiven(client, people: People):
    _, _, token = invited(client, people)
    assert accept(client, f"  {token}\n").status_code == 201


def test_an_invitation_is_valid_for_7_days_to_the_second(client, people: People, clock: FixedClock):
    # Given two invitations sent now
    org = people.organisation()
    admin = people.member(org)
    early = created_user(client, admin, colleague(org, email="early@example.org"))
    late = created_user(client, admin, colleague(org, email="late@example.org"))
    sent = clock.now()

    # When one is accepted a second before 7 days have passed
    clock.set(sent + SEVEN_DAYS - timedelta(seconds=1))
    assert accept(client, token_of(early["user_id"])).status_code == 201

    # Then the other, accepted at the 7-day mark, has expired
    clock.set(sent + SEVEN_DAYS)
    body = assert_problem(accept(client, token_of(late["user_id"])), 410, "invitation-expired")
    assert "new one" in body["detail"]
    assert record(late["user_id"]).status == "invited"


def test_a_new_invitation_kills_the_old_code_at_once(client, people: People, clock: FixedClock):
    # Given an invitation that was never used, now 6 days old
    admin, user, first = invited(client, people)
    clock.advance(timedelta(days=6))

    # When the administrator sends a new one
    response = resend(client, admin, user["user_id"])

    # Then a second mail goes out with a new code, valid 7 days from now
    assert response.status_code == 201, response.body
    second = token_of(user["user_id"])
    assert second != first
    assert len(invitations_to(user["user_id"])) == 2
    expires = datetime.fromisoformat(json_of(response)["invitation_expires_at"])
    assert expires == clock.now() + SEVEN_DAYS
    assert trail(str(admin.org_id))[0].action == "user.invitation_resent"

    # And the first code is dead, with a problem that says a newer one exists
    body = assert_problem(accept(client, first), 410, "invitation-revoked")
    assert "newer" in body["detail"]

    # While the new one works, also past the first one's 7 days
    clock.advance(timedelta(days=2))
    assert accept(client, second).status_code == 201


def test_an_accepted_invitation_is_not_sent_again(client, people: People):
    admin, user, token = invited(client, people)
    accept(client, token)

    assert_problem(resend(client, admin, user["user_id"]), 409, "conflict")
    assert len(invitations_to(user["user_id"])) == 1


def test_a_refused_password_leaves_the_invitation_usable_and_no_login_behind(client, people: People, cognito):
    _, user, token = invited(client, people)

    body = assert_problem(accept(client, token, password="short"), 400, "invalid-input")

    assert [e["field"] for e in body["errors"]] == ["password"]
    assert not login_exists(cognito, people, user["user_id"])
    assert InvitationModel.get(record(user["user_id"]).invitation_id).status == InvitationStatus.PENDING.value
    assert accept(client, token).status_code == 201


@pytest.mark.parametrize(
    "body", [{}, {"token": "x"}, {"password": "x"}, {"token": "x", "password": "", "y": 1}]
)
def test_an_accept_without_a_token_or_password_is_a_400(client, people: People, body):
    from tests.colleagues import send

    assert_problem(send(client, "POST", "/v1/invitations/accept", None, body), 400, "invalid-input")


def test_an_invitation_being_accepted_right_now_cannot_be_accepted_twice(client, people: People):
    # Given an invitation another request has just claimed (it is creating the login)
    _, user, token = invited(client, people)
    invitation = InvitationModel.get(record(user["user_id"]).invitation_id)
    invitation.update(
        actions=[
            InvitationModel.status.set(InvitationStatus.CLAIMED.value),
            InvitationModel.claimed_at.set(datetime.now(UTC)),
        ]
    )

    # Then a second accept is refused while the claim is fresh
    assert_problem(accept(client, token), 409, "invitation-in-progress")
    assert record(user["user_id"]).status == "invited"


def test_a_claim_left_by_a_request_that_died_is_taken_over(client, people: People, cognito):
    # Given an invitation claimed six minutes ago by a request that died after creating the login
    _, user, token = invited(client, people)
    InvitationModel.get(record(user["user_id"]).invitation_id).update(
        actions=[
            InvitationModel.status.set(InvitationStatus.CLAIMED.value),
            InvitationModel.claimed_at.set(datetime.now(UTC) - timedelta(minutes=6)),
        ]
    )
    create_login(
        cognito,
        people.pool,
        username=user["user_id"],
        email="x@example.org",
        mobile="+4511111111",
        password="Left-Behind-Password-1",
    )

    # When the colleague accepts again
    response = accept(client, token)

    # Then it completes, with the login made anew under the password chosen now
    assert response.status_code == 201, response.body
    sign_in(cognito, people.pool.client_id, user["user_id"], NEW_PASSWORD)


def test_an_unreachable_user_pool_leaves_the_invitation_as_it_was(
    client, people: People, container: Container
):
    _, user, token = invited(client, people)
    use_container(Container(settings=container.settings, logins=UnavailableLogins()))

    assert_problem(accept(client, token), 503, "upstream-unavailable")

    assert InvitationModel.get(record(user["user_id"]).invitation_id).status == InvitationStatus.PENDING.value
    assert record(user["user_id"]).status == "invited"
    use_container(container)
    assert accept(client, token).status_code == 201


def test_an_invitation_for_a_user_deleted_meanwhile_is_withdrawn(client, people: People):
    admin, user, token = invited(client, people)
    client.http.delete(f"/v1/users/{user['user_id']}", headers=admin.auth)

    body = assert_problem(accept(client, token), 410, "invitation-revoked")
    assert "withdrawn" in body["detail"]


def test_changes_to_an_invited_user_carry_over_into_their_login(client, people: People, cognito):
    # Given an invited colleague whose e-mail and functions the administrator corrects before they accept
    admin, user, token = invited(client, people)
    changed = patch_user(
        client, admin, user["user_id"], {"email": "bo.ny@example.org", "functions": ["history"]}
    )
    assert changed.status_code == 200, changed.body

    # When they accept
    assert accept(client, token).status_code == 201

    # Then the login has the corrected e-mail and the record the corrected functions
    attributes = cognito.admin_get_user(UserPoolId=people.pool.user_pool_id, Username=user["user_id"])
    assert {"Name": "email", "Value": "bo.ny@example.org"} in attributes["UserAttributes"]
    assert record(user["user_id"]).functions == ["history"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the invitation code from the e-mail: 16 letters and digits, e.g. ABCD-EFGH-JKMN-PQRS."),
        (
            "7K2M-9XQ4",
            "Enter the 16 letters and digits as they are in the e-mail; "
            "case, hyphens and spaces do not matter.",
        ),
    ],
)
def test_an_empty_or_short_code_is_told_what_a_code_looks_like_not_a_length(
    client, people: People, typed, message
):
    # Given a colleague's invitation
    invited(client, people)

    # When the code is left empty, or typed in part
    body = assert_problem(accept(client, typed), 400, "invalid-input")

    # Then the field's message says it is needed, or what a code looks like
    assert [e["message"] for e in body["errors"] if e["field"] == "token"] == [message]
