"""A key's "last used" through the local stack (`make run`): a vendor's person sees, in GET /v1/vendor/keys,
when each key last made a check, kept current by the receipts' stream the local stack runs as Lambda would
(infra/local/events.py), a moment after the check."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from infra.local.signin import sign_in, wait_for_sign_in
from infra.local.totp import fresh_totp
from tests.e2e.conftest import RunningStack
from tests.e2e.test_console_vendor import a_demo_code, api, token_of, validate

pytestmark = pytest.mark.e2e

PASSWORD = "Leverandor-Adgang-2026"


def a_signed_in_vendor_person(stack: RunningStack, email: str, name: str) -> tuple[str, str]:
    """Staff create a vendor with a contact, who accepts the mailed invitation, enrols an authenticator and
    signs in, all through the API. Answers the person's token and the live key staff were shown."""
    contact = {"first_name": "Mette", "last_name": "Holm", "email": email, "mobile": "+45 20 30 40 50"}
    body = {"name": name, "contact_email": email, "contact": contact}
    created = api(stack, "POST", "/v1/staff/vendors", token_of(stack, "staff"), json=body)
    assert created.status_code == 201, created.text
    mail = stack.mail_containing("leverandørkonsol", seconds=30, to=email)
    text = str(mail.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    token = re.search(r"^Invitationskode: (\S+)\r?$", text, re.MULTILINE).group(1)  # type: ignore[union-attr]
    accepted = api(stack, "POST", "/v1/invitations/accept", None, json={"token": token, "password": PASSWORD})
    assert accepted.status_code == 201, accepted.text
    username = accepted.json()["username"]
    client_id = stack.demo["cognito"]["client_id"]
    first = sign_in(stack.cognito(), client_id, username, PASSWORD)
    secret = api(stack, "POST", "/v1/me/second-factor/authenticator", first).json()["secret_code"]
    verified = api(
        stack, "POST", "/v1/me/second-factor/authenticator/verify", first, json={"code": fresh_totp(secret)}
    )
    assert verified.status_code == 200, verified.text
    wait_for_sign_in(verified.json()["sign_in_from"])
    return sign_in(stack.cognito(), client_id, username, PASSWORD, secret), str(
        created.json()["key"]["api_key"]
    )


def last_used_of(stack: RunningStack, person: str, key_id: str, seconds: float = 15) -> Any:
    """The key's last_used_at as the vendor console lists it, once the stream has set it (it is async)."""
    deadline = time.monotonic() + seconds
    while True:
        listed = api(stack, "GET", "/v1/vendor/keys", person)
        assert listed.status_code == 200, listed.text
        used = {key["key_id"]: key["last_used_at"] for key in listed.json()["items"]}[key_id]
        if used is not None or time.monotonic() > deadline:
            return used
        time.sleep(0.3)


def key_id_of(api_key: str) -> str:
    return api_key.rsplit("_", 2)[-2]


def test_a_keys_last_check_shows_in_the_vendor_console_a_moment_later(stack: RunningStack):
    # Given a vendor's person signed in, its live key never used, a test key they made, and a real code
    person, live_key = a_signed_in_vendor_person(stack, "mette.sidst@leverandor.example", "Sidst Brugt ApS")
    made = api(stack, "POST", "/v1/vendor/keys", person, json={"label": "Udvikling", "mode": "test"})
    assert made.status_code == 201, made.text
    test_key = made.json()["api_key"]
    code = a_demo_code(stack)
    listed = api(stack, "GET", "/v1/vendor/keys", person).json()["items"]
    assert all(key["last_used_at"] is None for key in listed)

    # When the live key checks the real code and the test key the valid test code
    live = validate(stack, live_key, code).json()
    test = validate(stack, test_key, "valid000@GodkendTest").json()
    assert (live["valid"], test["valid"], test["livemode"]) == (True, True, False)

    # Then each key shows, a moment later, the time its receipt says it was checked
    for api_key, answer in ((live_key, live), (test_key, test)):
        receipt = api(stack, "GET", f"/v1/validations/{answer['validation_id']}", api_key).json()
        assert last_used_of(stack, person, key_id_of(api_key)) == receipt["validated_at"]
