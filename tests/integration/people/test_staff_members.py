"""Staff come and go. `make staff`: the first staff member of a stage, with a login in the `staff` group and a
staff record, made by the same code the local demo seeds its staff user with. Offboarding, by another staff
member (`DELETE /v1/staff/members/{user_id}`) or by the operator (`make staff-remove`): every token the
member holds answers 401 at once, on every route, and staff rights never outlive the staff record, nor the
session at Cognito."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib.api.http.openapi import build_document
from chalicelib.container import Container, use_container
from chalicelib.models.audit import STAFF_TRAIL, AuditAction, AuditModel
from chalicelib.models.user import UserKind, UserModel, UserStatus, staff_with_email
from infra.local.demo import with_authenticator
from infra.local.provision import UserPool
from infra.local.signin import sign_in
from infra.staff import (
    PROJECT_DIR,
    StaffError,
    Target,
    create,
    deployed_target,
    operator_identity,
    remove,
    temporary_password,
)
from tests.integration.access.test_authentication import assert_problem
from tests.onboarding import UnavailableLogins
from tests.people import PASSWORD as PEOPLE_PASSWORD
from tests.people import People, Person, json_of, refresh_token_of, refreshed

PASSWORD = "Staff-Member-Password-1"


def test_a_staff_member_made_locally_can_sign_in_and_use_the_staff_routes(
    client: Client, cognito: Any, pool: UserPool
) -> None:
    # Given the local stack's pool and tables
    target = Target("local", "godkend-test", pool.user_pool_id, pool.client_id, "eu-west-1")

    # When `make staff STAGE=local` makes Ida
    said = create(
        target, email="Ida@Godkend.example", mobile="+4512345678", name="Ida Holm", password=PASSWORD
    )

    # Then she has a staff record, a login in the staff group, and is told how to sign in
    (user,) = [u for u in UserModel.scan() if u.email == "ida@godkend.example"]
    assert (user.kind, user.first_name, user.last_name) == (UserKind.STAFF.value, "Ida", "Holm")
    assert not user.org_id
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool.user_pool_id, Username=user.user_id)
    assert [g["GroupName"] for g in groups["Groups"]] == ["staff"]
    assert user.user_id in said
    assert PASSWORD in said

    # And once she has enrolled an authenticator, the staff routes answer her
    login = with_authenticator(cognito, pool, user, PASSWORD)
    token = sign_in(cognito, pool.client_id, user.user_id, PASSWORD, login.totp_secret)
    answer = client.http.get("/v1/staff/organisations", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, json_of(answer)


class FakeCloudFormation:
    def __init__(self, pool: UserPool) -> None:
        self._pool = pool

    def describe_stacks(self, StackName: str) -> dict[str, Any]:
        assert StackName == "godkend-dev"
        return {
            "Stacks": [
                {
                    "Outputs": [
                        {"OutputKey": "UserPoolId", "OutputValue": self._pool.user_pool_id},
                        {"OutputKey": "UserPoolClientId", "OutputValue": self._pool.client_id},
                    ],
                    "Parameters": [{"ParameterKey": "TablePrefix", "ParameterValue": "godkend-test"}],
                }
            ]
        }


def test_on_a_deployed_stage_the_login_has_a_temporary_password(
    container: Any, cognito: Any, pool: UserPool
) -> None:
    # Given the stack's outputs
    target = deployed_target("dev", "eu-west-1", FakeCloudFormation(pool))

    # When a staff member is made there
    password = temporary_password()
    create(target, email="ops@godkend.example", mobile="+4587654321", name="", password=password)

    # Then the login must choose its own password at the first sign-in
    (user,) = [u for u in UserModel.scan() if u.email == "ops@godkend.example"]
    login = cognito.admin_get_user(UserPoolId=pool.user_pool_id, Username=user.user_id)
    assert login["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert user.first_name == "ops"


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["--stage", "dev", "--email", "nope", "--mobile", "+4512345678"], "EMAIL must be an e-mail address"),
        (["--stage", "dev", "--email", "a@b.dk", "--mobile", "12345678"], "MOBILE must be +45 and 8 digits"),
        (["--stage", "test", "--email", "a@b.dk", "--mobile", "+4512345678"], "invalid choice: 'test'"),
        (
            [
                "--stage",
                "local",
                "--email",
                "a@b.dk",
                "--mobile",
                "+4512345678",
                "--state-dir",
                "/nonexistent",
            ],
            "the local stack is not running",
        ),
    ],
)
def test_bad_arguments_are_one_line(arguments: list[str], said: str) -> None:
    finished = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "infra.staff", *arguments],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )

    assert finished.returncode == 2
    assert len(finished.stderr.strip().splitlines()) == 1, finished.stderr
    assert said in finished.stderr


# Offboarding: `GET /v1/staff/members`, `DELETE /v1/staff/members/{user_id}` and `make staff-remove`.
JSON = {"content-type": "application/json"}


def remove_member(client: Client, staff: Person, user_id: str, reason: str = "Left the company") -> Any:
    body = json.dumps({"reason": reason}).encode()
    return client.http.delete(f"/v1/staff/members/{user_id}", headers={**staff.auth, **JSON}, body=body)


def staff_routes() -> list[tuple[str, str]]:
    """Every staff operation of the published document, with made-up ids in its path: a token that is no
    longer good is refused before any id is looked at."""
    document = build_document(app)
    return [
        (method.upper(), re.sub(r"{[^}]+}", "x", path))
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"} and operation["x-godkend-caller"] == "staff"
    ]


def staff_trail() -> list[AuditModel]:
    return list(AuditModel.query(STAFF_TRAIL, scan_index_forward=False))


def test_staff_members_are_listed_with_their_status(client: Client, people: People):
    # Given two staff members and an organisation's administrator
    ida, bo = people.staff(), people.staff()
    people.member(people.organisation())

    # When staff list the staff
    answer = client.http.get("/v1/staff/members", headers=ida.auth)

    # Then both are there, by user id, with name, e-mail, status and dates; nobody else is
    assert answer.status_code == 200, answer.body
    items = json_of(answer)["items"]
    assert [m["user_id"] for m in items] == sorted([ida.user_id, bo.user_id])
    first = items[0]
    assert set(first) == {"user_id", "first_name", "last_name", "email", "status", "created_at", "changed_at"}
    assert {m["status"] for m in items} == {"active"}
    assert json_of(answer)["next_cursor"] is None


def test_the_staff_list_pages(client: Client, people: People):
    staff = [people.staff() for _ in range(3)]
    first = json_of(client.http.get("/v1/staff/members?limit=2", headers=staff[0].auth))
    second = json_of(
        client.http.get(f"/v1/staff/members?limit=2&cursor={first['next_cursor']}", headers=staff[0].auth)
    )
    assert [m["user_id"] for m in first["items"] + second["items"]] == sorted(s.user_id for s in staff)
    assert second["next_cursor"] is None


def test_a_removed_staff_member_is_refused_at_once_on_every_route(
    client: Client, people: People, cognito: Any
):
    # Given two staff members; the one leaving is signed in, on a second device too
    ida, leaving = people.staff(), people.staff()
    other_device = refresh_token_of(cognito, people, leaving)
    assert client.http.get("/v1/staff/vendors", headers=leaving.auth).status_code == 200

    # When another staff member removes them, saying why
    removed = remove_member(client, ida, leaving.user_id, "Left the company")

    # Then our record says so (and is kept), and the answer shows it
    assert removed.status_code == 200, removed.body
    assert json_of(removed)["status"] == "removed"
    assert UserModel.get(leaving.user_id).status == UserStatus.REMOVED.value
    # And every token they hold answers 401 at once, on every staff route and on their own
    for method, path in [*staff_routes(), ("GET", "/v1/me"), ("POST", "/v1/me/sign-out")]:
        answer = client.http.request(method, path, headers={**leaving.auth, **JSON}, body=b"{}")
        assert_problem(answer, 401, "unauthenticated")
    # And the Cognito login is disabled and signed out: no sign-in, no refreshed token
    assert (
        cognito.admin_get_user(UserPoolId=people.pool.user_pool_id, Username=leaving.user_id)["Enabled"]
        is False
    )
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        sign_in(cognito, people.pool.client_id, leaving.user_id, PEOPLE_PASSWORD, leaving.totp_secret)
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        refreshed(cognito, people, other_device)
    # And the staff trail says who removed whom, and why
    [entry] = [e for e in staff_trail() if e.action == AuditAction.STAFF_REMOVED.value]
    assert (entry.actor_kind, entry.actor_id) == ("staff", ida.user_id)
    assert entry.targets == {"user_id": leaving.user_id}
    assert entry.details == {"reason": "Left the company"}
    # And the list keeps them, as removed, so the trail keeps a name
    listed = json_of(client.http.get("/v1/staff/members", headers=ida.auth))["items"]
    assert {m["user_id"]: m["status"] for m in listed} == {ida.user_id: "active", leaving.user_id: "removed"}


def test_a_staff_member_cannot_remove_themself(client: Client, people: People):
    staff = people.staff()

    assert_problem(remove_member(client, staff, staff.user_id), 403, "forbidden")

    assert UserModel.get(staff.user_id).status == UserStatus.ACTIVE.value
    assert client.http.get("/v1/staff/members", headers=staff.auth).status_code == 200


def test_only_staff_members_can_be_removed_here(client: Client, people: People):
    staff = people.staff()
    member = people.member(people.organisation())

    assert_problem(remove_member(client, staff, member.user_id), 404, "not-found")
    assert_problem(remove_member(client, staff, "nobody"), 404, "not-found")
    assert client.http.get("/v1/me", headers=member.auth).status_code == 200


def test_a_removal_cognito_could_not_finish_is_finished_by_asking_again(
    client: Client, people: People, cognito: Any, container: Container
):
    # Given Cognito cannot be reached when a staff member is removed
    ida, leaving = people.staff(), people.staff()
    use_container(Container(settings=container.settings, logins=UnavailableLogins()))
    first = remove_member(client, ida, leaving.user_id)
    use_container(container)

    # Then the answer says so, but our record already refuses their every token
    assert_problem(first, 503, "upstream-unavailable")
    assert_problem(client.http.get("/v1/me", headers=leaving.auth), 401, "unauthenticated")

    # When the removal is asked again
    again = remove_member(client, ida, leaving.user_id)

    # Then the login is disabled too, and the trail holds one removal
    assert again.status_code == 200, again.body
    assert (
        cognito.admin_get_user(UserPoolId=people.pool.user_pool_id, Username=leaving.user_id)["Enabled"]
        is False
    )
    assert [e.action for e in staff_trail()].count(AuditAction.STAFF_REMOVED.value) == 1


@pytest.mark.parametrize("status", [UserStatus.DISABLED, UserStatus.REMOVED, None])
def test_staff_rights_never_outlive_the_staff_record(client: Client, people: People, status):
    # Given a staff member whose record is disabled, removed or gone, by whatever means
    staff = people.staff()
    record = UserModel.get(staff.user_id)
    if status is None:
        record.delete()
    else:
        record.update(actions=[UserModel.status.set(status.value)])

    # Then the token they hold is refused
    assert_problem(client.http.get("/v1/staff/organisations", headers=staff.auth), 401, "unauthenticated")


@pytest.mark.parametrize("done_at_cognito", ["signed out", "disabled", "deleted"])
def test_a_staff_token_dies_with_its_session_at_cognito(
    client: Client, people: People, cognito: Any, done_at_cognito: str
):
    # Given a staff member signed in, whose record still says staff
    staff = people.staff()
    assert client.http.get("/v1/staff/vendors", headers=staff.auth).status_code == 200

    # When the login is signed out everywhere, disabled or deleted in Cognito itself, not through the service
    pool = people.pool.user_pool_id
    {
        "signed out": lambda: cognito.admin_user_global_sign_out(UserPoolId=pool, Username=staff.user_id),
        "disabled": lambda: cognito.admin_disable_user(UserPoolId=pool, Username=staff.user_id),
        "deleted": lambda: cognito.admin_delete_user(UserPoolId=pool, Username=staff.user_id),
    }[done_at_cognito]()

    # Then the token that is still signed and unexpired has no staff power any more
    assert_problem(client.http.get("/v1/staff/vendors", headers=staff.auth), 401, "unauthenticated")
    body = json.dumps({"name": "Evil ApS", "contact_email": "evil@example.org"}).encode()
    answer = client.http.post("/v1/staff/vendors", headers={**staff.auth, **JSON}, body=body)
    assert_problem(answer, 401, "unauthenticated")


def test_the_operator_removes_a_staff_member_locally(
    client: Client, cognito: Any, pool: UserPool, people: People
):
    # Given a staff member made by `make staff STAGE=local`, signed in
    target = Target("local", "godkend-test", pool.user_pool_id, pool.client_id, "eu-west-1")
    create(target, email="ida@godkend.example", mobile="+4512345678", name="Ida Holm", password=PASSWORD)
    (user,) = staff_with_email("ida@godkend.example")
    login = with_authenticator(cognito, pool, user, PASSWORD)
    token = sign_in(cognito, pool.client_id, user.user_id, PASSWORD, login.totp_secret)
    headers = {"Authorization": f"Bearer {token}"}

    # When the operator runs `make staff-remove EMAIL=Ida@Godkend.example STAGE=local REASON=...`
    said = remove(target, email="Ida@Godkend.example", reason="Left in June", operator="local:ops")

    # Then the member is removed as through the API: refused at once, the login disabled, the trail written
    assert "ida@godkend.example removed on local" in said
    assert_problem(client.http.get("/v1/staff/organisations", headers=headers), 401, "unauthenticated")
    assert UserModel.get(user.user_id).status == UserStatus.REMOVED.value
    assert cognito.admin_get_user(UserPoolId=pool.user_pool_id, Username=user.user_id)["Enabled"] is False
    [entry] = [e for e in staff_trail() if e.action == AuditAction.STAFF_REMOVED.value]
    assert (entry.actor_kind, entry.actor_id, entry.details) == (
        "operator",
        "local:ops",
        {"reason": "Left in June"},
    )


def test_on_a_deployed_stage_the_operator_is_named_by_their_aws_identity(container: Any, pool: UserPool):
    target = deployed_target("dev", "eu-west-1", FakeCloudFormation(pool))

    assert operator_identity(target).startswith("arn:aws:")


def test_removing_an_unknown_address_says_so_in_one_line(container: Any, pool: UserPool):
    target = Target("local", "godkend-test", pool.user_pool_id, pool.client_id, "eu-west-1")

    with pytest.raises(StaffError, match="no staff member on local has the e-mail address nobody@godkend"):
        remove(target, email="nobody@godkend.example", reason="x", operator="local:ops")


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["--stage", "dev", "--email", "nope"], "EMAIL must be an e-mail address"),
        (["--stage", "", "--email", "a@b.dk"], "invalid choice: ''"),
        (["--stage", "dev"], "the following arguments are required: --email"),
        (["--stage", "dev", "--email", "a@b.dk", "--reason", " "], "REASON must be 1 to 1000 characters"),
        (
            ["--stage", "local", "--email", "a@b.dk", "--state-dir", "/nonexistent"],
            "the local stack is not running",
        ),
    ],
)
def test_bad_arguments_to_staff_remove_are_one_line(arguments: list[str], said: str) -> None:
    finished = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "infra.staff", "remove", *arguments],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )

    assert finished.returncode == 2
    assert finished.stderr.startswith("make staff-remove: "), finished.stderr
    assert len(finished.stderr.strip().splitlines()) == 1, finished.stderr
    assert said in finished.stderr
