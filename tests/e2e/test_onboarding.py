"""A newcomer's onboarding through the local stack: apply, read the letter, activate, enrol a second factor,
sign in, and get approved by staff."""

from __future__ import annotations

import email
import re
import time
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local.signin import SignInRefused, sign_in, wait_for_sign_in
from infra.local.totp import fresh_totp
from tests.e2e.conftest import RunningStack
from tests.e2e.register import ONBOARDING

pytestmark = pytest.mark.e2e

DEMO_CVRS = {"29180008", "34560005"}  # the demo organisation's, which already has an administrator
PASSWORD = "Nyt-Login-Odense-2026"
LETTER_TIMEOUT_SECONDS = 20
# The newcomer's own address, which no other module on the stack mails to.
TYPED_EMAIL = "ida.holm@natcafe-vejle.example"


def api(stack: RunningStack, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, f"{stack.api}{path}", headers=headers, timeout=10, **kwargs)


def decide(stack: RunningStack, org_id: str, decision: str, token: str, **kwargs: Any) -> Any:
    """A staff decision (`approve`, `name/approve`, ...) on the organisation as staff see it now: its
    `ETag` sent back as `If-Match`, as the console does."""
    opened = api(stack, "GET", f"/v1/staff/organisations/{org_id}", token)
    assert opened.status_code == 200, opened.text
    headers = {"Authorization": f"Bearer {token}", "If-Match": opened.headers["ETag"]}
    url = f"{stack.api}/v1/staff/organisations/{org_id}/{decision}"
    return requests.post(url, headers=headers, timeout=10, **kwargs)


def activation_letter(stack: RunningStack, mailbox: str) -> tuple[str, str]:
    """The username and activation code of the letter in `.local/mail/` sent to `mailbox`."""
    deadline = time.monotonic() + LETTER_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        found = _from_mail_folder(stack.state_dir / "mail", mailbox)
        if found is not None:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no activation letter to {mailbox} within {LETTER_TIMEOUT_SECONDS} s")


def mail_to(stack: RunningStack, address: str) -> list[Message]:
    found = []
    for path in sorted((stack.state_dir / "mail").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes())
        if address in str(message.get("To", "")):
            found.append(message)
    return found


def _from_mail_folder(folder: Path, mailbox: str) -> tuple[str, str] | None:
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes())
        if mailbox in str(message.get("To", "")):
            found = _labelled(_plain_text(message))
            if found is not None:
                return found
    return None


def _plain_text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                # Mail travels with CRLF line ends; the labelled lines are read line by line.
                return payload.decode(part.get_content_charset() or "utf-8").replace("\r\n", "\n")
    return ""


def _labelled(text: str) -> tuple[str, str] | None:
    username = re.search(r"^(?:Brugernavn|Username): (\S+)$", text, re.MULTILINE)
    code = re.search(r"^(?:Aktiveringskode|Activation code): (\S+)$", text, re.MULTILINE)
    return (username.group(1), code.group(1)) if username and code else None


def test_demo_json_lists_the_sample_company_register(stack: RunningStack):
    registry = stack.demo["registry"]
    assert {entry["cvr"] for entry in registry} >= DEMO_CVRS
    for entry in registry:
        assert set(entry) == {"cvr", "name", "official_mailbox"}
        assert entry["official_mailbox"] == f"e-boks+{entry['cvr']}@digitalpost.example"


def test_a_newcomer_applies_activates_enrols_and_is_approved(stack: RunningStack):
    cognito = stack.cognito()
    client_id = stack.demo["cognito"]["client_id"]
    # (a company of the stack's register that no other module applies for)
    company = next(entry for entry in stack.demo["registry"] if entry["cvr"] == ONBOARDING.cvr)

    # Given a newcomer applying for a company of the register, typing their own e-mail
    applied = api(
        stack,
        "POST",
        "/v1/applications",
        json={
            "cvr": company["cvr"],
            "name": company["name"],
            "accounts": [{"cvr": company["cvr"], "number": "1001", "name": "Hovedkonto"}],
            "applicant": {
                "first_name": "Ida",
                "last_name": "Holm",
                "email": TYPED_EMAIL,
                "mobile": "+45 22 33 44 55",
            },
        },
    )
    assert applied.status_code == 202, applied.text

    # When the letter arrives in the company's official mailbox (never the address they typed)
    username, code = activation_letter(stack, company["official_mailbox"])
    assert mail_to(stack, TYPED_EMAIL) == []

    # And they activate with it, choosing a password
    activated = api(
        stack,
        "POST",
        "/v1/activations",
        json={"username": username, "activation_code": code.lower(), "password": PASSWORD},
    )
    assert activated.status_code == 201, activated.text

    # Then signing in with the password alone reaches nothing but the second-factor enrolment
    token = sign_in(cognito, client_id, username, PASSWORD)
    refused = api(stack, "GET", "/v1/me", token)
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/second-factor-required")

    # When they enrol an authenticator app through the API
    secret = api(stack, "POST", "/v1/me/second-factor/authenticator", token).json()["secret_code"]
    verified = api(
        stack, "POST", "/v1/me/second-factor/authenticator/verify", token, json={"code": fresh_totp(secret)}
    )
    assert verified.status_code == 200, verified.text

    # Then the password alone no longer signs in, and password + authenticator code does
    with pytest.raises(SignInRefused):
        sign_in(cognito, client_id, username, PASSWORD)
    wait_for_sign_in(verified.json()["sign_in_from"])
    token = sign_in(cognito, client_id, username, PASSWORD, secret)
    me = api(stack, "GET", "/v1/me", token).json()
    assert me["organisation"]["status"] == "pending_review"
    assert me["functions"] == ["codes", "history", "masterdata", "users"]
    org_id = me["organisation"]["org_id"]

    # When the demo staff user finds the organisation in the review queue and approves it
    staff = stack.demo["users"]["staff"]
    staff_token = sign_in(cognito, client_id, staff["username"], staff["password"], staff["totp_secret"])
    queue = api(stack, "GET", "/v1/staff/organisations?status=pending_review", staff_token).json()
    assert org_id in [item["org_id"] for item in queue["items"]]
    approved = decide(stack, org_id, "approve", staff_token)
    assert approved.status_code == 200, approved.text

    # Then the administrator sees the organisation approved
    me = api(stack, "GET", "/v1/me", token).json()
    assert me["organisation"]["status"] == "approved"
    assert me["organisation"]["handle"] == approved.json()["handle"]

    # And can now create a code under the organisation's account, ending in its handle
    created = api(
        stack,
        "POST",
        "/v1/codes",
        token,
        json={
            "first_name": "Bo",
            "last_name": "Frivillig",
            "email": "bo@example.org",
            "company": company["cvr"],
            "account": "1001",
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["code"].endswith("@" + me["organisation"]["handle"])
