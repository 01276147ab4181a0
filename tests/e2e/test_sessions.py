"""Sessions end when people end them, on `make run`'s stack: a staff member removed by another (or by the
operator's `make staff-remove`) is refused with the token they held, at once, on every staff route; a
user's token is refused right after they sign out."""

from __future__ import annotations

import re

import pytest
import requests

from infra.local.signin import sign_in, wait_for_sign_in
from tests.e2e.conftest import RunningStack
from tests.e2e.staff import call, new_staff_member, operator

pytestmark = pytest.mark.e2e

USER_ROUTES = ("/v1/me", "/v1/organisation", "/v1/codes", "/v1/users", "/v1/organisation/audit")


def staff_routes(stack: RunningStack) -> list[tuple[str, str]]:
    """Every staff operation the stack publishes, with made-up ids in its path: a token that is no longer good
    is refused before any id is looked at."""
    document = requests.get(f"{stack.api}/openapi.json", timeout=15).json()
    return [
        (method.upper(), re.sub(r"{[^}]+}", "x", path))
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and operation.get("x-godkend-caller") == "staff"
    ]


def demo_token(stack: RunningStack, who: str) -> str:
    person = stack.demo["users"][who]
    cognito, client_id = stack.cognito(), stack.demo["cognito"]["client_id"]
    return sign_in(cognito, client_id, person["username"], person["password"], person["totp_secret"])


def assert_refused_on_every_staff_route(stack: RunningStack, token: str) -> None:
    routes = staff_routes(stack)
    assert len(routes) > 10
    for method, path in routes:
        answer = call(stack, method, path, token, json={})
        assert answer.status_code == 401, f"{method} {path}: {answer.status_code} {answer.text[:200]}"
        assert answer.headers["Content-Type"] == "application/problem+json"


def test_a_staff_member_removed_by_another_is_refused_at_once_on_every_staff_route(stack: RunningStack):
    # Given a staff member who signed in and works (lists vendors)
    leaving = new_staff_member(stack, "lise.leaving@godkend.example")
    assert call(stack, "GET", "/v1/staff/vendors", leaving).status_code == 200
    user_id = call(stack, "GET", "/v1/me", leaving).json()["user"]["user_id"]

    # When another staff member removes them, saying why
    colleague = demo_token(stack, "staff")
    removed = call(
        stack, "DELETE", f"/v1/staff/members/{user_id}", colleague, json={"reason": "Left in June"}
    )

    # Then the token they still hold is refused at once, on every staff route
    assert removed.status_code == 200, removed.text
    assert removed.json()["status"] == "removed"
    assert_refused_on_every_staff_route(stack, leaving)
    # And the staff list keeps them, as removed
    members = call(stack, "GET", "/v1/staff/members", colleague).json()["items"]
    assert {m["user_id"]: m["status"] for m in members}[user_id] == "removed"


def test_a_staff_member_the_operator_removes_is_refused_at_once(stack: RunningStack):
    # Given a staff member who signed in
    leaving = new_staff_member(stack, "bo.leaving@godkend.example")
    assert call(stack, "GET", "/v1/staff/organisations", leaving).status_code == 200

    # When the operator runs `make staff-remove EMAIL=… STAGE=local`
    said = operator(stack, "remove", "--stage", "local", "--email", "bo.leaving@godkend.example")

    # Then the token they hold is refused on every staff route
    assert "removed on local" in said
    assert_refused_on_every_staff_route(stack, leaving)


def test_a_users_token_is_refused_right_after_signing_out(stack: RunningStack):
    # Given the demo administrator, signed in and at work
    token = demo_token(stack, "admin")
    for path in USER_ROUTES:
        assert call(stack, "GET", path, token).status_code == 200, path

    # When they sign out
    signed_out = call(stack, "POST", "/v1/me/sign-out", token)

    # Then that token is refused right away, on every route they used
    assert signed_out.status_code == 200, signed_out.text
    for path in USER_ROUTES:
        assert call(stack, "GET", path, token).status_code == 401, path
    # And they sign in again from the second the answer names
    wait_for_sign_in(signed_out.json()["sign_in_from"])
    assert call(stack, "GET", "/v1/me", demo_token(stack, "admin")).status_code == 200
