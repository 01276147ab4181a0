"""Vendors validate codes through the local stack, with the demo vendor's key from `.local/demo.json`."""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest
import requests

from infra.local.signin import sign_in
from tests.e2e.conftest import RunningStack
from tests.e2e.test_codes import FrontEnd, value_item_exists

pytestmark = pytest.mark.e2e

PROBLEM = "application/problem+json"


class Vendor:
    """Calls the validation URL with an API key, as a vendor's system would."""

    def __init__(self, stack: RunningStack, api_key: str) -> None:
        self.api = stack.api
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {api_key}"

    def check(self, code: Any) -> requests.Response:
        return self.session.post(f"{self.api}/v1/validations", json={"code": code}, timeout=10)

    def validate(self, code: str) -> dict[str, Any]:
        response = self.check(code)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def receipt(self, validation_id: str) -> requests.Response:
        return self.session.get(f"{self.api}/v1/validations/{validation_id}", timeout=10)


def staff_session(stack: RunningStack) -> requests.Session:
    staff = stack.demo["users"]["staff"]
    token = sign_in(
        stack.cognito(),
        stack.demo["cognito"]["client_id"],
        staff["username"],
        staff["password"],
        staff["totp_secret"],
    )
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def delete_value_item(stack: RunningStack, code: str) -> None:
    """What DynamoDB's TTL does some time after a code expires (the emulator never does it)."""
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=stack.demo["aws_endpoint_url"],
        region_name=stack.demo["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    dynamodb.delete_item(
        TableName="godkend-local-code-values", Key={"random_part": {"S": code.split("@")[0]}}
    )


def test_the_demo_json_holds_a_working_vendor_key(stack: RunningStack):
    api_key = stack.demo["vendor"]["api_key"]
    assert re.fullmatch(r"gkv_[0-9a-f]{32}_[0-9a-f]{20}_[0-9a-f]{48}", api_key)
    assert Vendor(stack, api_key).validate("00000000@Nobody") == {
        "valid": False,
        "reason": "unknown",
        "livemode": True,
    }


def test_a_code_through_its_life_as_the_demo_vendor_sees_it(stack: RunningStack):
    # Given a fresh code the demo administrator creates through the API, and the demo vendor
    front = FrontEnd(stack)
    me = front.call("GET", "/v1/me", 200)
    company = me["companies"][0]
    created = front.call(
        "POST",
        "/v1/codes",
        201,
        json={
            "first_name": "Mette",
            "last_name": "Frivillig",
            "email": "mette@example.org",
            "company": company["cvr"],
            "account": company["accounts"][0]["number"],
            "notify": False,
        },
    )
    vendor = Vendor(stack, stack.demo["vendor"]["api_key"])

    # When the vendor validates it, as a representative might paste it
    answer = vendor.validate(f"  {created['code'].upper()} ")

    # Then it is valid, with every field of the contract
    assert answer["valid"] is True
    assert answer["validation_id"]
    assert answer["code_expires_at"] == created["expires_at"]
    register = {entry["cvr"]: entry["name"] for entry in stack.demo["registry"]}
    assert answer["organisation"] == {
        "name": me["organisation"]["name"],
        "legal_name": register[company["cvr"]],
        "cvr": company["cvr"],
        "handle": me["organisation"]["handle"],
        "approved_since": answer["organisation"]["approved_since"],
    }
    assert answer["organisation"]["approved_since"]
    assert answer["representative"] == {"first_name": "Mette", "last_name": "Frivillig"}
    receipt = vendor.receipt(answer["validation_id"])
    assert receipt.status_code == 200, receipt.text
    expected_receipt = receipt.json()
    assert {k: v for k, v in expected_receipt.items() if k != "validated_at"} == answer

    # And the organisation sees the demo vendor in its history
    entries = front.call("GET", "/v1/organisation/validations", 200)["items"]
    assert [(e["validation_id"], e["code_id"]) for e in entries][:1] == [
        (answer["validation_id"], created["code_id"])
    ]

    # When the code is renewed, the old value is gone: unknown; the new one is valid
    renewed = front.call("POST", f"/v1/codes/{created['code_id']}/renew", 200)
    assert vendor.validate(created["code"]) == {"valid": False, "reason": "unknown", "livemode": True}
    assert vendor.validate(renewed["code"])["valid"] is True

    # When it is revoked, its value is revoked
    front.call("DELETE", f"/v1/codes/{created['code_id']}", 200)
    assert vendor.validate(renewed["code"]) == {"valid": False, "reason": "revoked", "livemode": True}

    # And the receipt is still readable, also once TTL has removed the value item
    assert vendor.receipt(answer["validation_id"]).json() == expected_receipt
    delete_value_item(stack, renewed["code"])
    assert not value_item_exists(stack, renewed["code"])
    assert vendor.validate(renewed["code"]) == {"valid": False, "reason": "unknown", "livemode": True}
    assert vendor.receipt(answer["validation_id"]).json() == expected_receipt


def test_a_made_up_code_is_unknown_and_odd_input_a_problem(stack: RunningStack):
    vendor = Vendor(stack, stack.demo["vendor"]["api_key"])
    assert vendor.validate("7k2m9xq4@RoedeKorsAarhus") == {
        "valid": False,
        "reason": "unknown",
        "livemode": True,
    }
    assert vendor.validate("7k2m9xq4%40RoedeKorsAarhus") == {
        "valid": False,
        "reason": "unknown",
        "livemode": True,
    }
    for odd in ("", 12345678, None, "x" * 500):
        response = vendor.check(odd)
        assert response.status_code == 400, odd
        assert response.headers["Content-Type"] == PROBLEM


def test_a_wrong_key_is_401_and_no_key_is_401_too(stack: RunningStack):
    api_key = stack.demo["vendor"]["api_key"]
    wrong = api_key[:-1] + ("0" if api_key[-1] != "0" else "1")

    refused = Vendor(stack, wrong).check("7k2m9xq4@RoedeKorsAarhus")
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == PROBLEM
    assert refused.json()["type"].endswith("/unauthenticated")

    # Without an Authorization header the API function answers it too, with the same problem
    bare = requests.post(f"{stack.api}/v1/validations", json={"code": "7k2m9xq4@RoedeKorsAarhus"}, timeout=10)
    assert bare.status_code == 401
    assert bare.headers["Content-Type"] == PROBLEM
    assert bare.json()["type"].endswith("/unauthenticated")


def test_staff_rotate_a_key_and_a_burst_of_wrong_codes_ends_in_429(stack: RunningStack):
    # Given a vendor the demo staff user creates, and a second key issued to it
    staff = staff_session(stack)
    created = staff.post(
        f"{stack.api}/v1/staff/vendors",
        json={"name": "Burst ApS", "contact_email": "it@burst.example"},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    vendor = created.json()
    second = staff.post(f"{stack.api}/v1/staff/vendors/{vendor['vendor_id']}/keys", timeout=10).json()
    first_key, second_key = Vendor(stack, vendor["key"]["api_key"]), Vendor(stack, second["api_key"])
    assert first_key.validate("00000000@Nobody")["reason"] == "unknown"

    # When the first key is revoked, it is refused at once and the second goes on working
    revoked = staff.delete(
        f"{stack.api}/v1/staff/vendors/{vendor['vendor_id']}/keys/{vendor['key']['key_id']}", timeout=10
    )
    assert revoked.status_code == 200, revoked.text
    assert first_key.check("00000000@Nobody").status_code == 401
    assert second_key.validate("00000001@Nobody")["reason"] == "unknown"

    # When the vendor keeps sending wrong codes
    statuses = []
    for n in range(40):
        response = second_key.check(f"{n:08d}@Guess")
        statuses.append(response.status_code)
        if response.status_code == 429:
            break

    # Then the burst ends in 429 problem+json telling it when to come back, once the vendor's failures
    # (two before the burst) reach the limit of 20; one more if the burst straddles two windows
    assert statuses[-1] == 429, statuses
    assert set(statuses[:-1]) == {200}
    assert 20 - 2 <= len(statuses) - 1 <= 20 - 1
    assert response.headers["Content-Type"] == PROBLEM
    assert 1 <= int(response.headers["Retry-After"]) <= 600

    # And the demo vendor is not held up by it
    assert Vendor(stack, stack.demo["vendor"]["api_key"]).validate("00000002@Nobody")["reason"] == "unknown"
