"""A colleague's login through the local stack: the demo administrator creates it, the colleague accepts the
invitation from their mail, enrols a second factor, and works within the scope they were given."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from infra.local.signin import sign_in, wait_for_sign_in
from infra.local.totp import fresh_totp
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

PASSWORD = "Kollega-Login-Aarhus-2026"


def api(stack: RunningStack, method: str, path: str, token: str | None, status: int, **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.request(method, f"{stack.api}{path}", headers=headers, timeout=10, **kwargs)
    assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
    return response.json() if response.content else None


def labelled(text: str, label: str) -> str:
    found = re.search(rf"^{label}: (\S+)\r?$", text, re.MULTILINE)
    assert found is not None, f"no line '{label}: ...' in {text!r}"
    return found.group(1)


def representative(cvr: str, account: str, first_name: str) -> dict[str, Any]:
    return {
        "first_name": first_name,
        "last_name": "Frivillig",
        "email": f"{first_name.lower()}@example.org",
        "company": cvr,
        "account": account,
        "notify": False,
    }


def test_a_colleague_limited_to_one_account_is_invited_enrols_and_works_only_there(stack: RunningStack):
    cognito = stack.cognito()
    client_id = stack.demo["cognito"]["client_id"]
    demo = stack.demo["users"]["admin"]
    admin = sign_in(cognito, client_id, demo["username"], demo["password"], demo["totp_secret"])
    company = api(stack, "GET", "/v1/me", admin, 200)["companies"][0]
    theirs, other = (a["number"] for a in company["accounts"][:2])
    # (the codes other modules on the stack may have made in the colleague's account already)
    in_theirs = f"/v1/codes?company={company['cvr']}&account={theirs}&limit=100"
    already = [c["code_id"] for c in api(stack, "GET", in_theirs, admin, 200)["items"]]

    # Given a code the administrator made under another account than the colleague will get
    elsewhere = api(stack, "POST", "/v1/codes", admin, 201, json=representative(company["cvr"], other, "Ole"))

    # When the administrator creates a colleague limited to one account, with only the codes function
    created = api(
        stack,
        "POST",
        "/v1/users",
        admin,
        201,
        json={
            "first_name": "Bo",
            "last_name": "Kollega",
            "email": "bo.kollega@example.org",
            "mobile": "+45 40 50 60 70",
            "functions": ["codes"],
            "companies": [{"cvr": company["cvr"], "access": "limited", "accounts": [theirs]}],
        },
    )
    username = created["username"]
    assert created["status"] == "invited"

    # Then the invitation mail arrives in .local/mail/, with the username and the code on lines of their own
    mail = stack.mail_containing(f"Brugernavn: {username}")
    assert "bo.kollega@example.org" in str(mail["To"])
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert labelled(text, "Brugernavn") == username
    invitation_code = labelled(text, "Invitationskode")
    assert invitation_code not in str(mail["Subject"])

    # When the colleague accepts it with a password of their own
    accepted = api(
        stack,
        "POST",
        "/v1/invitations/accept",
        None,
        201,
        json={"token": invitation_code, "password": PASSWORD},
    )
    assert accepted["username"] == username

    # Then the password signs in, but reaches nothing until a second factor is enrolled
    first = sign_in(cognito, client_id, username, PASSWORD)
    refused = requests.get(f"{stack.api}/v1/me", headers={"Authorization": f"Bearer {first}"}, timeout=10)
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/second-factor-required")

    # When they enrol an authenticator app through the API and sign in with password and app
    secret = api(stack, "POST", "/v1/me/second-factor/authenticator", first, 200)["secret_code"]
    enrolled = api(
        stack,
        "POST",
        "/v1/me/second-factor/authenticator/verify",
        first,
        200,
        json={"code": fresh_totp(secret)},
    )
    wait_for_sign_in(enrolled["sign_in_from"])
    token = sign_in(cognito, client_id, username, PASSWORD, secret)

    # Then they see exactly their one account and their one function
    me = api(stack, "GET", "/v1/me", token, 200)
    assert me["functions"] == ["codes"]
    assert [(c["cvr"], [a["number"] for a in c["accounts"]]) for c in me["companies"]] == [
        (company["cvr"], [theirs])
    ]

    # And they create a code in their account
    mine = api(stack, "POST", "/v1/codes", token, 201, json=representative(company["cvr"], theirs, "Mette"))

    # But the administrator's code in the other account does not exist for them, listed or asked for: they
    # see the codes of their account alone
    seen = [c["code_id"] for c in api(stack, "GET", "/v1/codes?limit=100", token, 200)["items"]]
    assert seen == [mine["code_id"], *already]
    assert elsewhere["code_id"] not in seen
    api(stack, "GET", f"/v1/codes/{elsewhere['code_id']}", token, 404)
    api(stack, "POST", "/v1/codes", token, 404, json=representative(company["cvr"], other, "Ole"))

    # And they cannot list users
    assert api(stack, "GET", "/v1/users", token, 403)["type"].endswith("/forbidden")

    # While the administrator sees them active, and both codes
    listed = {u["user_id"]: u for u in api(stack, "GET", "/v1/users", admin, 200)["items"]}
    assert listed[username]["status"] == "active"
    codes = {c["code_id"] for c in api(stack, "GET", "/v1/codes", admin, 200)["items"]}
    assert {mine["code_id"], elsewhere["code_id"]} <= codes
