"""Journey 9: support removes an orphaned login; the organisation applies again and gets a new letter."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.models.organisation import OrganisationModel
from chalicelib.models.outbox import MailKind
from chalicelib.models.user import UserModel, get_user
from tests.integration.access.test_authentication import assert_problem
from tests.onboarding import (
    JSON,
    MAIN,
    SAMPLE,
    activate,
    apply,
    letters,
    mail,
    registered_organisation,
    rendered,
    trail,
    username_and_code,
)
from tests.people import People, Person, json_of

REASON = "Administratoren er fratrådt, og ingen kender login'et (sag 4711)"


def remove(client: Any, staff: Person, org_id: str, user_id: str, body: Any = None) -> Any:
    raw = json.dumps({"reason": REASON} if body is None else body).encode()
    return client.http.delete(
        f"/v1/staff/organisations/{org_id}/users/{user_id}", headers={**staff.auth, **JSON}, body=raw
    )


def login_exists(cognito: Any, people: People, username: str) -> bool:
    try:
        cognito.admin_get_user(UserPoolId=people.pool.user_pool_id, Username=username)
    except cognito.exceptions.UserNotFoundException:
        return False
    return True


def test_support_removes_the_only_administrator_and_the_organisation_applies_again(
    client, people: People, cognito
):
    # Given an approved organisation whose only administrator has left, and nobody knows the login
    org = registered_organisation()
    gone = people.member(org)
    staff = people.staff()
    assert_problem(apply(client), 409, "administrator-exists")

    # When support removes that login, with a reason
    response = remove(client, staff, org.org_id, gone.user_id)

    # Then the login is gone from Cognito and from our records, and the organisation may apply again
    assert response.status_code == 200, response.body
    assert json_of(response) == {
        "org_id": org.org_id,
        "user_id": gone.user_id,
        "administrators_left": 0,
        "may_apply_again": True,
    }
    assert not login_exists(cognito, people, gone.user_id)
    assert get_user(gone.user_id) is None
    assert_problem(client.http.get("/v1/me", headers=gone.auth), 401, "unauthenticated")
    # And the removal is in the trail, with who did it and why
    [entry] = trail(org.org_id)
    assert (entry.action, entry.actor_id, entry.targets) == (
        "user.removed_by_support",
        staff.user_id,
        {"user_id": gone.user_id},
    )
    assert entry.details["reason"] == REASON

    # When the organisation applies again
    again = apply(client)

    # Then a new letter goes to the official mailbox on record, and activating it restores an administrator
    # of the same organisation, which stays approved
    assert again.status_code == 202, again.body
    [letter] = letters()
    assert letter.to_address == SAMPLE.lookup(MAIN).official_mailbox  # type: ignore[union-attr]
    username, code = username_and_code(letter)
    done = json_of(activate(client, username, code))
    assert done["org_id"] == org.org_id
    assert OrganisationModel.get(org.org_id).status == "approved"
    assert UserModel.get(username).functions == ["codes", "users", "masterdata", "history"]
    assert [e.action for e in trail(org.org_id)][:3] == [
        "activation.completed",
        "application.submitted",
        "user.removed_by_support",
    ]


def test_remaining_administrators_are_told_and_the_organisation_cannot_apply(client, people: People):
    # Given an organisation with two administrators
    org = registered_organisation()
    gone, stays = people.member(org), people.member(org)
    staff = people.staff()

    # When support removes one of them
    body = json_of(remove(client, staff, org.org_id, gone.user_id))

    # Then the other is mailed about it, with the reason
    assert (body["administrators_left"], body["may_apply_again"]) == (1, False)
    [told] = mail(MailKind.LOGIN_REMOVED)
    assert told.to_address == UserModel.get(stays.user_id).email
    assert REASON in rendered(told).text
    # And applying is still refused: there is an administrator to ask
    assert_problem(apply(client), 409, "administrator-exists")


def test_removing_a_colleague_without_the_users_function_tells_the_administrators(client, people: People):
    org = registered_organisation()
    admin = people.member(org)
    colleague = people.member(org, functions=[])
    staff = people.staff()
    assert json_of(remove(client, staff, org.org_id, colleague.user_id))["administrators_left"] == 1
    assert [m.to_address for m in mail(MailKind.LOGIN_REMOVED)] == [UserModel.get(admin.user_id).email]


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "  "}, {"reason": "x", "extra": 1}, []])
def test_a_removal_needs_a_reason(client, people: People, cognito, body):
    org = registered_organisation()
    admin = people.member(org)
    assert_problem(remove(client, people.staff(), org.org_id, admin.user_id, body), 400, "invalid-input")
    assert get_user(admin.user_id) is not None
    assert login_exists(cognito, people, admin.user_id)


def test_a_user_of_another_organisation_or_a_staff_member_is_not_found(client, people: People, cognito):
    org = registered_organisation()
    other = people.organisation()
    stranger = people.member(other)
    staff = people.staff()
    colleague_staff = people.staff()

    assert_problem(remove(client, staff, org.org_id, stranger.user_id), 404, "not-found")
    assert_problem(remove(client, staff, org.org_id, "user-nobody"), 404, "not-found")
    assert_problem(remove(client, staff, "org-nobody", stranger.user_id), 404, "not-found")
    assert_problem(remove(client, staff, org.org_id, colleague_staff.user_id), 404, "not-found")
    assert login_exists(cognito, people, stranger.user_id)
    assert login_exists(cognito, people, colleague_staff.user_id)


def test_a_removal_that_stopped_after_cognito_can_be_repeated(client, people: People, cognito):
    # Given a login already removed from Cognito whose record is still there (a request that died midway)
    org = registered_organisation()
    gone = people.member(org)
    cognito.admin_delete_user(UserPoolId=people.pool.user_pool_id, Username=gone.user_id)

    # When support removes it (again)
    response = remove(client, people.staff(), org.org_id, gone.user_id)

    # Then it completes
    assert response.status_code == 200, response.body
    assert get_user(gone.user_id) is None
