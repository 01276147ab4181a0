"""The trust chain through the local stack, tried as an attacker would: a subsidiary one does not control,
a stranger applying first, the name vendors see, and codes right after approval."""

from __future__ import annotations

import email
import time
from email.message import Message
from typing import Any

import pytest

from infra.local.signin import sign_in, wait_for_sign_in
from infra.local.totp import fresh_totp
from tests.e2e.conftest import RunningStack
from tests.e2e.test_onboarding import LETTER_TIMEOUT_SECONDS, _labelled, _plain_text, api, decide

pytestmark = pytest.mark.e2e

PASSWORD = "Tillid-Kaede-2026-Aa"
ATTACKER = {
    "first_name": "Sune",
    "last_name": "Fremmed",
    "email": "sune@evil.example",
    "mobile": "+4599887766",
}
OWNER = {
    "first_name": "Ida",
    "last_name": "Holm",
    "email": "ida@groen-hjaelp.example",
    "mobile": "+4522334455",
}

BLAA_KORS = "41270004"  # register: "Blå Kors Odense"
GROEN_HJAELP = "35770003"  # register: "Grøn Hjælp Esbjerg", owner of the next
GROEN_VAERKSTED = "40120009"  # register: "Grøn Hjælp Esbjerg Værksted"
NATTERAVNE = "21450006"


def mailbox(cvr: str) -> str:
    return f"e-boks+{cvr}@digitalpost.example"


def messages_to(stack: RunningStack, address: str) -> list[str]:
    found = []
    for path in sorted((stack.state_dir / "mail").glob("*.eml")):
        message: Message = email.message_from_bytes(path.read_bytes())
        if address in str(message.get("To", "")):
            found.append(_plain_text(message))
    return found


def letter_naming(stack: RunningStack, address: str, applicant_email: str) -> tuple[str, str]:
    """Username and activation code of the letter to `address` that names the applicant."""
    deadline = time.monotonic() + LETTER_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        for text in messages_to(stack, address):
            found = _labelled(text)
            if found is not None and f"({applicant_email})" in text:
                return found
        time.sleep(0.2)
    raise AssertionError(f"no letter to {address} naming {applicant_email}")


def apply(stack: RunningStack, cvr: str, name: str, applicant: dict[str, str], **extra: Any) -> None:
    response = api(
        stack, "POST", "/v1/applications", json={"cvr": cvr, "name": name, "applicant": applicant, **extra}
    )
    assert response.status_code == 202, response.text


def activate_and_sign_in(stack: RunningStack, cvr: str, applicant: dict[str, str]) -> str:
    """Activate the letter naming the applicant, enrol an authenticator app; answers an access token."""
    cognito = stack.cognito()
    client_id = stack.demo["cognito"]["client_id"]
    username, code = letter_naming(stack, mailbox(cvr), applicant["email"])
    activated = api(
        stack,
        "POST",
        "/v1/activations",
        json={"username": username, "activation_code": code, "password": PASSWORD},
    )
    assert activated.status_code == 201, activated.text
    token = sign_in(cognito, client_id, username, PASSWORD)
    secret = api(stack, "POST", "/v1/me/second-factor/authenticator", token).json()["secret_code"]
    verified = api(
        stack, "POST", "/v1/me/second-factor/authenticator/verify", token, json={"code": fresh_totp(secret)}
    )
    assert verified.status_code == 200, verified.text
    wait_for_sign_in(verified.json()["sign_in_from"])
    return sign_in(cognito, client_id, username, PASSWORD, secret)


def staff_token(stack: RunningStack) -> str:
    staff = stack.demo["users"]["staff"]
    return sign_in(
        stack.cognito(),
        stack.demo["cognito"]["client_id"],
        staff["username"],
        staff["password"],
        staff["totp_secret"],
    )


def org_id_of(stack: RunningStack, token: str) -> str:
    return str(api(stack, "GET", "/v1/me", token).json()["organisation"]["org_id"])


def new_code(stack: RunningStack, token: str, company: str, account: str) -> Any:
    body = {"first_name": "Bo", "last_name": "Frivillig", "email": "bo@example.org"}
    return api(stack, "POST", "/v1/codes", token, json={**body, "company": company, "account": account})


def test_a_subsidiary_you_do_not_control_gives_you_nothing_and_its_owner_applies_afterwards(
    stack: RunningStack,
):
    # Given an attacker applies for a company with another group's subsidiary, activates and is approved
    apply(
        stack,
        BLAA_KORS,
        "Blå Kors Odense",
        ATTACKER,
        subsidiaries=[{"cvr": GROEN_VAERKSTED, "name": "Vores Værksted"}],
        accounts=[{"cvr": GROEN_VAERKSTED, "number": "9001", "name": "Værksted"}],
    )
    token = activate_and_sign_in(stack, BLAA_KORS, ATTACKER)
    approved = decide(stack, org_id_of(stack, token), "approve", staff_token(stack))
    assert approved.status_code == 200, approved.text

    # Then the subsidiary is only pending, and no code can be made under it
    organisation = api(stack, "GET", "/v1/organisation", token).json()
    assert [c["cvr"] for c in organisation["companies"]] == [BLAA_KORS]
    assert [c["cvr"] for c in organisation["pending_companies"]] == [GROEN_VAERKSTED]
    refused = new_code(stack, token, GROEN_VAERKSTED, "9001")
    assert refused.status_code in {403, 404}, refused.text

    # When the subsidiary's real owner applies with it as its own main company afterwards
    apply(stack, GROEN_VAERKSTED, "Grøn Hjælp Værksted", OWNER)

    # Then its letter reaches its own mailbox, and it activates
    owner_token = activate_and_sign_in(stack, GROEN_VAERKSTED, OWNER)
    me = api(stack, "GET", "/v1/me", owner_token).json()
    assert [c["cvr"] for c in me["companies"]] == [GROEN_VAERKSTED]
    # And the attacker's claim is gone
    assert api(stack, "GET", "/v1/organisation", token).json()["pending_companies"] == []


def test_a_strangers_earlier_application_decides_nothing(stack: RunningStack):
    # Given a stranger applied for the company first
    apply(stack, GROEN_HJAELP, "Grøn Hjælp Esbjerg", ATTACKER)

    # When the company applies itself, gets its own letter naming its own applicant, and activates it
    apply(stack, GROEN_HJAELP, "Grøn Hjælp Esbjerg", OWNER)
    token = activate_and_sign_in(stack, GROEN_HJAELP, OWNER)

    # Then /v1/me shows the company's contact data and none of the stranger's
    me = api(stack, "GET", "/v1/me", token).json()
    text = str(me)
    assert OWNER["email"] in text
    assert ATTACKER["email"] not in text
    assert ATTACKER["mobile"] not in text
    assert "Sune" not in text


def test_vendors_see_the_legal_name_and_the_approved_name_and_codes_work_right_after_approval(
    stack: RunningStack,
):
    # Given an organisation that applied without accounts, under a display name of its own, and is approved
    apply(stack, NATTERAVNE, "Natteravne i Vest", OWNER)
    token = activate_and_sign_in(stack, NATTERAVNE, OWNER)
    org_id = org_id_of(stack, token)
    staff = staff_token(stack)
    assert decide(stack, org_id, "approve", staff).status_code == 200

    # Then it creates a code at once, under its default account
    created = new_code(stack, token, NATTERAVNE, "1000")
    assert created.status_code == 201, created.text
    code = created.json()["code"]

    def seen() -> dict[str, Any]:
        answer = api(
            stack, "POST", "/v1/validations", stack.demo["vendor"]["api_key"], json={"code": code}
        ).json()
        assert answer["valid"] is True, answer
        return dict(answer["organisation"])

    # And a vendor is told the display name and the register's name
    assert (seen()["name"], seen()["legal_name"]) == ("Natteravne i Vest", "Natteravnene Vestjylland")

    # When the approved organisation renames itself, vendors keep seeing the approved name
    patched = api(stack, "PATCH", "/v1/organisation", token, json={"name": "Røde Kors Aarhus"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["requested_name"] == "Røde Kors Aarhus"
    assert seen()["name"] == "Natteravne i Vest"

    # Until staff approve the change
    review = api(stack, "GET", f"/v1/staff/organisations/{org_id}", staff).json()
    assert review["requested_name"] == "Røde Kors Aarhus"
    assert review["companies"][0]["register_name"] == "Natteravnene Vestjylland"
    assert decide(stack, org_id, "name/approve", staff).status_code == 200
    assert seen()["name"] == "Røde Kors Aarhus"
    assert seen()["legal_name"] == "Natteravnene Vestjylland"
