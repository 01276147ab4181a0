"""Validation codes through the local stack, as the front end's "Godkendelseskode" tab uses them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
import requests

from infra.local.signin import sign_in
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

VALUE = re.compile(r"^[0-9a-z]{8}@[A-Za-z0-9]+$")


class FrontEnd:
    """Calls the API with the demo administrator's access token."""

    def __init__(self, stack: RunningStack) -> None:
        admin = stack.demo["users"]["admin"]
        token = sign_in(
            stack.cognito(),
            stack.demo["cognito"]["client_id"],
            admin["username"],
            admin["password"],
            admin["totp_secret"],
        )
        self.api = stack.api
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, status: int, **kwargs: Any) -> Any:
        response = self.session.request(method, f"{self.api}{path}", timeout=10, **kwargs)
        assert response.status_code == status, response.text
        return response.json()


def value_item_exists(stack: RunningStack, code: str) -> bool:
    """Whether validation would still find the value: the API never shows a replaced value, so look in the
    emulator's table, where validation (a later feature) will look."""
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=stack.demo["aws_endpoint_url"],
        region_name=stack.demo["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    item = dynamodb.get_item(
        TableName="godkend-local-code-values",
        Key={"random_part": {"S": code.split("@")[0]}},
        ConsistentRead=True,
    ).get("Item")
    return item is not None


def listed(front: FrontEnd, status: str = "") -> list[dict[str, Any]]:
    """The organisation's codes as the tab lists them, newest first (all of them: at most a hundred)."""
    query = f"?limit=100&status={status}" if status else "?limit=100"
    items: list[dict[str, Any]] = front.call("GET", f"/v1/codes{query}", 200)["items"]
    return items


def test_the_demo_administrator_creates_lists_renews_and_revokes_a_code(stack: RunningStack):
    # Given the demo administrator, signed in, and the first account they may use
    front = FrontEnd(stack)
    me = front.call("GET", "/v1/me", 200)
    company = me["companies"][0]
    account = company["accounts"][0]["number"]
    # (and the codes the organisation already has, which other modules on the stack may have made)
    before, active_before, revoked_before = listed(front), listed(front, "active"), listed(front, "revoked")

    # When they create a code for a representative
    created = front.call(
        "POST",
        "/v1/codes",
        201,
        json={
            "first_name": "Mette",
            "last_name": "Frivillig",
            "email": "mette@example.org",
            "company": company["cvr"],
            "account": account,
        },
    )

    # Then it has the documented shape, the organisation's handle, and exactly 60 days
    assert VALUE.match(created["code"])
    assert created["code"].endswith("@" + me["organisation"]["handle"])
    assert created["status"] == "active"
    lifetime = datetime.fromisoformat(created["expires_at"]) - datetime.fromisoformat(created["created_at"])
    assert lifetime == timedelta(days=60)

    # And within seconds the representative has it by mail, in Danish, the code on a line of its own
    mail = stack.mail_containing(f"Godkendelseskode: {created['code']}")
    assert "mette@example.org" in str(mail["To"])
    assert created["code"] not in str(mail["Subject"])

    # And it is listed with the representative's name, e-mail and status, first, and nothing else changed
    codes = listed(front)
    assert [(c["code_id"], c["code"], c["first_name"], c["email"], c["status"]) for c in codes[:1]] == [
        (created["code_id"], created["code"], "Mette", "mette@example.org", "active")
    ]
    assert codes[1:] == before

    # When they renew it
    renewed = front.call("POST", f"/v1/codes/{created['code_id']}/renew", 200)

    # Then the same code has a new, active value; the old value is dead and the new one lives
    assert renewed["code_id"] == created["code_id"]
    assert VALUE.match(renewed["code"])
    assert renewed["code"] != created["code"]
    assert renewed["status"] == "active"
    assert front.call("GET", f"/v1/codes/{created['code_id']}", 200)["code"] == renewed["code"]
    assert not value_item_exists(stack, created["code"])
    assert value_item_exists(stack, renewed["code"])
    assert "mette@example.org" in str(stack.mail_containing(renewed["code"])["To"])

    # When they revoke it
    revoked = front.call("DELETE", f"/v1/codes/{created['code_id']}", 200)

    # Then it stays listed, as revoked, and no longer as active
    assert revoked["status"] == "revoked"
    assert [c["code_id"] for c in listed(front, "revoked")] == [created["code_id"]] + [
        c["code_id"] for c in revoked_before
    ]
    assert listed(front, "active") == active_before
    assert front.call("GET", f"/v1/codes/{created['code_id']}", 200)["status"] == "revoked"


def test_a_bad_code_request_is_a_field_by_field_problem(stack: RunningStack):
    front = FrontEnd(stack)
    response = front.session.post(
        f"{stack.api}/v1/codes", json={"first_name": "", "email": "nope", "extra": 1}, timeout=10
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"first_name", "last_name", "email", "company", "account", "extra"} <= fields
