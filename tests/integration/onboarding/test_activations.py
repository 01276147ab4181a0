"""Journey 3: activating the administrator login with the letter's username and activation code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.clock import FixedClock
from chalicelib.container import Container, use_container
from chalicelib.models.application import ActivationModel
from chalicelib.models.organisation import AccountModel, CompanyModel, OrganisationModel, get_organisation
from chalicelib.models.user import UserModel, get_user
from infra.local.signin import sign_in, wait_for_sign_in
from infra.local.totp import fresh_totp
from tests.integration.access.test_authentication import assert_problem
from tests.onboarding import (
    MAIN,
    STRONG_PASSWORD,
    SUBSIDIARY,
    UnavailableLogins,
    actions,
    activate,
    apply,
    fixed_clock,
    form,
    letters,
    next_letter_goes,
    only_application,
    only_letter,
    post,
    username_and_code,
)
from tests.people import People, json_of


def applied(client: Any, body: dict[str, Any] | None = None) -> tuple[str, str]:
    """Apply, and answer the username and activation code from the letter."""
    assert apply(client, body).status_code == 202
    return username_and_code(letters()[-1])


def login_exists(cognito: Any, people: People, username: str) -> bool:
    try:
        cognito.admin_get_user(UserPoolId=people.pool.user_pool_id, Username=username)
    except cognito.exceptions.UserNotFoundException:
        return False
    return True


def cognito_attributes(cognito: Any, people: People, username: str) -> dict[str, str]:
    user = cognito.admin_get_user(UserPoolId=people.pool.user_pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def test_activation_creates_the_login_the_organisation_and_its_administrator(client, people: People, cognito):
    # Given an application for a company with a subsidiary and two accounts
    username, code = applied(client)

    # When the administrator activates with the letter's username and code and a password
    response = activate(client, username, code)

    # Then the login exists in Cognito with the applicant's e-mail and mobile, and the chosen password
    assert response.status_code == 201, response.body
    body = json_of(response)
    assert body["user_id"] == body["username"] == username
    attributes = cognito_attributes(cognito, people, username)
    assert (attributes["email"], attributes["phone_number"]) == ("ida.holm@example.org", "+4522334455")
    sign_in(cognito, people.pool.client_id, username, STRONG_PASSWORD)
    # And the organisation waits for review, with its companies and accounts
    organisation = OrganisationModel.get(body["org_id"])
    assert (organisation.name, organisation.handle, organisation.status) == (
        "Blå Kors Odense",
        "BlaaKorsOdense",
        "pending_review",
    )
    assert organisation.primary_cvr == MAIN
    assert CompanyModel.get(MAIN).name == "Blå Kors Odense"  # the register's name for the main company
    assert CompanyModel.get(SUBSIDIARY).parent_cvr == MAIN
    assert {(a.cvr, a.number) for a in AccountModel.scan()} == {(MAIN, "1001"), (SUBSIDIARY, "2001")}
    # And the administrator is an active member with every function and full access to every company
    user = UserModel.get(username)
    assert (user.kind, user.status, user.org_id) == ("member", "active", organisation.org_id)
    assert sorted(user.functions) == ["codes", "history", "masterdata", "users"]
    assert [(c.cvr, c.access) for c in user.companies] == [(MAIN, "full"), (SUBSIDIARY, "full")]
    assert (user.first_name, user.last_name, user.mobile) == ("Ida", "Holm", "+4522334455")
    # And the activation is used, the application activated, and both steps audited
    assert ActivationModel.get(username).status == "used"
    assert only_application(MAIN).status == "activated"
    assert actions(organisation.org_id) == ["activation.completed", "application.submitted"]


def test_the_first_sign_in_must_enrol_a_second_factor(client, people: People, cognito):
    # Given an activated login
    username, code = applied(client)
    activate(client, username, code)

    # When the administrator signs in with the password alone (the emulator allows it)
    token = sign_in(cognito, people.pool.client_id, username, STRONG_PASSWORD)
    auth = {"authorization": f"Bearer {token}"}

    # Then the service asks for a second factor before anything else
    assert_problem(client.http.get("/v1/me", headers=auth), 403, "second-factor-required")

    # And once an authenticator is enrolled, signing in with it shows the organisation waiting for review
    secret = json_of(client.http.post("/v1/me/second-factor/authenticator", headers=auth))["secret_code"]
    done = post(client, "/v1/me/second-factor/authenticator/verify", {"code": fresh_totp(secret)}, auth)
    assert done.status_code == 200, done.body
    wait_for_sign_in(json_of(done)["sign_in_from"])
    token = sign_in(cognito, people.pool.client_id, username, STRONG_PASSWORD, secret)
    me = json_of(client.http.get("/v1/me", headers={"authorization": f"Bearer {token}"}))
    assert me["organisation"]["status"] == "pending_review"
    assert sorted(c["cvr"] for c in me["companies"]) == sorted([MAIN, SUBSIDIARY])


@pytest.mark.parametrize(
    "typing", [str.lower, lambda c: c.replace("-", ""), lambda c: " ".join(c.split("-")), lambda c: f" {c} "]
)
def test_the_code_is_read_whatever_the_case_and_the_hyphens(client, typing):
    username, code = applied(client)
    assert activate(client, username.upper(), typing(code)).status_code == 201


def test_five_wrong_codes_lock_it_and_then_even_the_right_code_is_refused(client):
    # Given an application, and a code that is not the one in the letter
    username, code = applied(client)
    wrong = "ZZZZ-ZZZZ-ZZZZ" if code != "ZZZZ-ZZZZ-ZZZZ" else "YYYY-YYYY-YYYY"

    # When a wrong code is given four times, each is refused as wrong, without saying how many tries remain
    for _ in range(4):
        problem = assert_problem(activate(client, username, wrong), 400, "wrong-activation-code")
        assert not any(ch.isdigit() for ch in problem["detail"])
        assert problem["errors"] == [{"field": "activation_code", "message": "Wrong code."}]

    # Then the fifth wrong try locks the code
    assert_problem(activate(client, username, wrong), 423, "activation-locked")
    # And the right code is refused from then on, and no login was made
    assert_problem(activate(client, username, code), 423, "activation-locked")
    assert get_user(username) is None
    activation = ActivationModel.get(username)
    assert (activation.status, activation.attempts) == ("locked", 5)
    # And the trail shows the refused tries and the lock
    org_id = activation.org_id
    assert actions(org_id) == ["activation.locked"] + ["activation.refused"] * 4 + ["application.submitted"]


def test_after_a_lock_a_new_application_sends_a_new_letter_that_works(client, container):
    clock = fixed_clock(container)
    username, _ = applied(client)
    for _ in range(5):
        activate(client, username, "ZZZZ-ZZZZ-ZZZZ")

    # The new application goes in the mailbox's next letter, an hour after the first
    assert apply(client).status_code == 202
    next_letter_goes(clock)
    new_username, new_code = username_and_code(letters()[-1])

    assert len(letters()) == 2
    assert new_username != username
    assert activate(client, new_username, new_code).status_code == 201


def test_a_right_code_after_wrong_ones_works_within_five_tries(client):
    username, code = applied(client)
    for _ in range(4):
        activate(client, username, "ZZZZ-ZZZZ-ZZZZ")
    assert activate(client, username, code).status_code == 201


def test_a_code_is_refused_from_the_second_it_expires(client, container):
    # Given an application made at a known time
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    use_container(Container(settings=container.settings, clock=clock))
    username, code = applied(client)

    # When 14 days have passed
    clock.advance(timedelta(days=14))

    # Then the code has expired, and saying so costs no try
    problem = assert_problem(activate(client, username, code), 410, "activation-expired")
    assert "apply again" in problem["detail"].lower()
    assert ActivationModel.get(username).attempts == 0
    # And one second earlier it would still have worked
    clock.advance(timedelta(seconds=-1))
    assert activate(client, username, code).status_code == 201


def test_a_used_code_cannot_be_used_again(client, cognito, people: People):
    username, code = applied(client)
    assert activate(client, username, code).status_code == 201

    assert_problem(activate(client, username, code, "Another-Password-9"), 409, "activation-used")

    sign_in(cognito, people.pool.client_id, username, STRONG_PASSWORD)


def test_an_unknown_username_is_its_own_problem(client):
    applied(client)
    assert_problem(activate(client, "adm-nobody00", "7K2M-9XQ4-B8ND"), 404, "unknown-username")


@pytest.mark.parametrize("typed", ["", "7K2M-9XQ4", "7K2M-9XQ4-B8ND-1", "7K2M-9XQ4-B8NU", "7K2M-9XQ4-B8Nø"])
def test_something_that_cannot_be_a_code_is_refused_without_costing_a_try(client, typed):
    username, _ = applied(client)
    problem = assert_problem(activate(client, username, typed), 400, "invalid-input")
    assert problem["errors"][0]["field"] == "activation_code"
    assert ActivationModel.get(username).attempts == 0


@pytest.mark.parametrize(
    "body",
    [
        {"username": "adm-x", "activation_code": "7K2M-9XQ4-B8ND"},
        {"username": "adm-x", "password": STRONG_PASSWORD},
        {"activation_code": "7K2M-9XQ4-B8ND", "password": STRONG_PASSWORD},
        {"username": "adm-x", "activation_code": "7K2M-9XQ4-B8ND", "password": STRONG_PASSWORD, "org": "x"},
    ],
)
def test_a_missing_or_unknown_field_is_a_field_problem(client, body):
    assert_problem(post(client, "/v1/activations", body), 400, "invalid-input")


def test_a_password_the_policy_refuses_is_a_field_problem_and_leaves_nothing_behind(client, cognito, people):
    # Given an application
    username, code = applied(client)

    # When the chosen password is too weak for the pool's policy
    problem = assert_problem(activate(client, username, code, "short"), 400, "invalid-input")

    # Then the problem names the password, no login or record was made, and the code still works
    assert [e["field"] for e in problem["errors"]] == ["password"]
    assert not login_exists(cognito, people, username)
    assert get_user(username) is None
    activation = ActivationModel.get(username)
    assert (activation.status, activation.attempts) == ("pending", 0)
    assert activate(client, username, code).status_code == 201


def test_when_cognito_is_unavailable_the_claim_is_released_and_nothing_is_written(client, container):
    # Given an application, and a user pool that cannot be reached
    username, code = applied(client)
    use_container(Container(settings=container.settings, logins=UnavailableLogins()))

    # When the administrator activates
    assert_problem(activate(client, username, code), 503, "upstream-unavailable")

    # Then nothing was written, and the same code works once the pool is back
    assert get_user(username) is None
    assert get_organisation(ActivationModel.get(username).org_id) is None
    assert ActivationModel.get(username).status == "pending"
    use_container(container)
    assert activate(client, username, code).status_code == 201


def test_when_the_records_cannot_be_written_the_new_login_is_removed_again(client, cognito, people: People):
    # Given an application whose main company's account 1001 exists already (left by another
    # organisation), so that the records' transaction cannot write it
    username, code = applied(client)
    AccountModel(MAIN, "1001", org_id="org-other", name="Elsewhere", created_at=datetime.now(UTC)).save()

    # When the administrator activates
    assert_problem(activate(client, username, code), 409, "conflict")

    # Then no login, organisation or user was left behind, and the activation is open again
    assert not login_exists(cognito, people, username)
    assert get_user(username) is None
    activation = ActivationModel.get(username)
    assert get_organisation(activation.org_id) is None
    assert (activation.status, activation.attempts) == ("pending", 0)


def test_a_login_left_by_an_activation_that_died_midway_is_replaced(client, cognito, people: People):
    # Given an activation claimed long ago by a request that died after creating the login in Cognito
    username, code = applied(client)
    cognito.admin_create_user(
        UserPoolId=people.pool.user_pool_id, Username=username, MessageAction="SUPPRESS"
    )
    ActivationModel.get(username).update(
        actions=[
            ActivationModel.status.set("claimed"),
            ActivationModel.claimed_at.set(datetime.now(UTC) - timedelta(minutes=10)),
        ]
    )

    # When the administrator tries again
    assert activate(client, username, code).status_code == 201

    # Then the login has the new password and the records exist
    sign_in(cognito, people.pool.client_id, username, STRONG_PASSWORD)
    assert get_user(username) is not None


def test_an_activation_in_progress_is_not_taken_over(client):
    username, code = applied(client)
    ActivationModel.get(username).update(
        actions=[ActivationModel.status.set("claimed"), ActivationModel.claimed_at.set(datetime.now(UTC))]
    )
    assert_problem(activate(client, username, code), 409, "activation-in-progress")


def test_the_letters_language_is_the_administrators_language(client):
    username, code = applied(client, form(language="en"))
    activate(client, username, code)
    assert UserModel.get(username).language == "en"
    assert only_letter().language == "en"
