"""`make staff`: the first staff member of a stage, with a login in the `staff` group and a staff record, made
by the same code the local demo seeds its staff user with."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.models.user import UserKind, UserModel
from infra.local.demo import with_authenticator
from infra.local.provision import UserPool
from infra.local.signin import sign_in
from infra.staff import PROJECT_DIR, Target, create, deployed_target, temporary_password
from tests.people import json_of

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
