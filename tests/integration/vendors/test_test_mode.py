"""Test mode through the API on the emulator: staff issue a `gkv_test_…` key; it validates only the documented
test codes against the fixed test organisation, says `livemode: false` in its answers and receipts, reads no
real organisation's data, costs what the guide says, counts no failures, and lists its test codes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from bench.roundtrips import DynamoDBCalls
from chalicelib.clock import FixedClock
from chalicelib.container import Container, use_container
from chalicelib.models.validation import FailureWindowModel, ReceiptModel
from chalicelib.models.vendor import VendorKeyModel
from chalicelib.services.vendors.api_keys import secret_hash
from chalicelib.values.cvr import is_valid_cvr
from tests.conftest import RECEIPT_ISSUER
from tests.integration.access.test_authentication import assert_problem
from tests.integration.vendors.test_validations import a_code, history, post, receipt_of, validate
from tests.integration.vendors.test_vendors import created_vendor, issue_key
from tests.people import People, Person, VendorCaller, json_of

JSON = {"content-type": "application/json"}
# The documented test codes and what each answers (docs/vendor-guide.md).
VALID = "valid000@GodkendTest"
NOT_VALID = {
    "expired0@GodkendTest": "expired",
    "revoked0@GodkendTest": "revoked",
    "unknown0@GodkendTest": "unknown",
    "notappr0@GodkendTest": "organisation_not_approved",
}
TEST_ORGANISATION = {
    "name": "Godkend Testforening",
    "legal_name": "Godkend Testforening",
    "cvr": "12345678",
    "handle": "GodkendTest",
    "approved_since": "2024-01-01T00:00:00Z",
}
TEST_REPRESENTATIVE = {"first_name": "Test", "last_name": "Testesen"}
TEST_EXPIRY = "2099-12-31T23:00:00Z"
# The documented live failure limit (docs/configuration.md): 20 failed checks in a sliding 5 minutes.
LIMIT = 20
WINDOW = 300


@pytest.fixture
def clock(container: Container) -> FixedClock:
    # At the start of a rate-limit window, a day back (as a receipt's `iat` is for an auditor).
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    start -= timedelta(seconds=int(start.timestamp()) % WINDOW)
    clock = FixedClock(start)
    use_container(Container(settings=container.settings, clock=clock))
    return clock


def new_key(client: Any, staff: Person, vendor_id: str, body: Any) -> Any:
    return client.http.post(
        f"/v1/staff/vendors/{vendor_id}/keys", headers={**staff.auth, **JSON}, body=json.dumps(body).encode()
    )


def with_test_key(client: Any, people: People) -> tuple[VendorCaller, VendorCaller]:
    """A vendor's live key and a test key staff issued it."""
    live = people.vendor()
    response = new_key(client, people.staff(), live.vendor_id, {"mode": "test"})
    assert response.status_code == 201, response.body
    return live, VendorCaller(live.vendor_id, live.name, json_of(response)["api_key"])


def listed_codes(client: Any, vendor: VendorCaller, **headers: str) -> Any:
    return client.http.get("/v1/test-codes", headers={**vendor.auth, **headers})


# Keys


def test_staff_issue_a_test_key_shown_once_and_stored_as_a_hash(client, people):
    # Given a vendor staff created
    staff = people.staff()
    vendor = created_vendor(client, staff)

    # When staff issue it a test key
    response = new_key(client, staff, vendor["vendor_id"], {"mode": "test"})

    # Then the key is in the answer, in the test form, and only the secret's hash is stored
    assert response.status_code == 201, response.body
    key = json_of(response)
    assert key["mode"] == "test"
    assert key["api_key"].startswith(f"gkv_test_{vendor['vendor_id']}_{key['key_id']}_")
    stored = VendorKeyModel.get(key["key_id"], consistent_read=True)
    assert stored.secret_sha256 == secret_hash(key["api_key"].rsplit("_", 1)[1])
    assert key["api_key"] not in json.dumps(stored.attribute_values, default=str)
    # And the vendor's keys say which is which, never with the secret
    listed = json_of(client.http.get(f"/v1/staff/vendors/{vendor['vendor_id']}", headers=staff.auth))
    assert sorted(k["mode"] for k in listed["keys"]) == ["live", "test"]
    assert "api_key" not in json.dumps(listed)


def test_a_key_without_a_body_or_with_mode_live_is_live_as_before(client, people):
    staff = people.staff()
    vendor = created_vendor(client, staff)

    bare = json_of(issue_key(client, staff, vendor["vendor_id"]))
    live = json_of(new_key(client, staff, vendor["vendor_id"], {"mode": "live"}))

    for key in (bare, live):
        assert key["mode"] == "live"
        assert key["api_key"].startswith(f"gkv_{vendor['vendor_id']}_{key['key_id']}_")


@pytest.mark.parametrize("body", [{"mode": "sandbox"}, {"mode": None}, {"mode": "test", "label": "x"}, []])
def test_a_key_body_that_breaks_the_contract_is_a_400_and_issues_nothing(client, people, body):
    staff = people.staff()
    vendor = created_vendor(client, staff)

    response = new_key(client, staff, vendor["vendor_id"], body)

    assert_problem(response, 400, "invalid-input")
    listed = json_of(client.http.get(f"/v1/staff/vendors/{vendor['vendor_id']}", headers=staff.auth))
    assert len(listed["keys"]) == 1


def test_a_key_presented_with_the_other_modes_prefix_is_refused(client, people, clock):
    # Given a vendor's live key and its test key
    live, test = with_test_key(client, people)

    # When each is presented with the other's prefix
    as_test = live.api_key.replace("gkv_", "gkv_test_", 1)
    as_live = test.api_key.replace("gkv_test_", "gkv_", 1)

    # Then neither is a way in: the prefix alone is never believed
    for api_key in (as_test, as_live):
        caller = VendorCaller(live.vendor_id, live.name, api_key)
        assert_problem(post(client, caller, {"code": VALID}), 401, "unauthenticated")
        assert_problem(listed_codes(client, caller), 401, "unauthenticated")


# Test codes


def test_the_valid_test_code_answers_the_fixed_test_organisation_with_livemode_false(client, people, clock):
    _, test = with_test_key(client, people)

    answer = validate(client, test, VALID)

    assert answer["valid"] is True
    assert answer["livemode"] is False
    assert answer["organisation"] == TEST_ORGANISATION
    assert answer["representative"] == TEST_REPRESENTATIVE
    assert answer["code_expires_at"] == TEST_EXPIRY
    assert answer["validation_id"]
    assert answer["receipt"]


@pytest.mark.parametrize(("code", "reason"), NOT_VALID.items())
def test_each_other_test_code_answers_its_reason_with_livemode_false(client, people, clock, code, reason):
    _, test = with_test_key(client, people)

    assert validate(client, test, code) == {"valid": False, "reason": reason, "livemode": False}


def test_test_codes_are_read_like_real_ones_whatever_the_whitespace_and_case(client, people, clock):
    _, test = with_test_key(client, people)

    assert validate(client, test, "  VALID000@godkendtest \n")["valid"] is True


def test_a_real_code_is_unknown_to_a_test_key_and_leaves_nothing_with_its_organisation(client, people, clock):
    # Given a real organisation's valid code, and a vendor's live and test keys
    _, admin, code = a_code(client, people)
    live, test = with_test_key(client, people)

    # When the test key checks it
    answer = validate(client, test, code["code"])

    # Then it is unknown, as a test answer, and the organisation's history knows of no check
    assert answer == {"valid": False, "reason": "unknown", "livemode": False}
    assert history(client, admin) == []
    # While the live key validates it as ever
    assert validate(client, live, code["code"])["livemode"] is True


def test_a_test_code_is_unknown_to_a_live_key(client, people, clock):
    live, _ = with_test_key(client, people)

    assert validate(client, live, VALID) == {"valid": False, "reason": "unknown", "livemode": True}


# Cost and limits


def test_a_test_check_reads_the_key_alone_and_a_valid_one_writes_its_receipt(
    client, people, container, clock
):
    # Given a real code (so there is real data to read) and a test key, every client counting its calls
    a_code(client, people)
    _, test = with_test_key(client, people)
    fresh = Container(settings=container.settings, clock=clock)
    use_container(fresh)

    # When the test key checks the valid test code, another test code, and text that is no code
    with DynamoDBCalls(fresh, table_prefix="godkend-test-") as valid:
        validate(client, test, VALID)
    with DynamoDBCalls(fresh, table_prefix="godkend-test-") as not_valid:
        validate(client, test, "expired0@GodkendTest")
    with DynamoDBCalls(fresh, table_prefix="godkend-test-") as not_a_code:
        validate(client, test, "not a code")

    # Then each read the key and nothing else (no code, organisation or failure window); only the valid one
    # wrote, and only its receipt
    key = ("GetItem", "vendor-keys")
    assert valid.calls == [key, ("PutItem", "validations")]
    assert not_valid.calls == not_a_code.calls == [key]


def test_a_live_check_still_costs_one_read_and_one_write(client, people, container, clock):
    _, _, code = a_code(client, people)
    live, _ = with_test_key(client, people)
    fresh = Container(settings=container.settings, clock=clock)
    use_container(fresh)

    with DynamoDBCalls(fresh, table_prefix="godkend-test-") as counted:
        validate(client, live, code["code"])

    assert counted.calls == [
        ("BatchGetItem", "code-values+handles+validation-failures+vendor-keys"),
        ("PutItem", "validations"),
    ]


def test_test_checks_never_count_against_the_live_failure_limit(client, people, clock):
    # Given a vendor's live and test keys, and a real code
    _, _, code = a_code(client, people)
    live, test = with_test_key(client, people)

    # When the test key makes far more failed checks than the live limit allows
    for n in range(LIMIT + 5):
        assert validate(client, test, f"{n:08d}@Nobody")["valid"] is False

    # Then none was refused or counted, and the live key checks as if none had been made
    assert list(FailureWindowModel.scan()) == []
    assert validate(client, live, code["code"])["valid"] is True
    assert validate(client, test, VALID)["valid"] is True


def test_the_live_limit_does_not_hold_up_test_checks(client, people, clock):
    # Given a vendor whose live key is past the failure limit
    live, test = with_test_key(client, people)
    for n in range(LIMIT):
        validate(client, live, f"{n:08d}@Nobody")
    assert post(client, live, {"code": "00000000@Nobody"}).status_code == 429

    # When its test key checks, it is answered (test mode has no failure limit: nothing in it is secret)
    assert validate(client, test, VALID)["valid"] is True


# Receipts


def test_a_test_receipt_says_livemode_false_and_verifies_against_the_jwks(client, people, clock):
    _, test = with_test_key(client, people)

    answer = validate(client, test, VALID)

    keys = jwt.PyJWKSet.from_dict(json_of(client.http.get("/.well-known/jwks.json")))
    kid = jwt.get_unverified_header(answer["receipt"])["kid"]
    claims = jwt.decode(
        answer["receipt"], keys[kid], algorithms=["EdDSA"], audience=test.vendor_id, issuer=RECEIPT_ISSUER
    )
    assert claims["livemode"] is False
    assert claims["sub"] == answer["validation_id"]
    assert claims["organisation"] == TEST_ORGANISATION
    assert claims["representative"] == TEST_REPRESENTATIVE


def test_a_test_receipt_is_kept_30_days_and_names_nothing_real(client, people, clock):
    _, test = with_test_key(client, people)

    answer = validate(client, test, VALID)

    stored = ReceiptModel.get(answer["validation_id"], consistent_read=True)
    assert stored.livemode is False
    assert stored.org_id == "test-organisation"
    assert stored.code_id == "test-valid"
    assert stored.purge_when == clock.now() + timedelta(days=30)
    # The test CVR number is no company's: it fails the modulus-11 check
    assert not is_valid_cvr(stored.primary_cvr)


def test_a_test_key_finds_its_test_receipts_and_a_live_key_only_live_ones(client, people, clock):
    # Given a receipt of a test check and one of a live check, by one vendor's two keys
    _, _, code = a_code(client, people)
    live, test = with_test_key(client, people)
    test_receipt = validate(client, test, VALID)["validation_id"]
    live_receipt = validate(client, live, code["code"])["validation_id"]

    # Then each key reads its own mode's receipt, and the other's does not exist for it
    found = receipt_of(client, test, test_receipt)
    assert found.status_code == 200, found.body
    assert json_of(found)["livemode"] is False
    assert json_of(receipt_of(client, live, live_receipt))["livemode"] is True
    assert_problem(receipt_of(client, live, test_receipt), 404, "not-found")
    assert_problem(receipt_of(client, test, live_receipt), 404, "not-found")


# The list of test codes


def test_the_test_codes_list_each_answer_as_a_check_gives_it(client, people, clock):
    _, test = with_test_key(client, people)

    response = listed_codes(client, test)

    assert response.status_code == 200, response.body
    items = json_of(response)["items"]
    assert [item["code"] for item in items] == [VALID, *NOT_VALID]
    for item in items:
        checked = validate(client, test, item["code"])
        checked.pop("validation_id", None)
        checked.pop("receipt", None)
        assert item["answer"] == checked


@pytest.mark.parametrize(
    ("language", "words"),
    [("da", "kun for testnøgler"), ("en", "This is for test keys")],
)
def test_a_live_key_is_refused_the_test_codes_in_its_language(client, people, clock, language, words):
    live, _ = with_test_key(client, people)

    response = listed_codes(client, live, **{"accept-language": language})

    assert words in assert_problem(response, 403, "forbidden")["detail"]


# What a test key cannot reach


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/v1/webhook", {"url": "http://127.0.0.1:9/hook"}),
        ("GET", "/v1/webhook", None),
        ("DELETE", "/v1/webhook", None),
        ("POST", "/v1/webhook/secret", None),
        ("GET", "/v1/events", None),
    ],
)
def test_a_test_key_can_neither_read_nor_redirect_the_vendors_webhook_and_events(
    client, people, clock, method, path, body
):
    # Given a vendor's live webhook, registered with its live key
    live, test = with_test_key(client, people)
    hook = {"url": "http://127.0.0.1:9/live"}
    registered = client.http.put("/v1/webhook", headers={**live.auth, **JSON}, body=json.dumps(hook).encode())
    assert registered.status_code in {200, 201}, registered.body

    # When its test key calls a webhook or event route
    raw = b"" if body is None else json.dumps(body).encode()
    response = client.http.request(method, path, headers={**test.auth, **JSON}, body=raw)

    # Then it is refused (live events hold real organisations' data), and the live webhook is as it was
    assert "live keys" in assert_problem(response, 403, "forbidden")["detail"]
    shown = json_of(client.http.get("/v1/webhook", headers=live.auth))
    assert shown["url"] == hook["url"]
