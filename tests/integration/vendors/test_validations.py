"""Vendors validate codes through the API on the emulator: the answer and its reasons, the receipts that
outlive the code, the organisation's history of them, the limit on failed checks, odd input, and what a
check costs in DynamoDB round trips."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bench.roundtrips import DynamoDBCalls
from chalicelib.clock import FixedClock, isoformat
from chalicelib.container import Container, use_container
from chalicelib.models.code import CodeValueModel
from chalicelib.models.handle import HandleModel, get_handle, handle_key
from chalicelib.models.organisation import OrganisationModel, OrganisationStatus
from chalicelib.models.validation import MAX_BATCH_ATTEMPTS, FailureWindowModel, ReceiptModel
from chalicelib.services.access.authz import Function
from infra.local.demo import set_organisation_status
from tests.integration.access.test_authentication import assert_problem
from tests.integration.codes.test_codes import created, random_part, renew, representative, revoke
from tests.integration.onboarding.test_staff_organisations import decide
from tests.logs import CloudWatchLogs
from tests.onboarding import staff_decide
from tests.people import Org, People, Person, VendorCaller, json_of
from tests.unit.test_validation_rules import ThrottledDynamoDB

JSON = {"content-type": "application/json"}
# The documented defaults (docs/configuration.md): 20 failed checks in a sliding 5 minutes, then 429.
LIMIT = 20
WINDOW = 300
# A code lives exactly 60 days from its creation or renewal.
SIXTY_DAYS = timedelta(days=60)


@pytest.fixture
def clock(container: Container) -> FixedClock:
    # Far enough back that 60 days and more later is still before the test's access tokens expire (the
    # token check compares only the expiry with the clock), and at the start of a rate-limit window.
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=100)
    start -= timedelta(seconds=int(start.timestamp()) % WINDOW)
    clock = FixedClock(start)
    use_container(Container(settings=container.settings, clock=clock))
    return clock


def post(client: Any, vendor: VendorCaller, body: Any) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.http.post("/v1/validations", headers={**vendor.auth, **JSON}, body=raw)


def validate(client: Any, vendor: VendorCaller, code: str) -> dict[str, Any]:
    response = post(client, vendor, {"code": code})
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "application/json"
    answer: dict[str, Any] = json_of(response)
    return answer


def receipt_of(client: Any, vendor: VendorCaller, validation_id: str) -> Any:
    return client.http.get(f"/v1/validations/{validation_id}", headers=vendor.auth)


def history(client: Any, person: Person, query: str = "") -> list[dict[str, Any]]:
    """Every entry of the organisation's history the person sees, following the cursor to the end."""
    return [item for page in history_pages(client, person, query) for item in page]


def history_pages(client: Any, person: Person, query: str = "") -> Iterator[list[dict[str, Any]]]:
    cursor = None
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        response = client.http.get(f"/v1/organisation/validations?{query}{suffix}", headers=person.auth)
        assert response.status_code == 200, response.body
        page = json_of(response)
        yield page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return


def set_status(org: Org, status: OrganisationStatus) -> None:
    # A status the staff routes reach only in several steps (rejected after approval), set as they would:
    # the organisation and what vendors see of it in one transaction.
    set_organisation_status(org.org_id, status, now=datetime.now(UTC))


def a_code(client: Any, people: People, **changes: Any) -> tuple[Org, Person, dict[str, Any]]:
    org = people.organisation()
    admin = people.member(org)
    return org, admin, created(client, admin, representative(org, **changes))


# Valid


def test_a_valid_code_answers_the_organisation_the_representative_and_the_expiry(client, people, clock):
    # Given an approved organisation's code for a representative, and a vendor
    org, _, code = a_code(client, people)
    vendor = people.vendor()
    organisation = OrganisationModel.get(org.org_id)
    clock.advance(timedelta(hours=2))

    # When the vendor validates it
    answer = validate(client, vendor, code["code"])

    # Then it is valid, for the organisation (primary CVR), the representative, until the code expires
    assert answer == {
        "valid": True,
        "validation_id": answer["validation_id"],
        "code_expires_at": code["expires_at"],
        "organisation": {
            "name": organisation.name,
            "legal_name": org.companies[0].name,
            "cvr": org.companies[0].cvr,
            "handle": organisation.handle,
            "approved_since": isoformat(organisation.approved_at),
        },
        "representative": {"first_name": "Mette", "last_name": "Hansen"},
        "livemode": True,
        "receipt": answer["receipt"],  # what it says: tests/integration/vendors/test_receipts.py
    }

    # And a receipt records who asked, with which key, about which code, when
    receipt = ReceiptModel.get(answer["validation_id"])
    assert (receipt.vendor_id, receipt.vendor_name, receipt.org_id, receipt.code_id) == (
        vendor.vendor_id,
        vendor.name,
        org.org_id,
        code["code_id"],
    )
    assert receipt.key_id == vendor.api_key.split("_")[2]
    assert (receipt.cvr, receipt.account) == (code["company"], code["account"])
    assert receipt.validated_at == clock.now()

    # And the vendor can read it back, with when it was answered
    response = receipt_of(client, vendor, answer["validation_id"])
    assert response.status_code == 200, response.body
    assert json_of(response) == {**answer, "validated_at": isoformat(clock.now())}


@pytest.mark.parametrize(
    "shape",
    [
        lambda c: f"  {c}  ",
        lambda c: f"\t{c}\n",
        lambda c: c.upper(),
        lambda c: c.split("@")[0].upper() + "@" + c.split("@")[1],
        lambda c: c.split("@")[0] + "@" + c.split("@")[1].lower(),
        lambda c: f"\u00a0{c.swapcase()}\u00a0",
    ],
)
def test_whitespace_and_letter_case_do_not_matter(client, people, clock, shape):
    _, _, code = a_code(client, people)
    answer = validate(client, people.vendor(), shape(code["code"]))
    assert answer["valid"] is True


def test_every_valid_check_leaves_its_own_receipt(client, people, clock):
    _, _, code = a_code(client, people)
    first, second = people.vendor(), people.vendor()

    answers = [validate(client, v, code["code"]) for v in (first, second, first)]

    assert len({a["validation_id"] for a in answers}) == 3
    assert sorted(r.vendor_id for r in ReceiptModel.scan()) == sorted(
        [first.vendor_id, second.vendor_id, first.vendor_id]
    )


# Not valid, and why


def test_a_made_up_code_is_unknown_and_leaves_no_receipt(client, people, clock):
    vendor = people.vendor()
    people.organisation()
    for code in ("abcdefgh@Forening1", "zzzzzzzz@Nobody", "00000000@RoedeKorsAarhus"):
        assert validate(client, vendor, code) == {"valid": False, "reason": "unknown", "livemode": True}
    assert list(ReceiptModel.scan()) == []


def test_a_code_under_another_handle_is_unknown(client, people, clock):
    # Given a real code, and another approved organisation's handle
    _, _, code = a_code(client, people)
    other = OrganisationModel.get(people.organisation().org_id)
    vendor = people.vendor()

    # Then its random part under any other handle is unknown
    for handle in (other.handle, "RoedeKorsAarhus", code["code"].split("@")[1] + "x"):
        assert validate(client, vendor, f"{random_part(code)}@{handle}")["reason"] == "unknown"
    assert validate(client, vendor, code["code"])["valid"] is True


def test_a_revoked_code_is_revoked(client, people, clock):
    _, admin, code = a_code(client, people)
    revoke(client, admin, code["code_id"])

    assert validate(client, people.vendor(), code["code"]) == {
        "valid": False,
        "reason": "revoked",
        "livemode": True,
    }


def test_a_code_is_valid_until_its_expiry_second_and_expired_from_it(client, people, clock):
    _, _, code = a_code(client, people)
    vendor = people.vendor()

    clock.advance(SIXTY_DAYS - timedelta(seconds=1))
    assert validate(client, vendor, code["code"])["valid"] is True

    clock.advance(timedelta(seconds=1))
    assert validate(client, vendor, code["code"]) == {"valid": False, "reason": "expired", "livemode": True}


def test_after_renewal_the_old_value_is_unknown_and_the_new_one_valid(client, people, clock):
    _, admin, code = a_code(client, people)
    vendor = people.vendor()
    renewed = json_of(renew(client, admin, code["code_id"]))

    assert validate(client, vendor, code["code"]) == {"valid": False, "reason": "unknown", "livemode": True}
    answer = validate(client, vendor, renewed["code"])
    assert answer["valid"] is True
    assert answer["code_expires_at"] == renewed["expires_at"]


def test_a_code_whose_value_item_ttl_removed_is_unknown(client, people, clock):
    _, _, code = a_code(client, people)
    clock.advance(SIXTY_DAYS + timedelta(days=3))
    CodeValueModel(random_part(code)).delete()

    assert validate(client, people.vendor(), code["code"]) == {
        "valid": False,
        "reason": "unknown",
        "livemode": True,
    }


@pytest.mark.parametrize(
    "status", [OrganisationStatus.SUSPENDED, OrganisationStatus.REJECTED, OrganisationStatus.PENDING_REVIEW]
)
def test_the_code_of_an_organisation_that_is_not_approved_is_not_valid(client, people, clock, status):
    # Given an active code of an organisation that is then suspended (or rejected, or back in review)
    org, _, code = a_code(client, people)
    vendor = people.vendor()
    set_status(org, status)

    # Then it is not valid, and no receipt is written
    assert validate(client, vendor, code["code"]) == {
        "valid": False,
        "reason": "organisation_not_approved",
        "livemode": True,
    }
    assert list(ReceiptModel.scan()) == []

    # And once the organisation is approved again, it is valid again
    set_status(org, OrganisationStatus.APPROVED)
    assert validate(client, vendor, code["code"])["valid"] is True


def test_revoked_and_expired_are_told_before_the_organisations_status_is_read(client, people, clock):
    org, admin, code = a_code(client, people)
    _, _, other = a_code(client, people)
    vendor = people.vendor()
    revoke(client, admin, code["code_id"])
    set_status(org, OrganisationStatus.SUSPENDED)
    clock.advance(SIXTY_DAYS)

    assert validate(client, vendor, code["code"])["reason"] == "revoked"
    assert validate(client, vendor, other["code"])["reason"] == "expired"


# Receipts outlive the code


def test_a_receipt_outlives_the_codes_expiry_renewal_revocation_and_ttl_removal(client, people, clock):
    # Given a code validated by a vendor
    _, admin, code = a_code(client, people)
    vendor = people.vendor()
    answer = validate(client, vendor, code["code"])
    validated_at = isoformat(clock.now())
    expected = {**answer, "validated_at": validated_at}

    def still_there() -> None:
        response = receipt_of(client, vendor, answer["validation_id"])
        assert response.status_code == 200, response.body
        assert json_of(response) == expected

    # Then the receipt stands, unchanged, after the code expired
    clock.advance(SIXTY_DAYS + timedelta(days=1))
    assert validate(client, vendor, code["code"])["reason"] == "expired"
    still_there()

    # after it was renewed
    renewed = json_of(renew(client, admin, code["code_id"]))
    assert renewed["code"] != code["code"]
    still_there()

    # after it was revoked
    revoke(client, admin, code["code_id"])
    still_there()

    # and after DynamoDB's TTL removed its value item
    clock.advance(SIXTY_DAYS + timedelta(days=10))
    CodeValueModel(random_part(renewed)).delete()
    assert list(CodeValueModel.scan()) == []
    still_there()


def test_another_vendors_receipt_or_an_unknown_one_is_404(client, people, clock):
    _, _, code = a_code(client, people)
    mine, theirs = people.vendor(), people.vendor()
    answer = validate(client, theirs, code["code"])

    for validation_id in (answer["validation_id"], "0" * 32, "nonsense", answer["validation_id"].upper()):
        assert_problem(receipt_of(client, mine, validation_id), 404, "not-found")
    assert receipt_of(client, theirs, answer["validation_id"]).status_code == 200


# The organisation's history


def test_the_organisation_sees_which_vendors_validated_which_codes_newest_first(client, people, clock):
    # Given two codes validated by two vendors at different times
    org = people.organisation()
    admin = people.member(org)
    one = created(client, admin, representative(org, "A1"))
    two = created(client, admin, representative(org, "B1", first_name="Lars"))
    first, second = people.vendor(), people.vendor()
    answers = []
    for vendor, code in ((first, one), (second, one), (first, two)):
        clock.advance(timedelta(minutes=1))
        answers.append((vendor, code, validate(client, vendor, code["code"]), isoformat(clock.now())))
    # And checks that were not valid, which are not in the history
    validate(client, first, "00000000@Nobody")

    # When the administrator reads the history, a page of one at a time
    entries = history(client, admin, "limit=1")

    # Then it lists each valid check, newest first, with the vendor, the code and the representative
    assert entries == [
        {
            "validation_id": answer["validation_id"],
            "validated_at": at,
            "vendor": {"vendor_id": vendor.vendor_id, "name": vendor.name},
            "code_id": code["code_id"],
            "company": code["company"],
            "account": code["account"],
            "company_name": {c.cvr: c.name for c in org.companies}[code["company"]],
            "account_name": {"A1": "Account one", "B1": "Account three"}[code["account"]],
            "representative": {"first_name": code["first_name"], "last_name": code["last_name"]},
            "code_expires_at": code["expires_at"],
        }
        for vendor, code, answer, at in reversed(answers)
    ]
    # And pages join up: one page of everything, or pages of two
    assert [e["validation_id"] for e in history(client, admin, "limit=2")] == [
        e["validation_id"] for e in entries
    ]
    assert [len(page) for page in history_pages(client, admin, "limit=3")] == [3]


def test_history_shows_a_limited_user_only_their_accounts_and_another_organisation_nothing(
    client, people, clock
):
    # Given validated codes under three accounts of an organisation, and another organisation's
    org = people.organisation()
    parent, child = org.companies
    admin = people.member(org)
    vendor = people.vendor()
    codes = {account: created(client, admin, representative(org, account)) for account in ("A1", "A2", "B1")}
    for code in codes.values():
        clock.advance(timedelta(seconds=1))
        validate(client, vendor, code["code"])
    other = people.organisation()
    other_admin = people.member(other)
    validate(client, vendor, created(client, other_admin, representative(other))["code"])

    # Then the administrator sees all three and nothing of the other organisation
    assert {e["code_id"] for e in history(client, admin)} == {c["code_id"] for c in codes.values()}
    assert len(history(client, other_admin)) == 1

    # And a user limited to account A2 sees only A2's, however they ask
    limited = people.member(org, functions=[Function.HISTORY], companies={parent.cvr: ["A2"]})
    only_a2 = [codes["A2"]["code_id"]]
    assert [e["code_id"] for e in history(client, limited)] == only_a2
    assert [e["code_id"] for e in history(client, limited, f"company={parent.cvr}")] == only_a2
    assert [e["code_id"] for e in history(client, limited, f"company={parent.cvr}&account=A2")] == only_a2
    for query in (
        f"company={parent.cvr}&account=A1",
        f"company={child.cvr}",
        f"company={other.companies[0].cvr}",
    ):
        response = client.http.get(f"/v1/organisation/validations?{query}", headers=limited.auth)
        assert_problem(response, 404, "not-found")

    # And a user with the child company only sees B1's
    child_only = people.member(org, functions=[Function.HISTORY], companies={child.cvr: None})
    assert [e["code_id"] for e in history(client, child_only)] == [codes["B1"]["code_id"]]


def test_history_needs_the_history_function(client, people, clock):
    org = people.organisation()
    colleague = people.member(org, functions=[Function.CODES, Function.USERS])
    assert_problem(client.http.get("/v1/organisation/validations", headers=colleague.auth), 403, "forbidden")
    staff = people.staff()
    assert_problem(client.http.get("/v1/organisation/validations", headers=staff.auth), 403, "forbidden")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=x", "limit"),
        ("company=123", "company"),
        ("account=A1", "account"),
        ("cursor=garbage", "cursor"),
        ("status=active", "status"),
    ],
)
def test_a_bad_history_query_is_a_400_naming_the_parameter(client, people, clock, query, field):
    admin = people.member(people.organisation())
    response = client.http.get(f"/v1/organisation/validations?{query}", headers=admin.auth)
    body = assert_problem(response, 400, "invalid-input")
    assert field in [e["field"] for e in body["errors"]]


def test_a_history_cursor_only_continues_its_own_list(client, people, clock):
    # Given cursors from an organisation's history and from its codes list
    org = people.organisation()
    admin = people.member(org)
    vendor = people.vendor()
    for _ in range(3):
        clock.advance(timedelta(seconds=1))
        validate(client, vendor, created(client, admin, representative(org))["code"])
    history_cursor = json_of(client.http.get("/v1/organisation/validations?limit=1", headers=admin.auth))[
        "next_cursor"
    ]
    codes_cursor = json_of(client.http.get("/v1/codes?limit=1", headers=admin.auth))["next_cursor"]
    assert history_cursor
    assert codes_cursor

    # Then neither continues the other list, nor another organisation's history
    other = people.member(people.organisation())
    for person, path in (
        (admin, f"/v1/organisation/validations?cursor={codes_cursor}"),
        (admin, f"/v1/codes?cursor={history_cursor}"),
        (other, f"/v1/organisation/validations?cursor={history_cursor}"),
    ):
        body = assert_problem(client.http.get(path, headers=person.auth), 400, "invalid-input")
        assert [e["field"] for e in body["errors"]] == ["cursor"]


# Guessing


def fail(client: Any, vendor: VendorCaller, times: int) -> None:
    for n in range(times):
        assert validate(client, vendor, f"{n:08d}@Nobody")["reason"] == "unknown"


def test_past_the_limit_of_failed_checks_a_vendor_waits_for_the_window_to_slide(client, people, clock):
    # Given a vendor that has failed LIMIT checks in the first second of a window, and a valid code
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    fail(client, vendor, LIMIT)

    # When they check again, even a valid code
    response = post(client, vendor, {"code": code["code"]})

    # Then they are refused with 429 and told to wait until the window has slid past their failures
    body = assert_problem(response, 429, "too-many-requests")
    retry_after = int(response.headers["Retry-After"])
    assert retry_after == WINDOW + 1
    assert "Retry-After" in body["detail"]
    assert list(ReceiptModel.scan()) == []

    # And one second before that they are still refused, with the wait counting down
    clock.advance(timedelta(seconds=retry_after - 1))
    still = post(client, vendor, {"code": code["code"]})
    assert_problem(still, 429, "too-many-requests")
    assert still.headers["Retry-After"] == "1"

    # And from that second on they are answered again
    clock.advance(timedelta(seconds=1))
    assert validate(client, vendor, code["code"])["valid"] is True


def test_refused_checks_are_not_counted_and_valid_ones_never_count(client, people, clock):
    # Given a vendor one short of the limit, with valid checks in between
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    fail(client, vendor, LIMIT - 1)
    for _ in range(5):
        assert validate(client, vendor, code["code"])["valid"] is True

    # When the last failure is counted, and the vendor keeps knocking while refused
    fail(client, vendor, 1)
    for _ in range(5):
        assert post(client, vendor, {"code": "00000000@Nobody"}).status_code == 429

    # Then the count is exactly the limit, in the window's own item, which expires two windows on
    (window,) = FailureWindowModel.scan()
    assert (window.vendor_id, int(window.failures)) == (vendor.vendor_id, LIMIT)
    assert int(window.window_start) == int(clock.now().timestamp())
    assert window.expires_at == clock.now() + timedelta(seconds=2 * WINDOW)


def test_one_vendors_failures_do_not_hold_up_another(client, people, clock):
    _, _, code = a_code(client, people)
    guesser, honest = people.vendor(), people.vendor()
    fail(client, guesser, LIMIT)

    assert post(client, guesser, {"code": code["code"]}).status_code == 429
    assert validate(client, honest, code["code"])["valid"] is True


def test_every_kind_of_not_valid_counts_as_a_failure(client, people, clock):
    # Given an expired code, a revoked one and one of a suspended organisation, all checked repeatedly
    _, _, expired = a_code(client, people)
    clock.advance(SIXTY_DAYS)
    _, admin, revoked = a_code(client, people)
    revoke(client, admin, revoked["code_id"])
    suspended_org, _, suspended = a_code(client, people)
    set_status(suspended_org, OrganisationStatus.SUSPENDED)
    vendor = people.vendor()
    reasons = []
    for n in range(LIMIT):
        code = (revoked, expired, suspended)[n % 3]["code"]
        reasons.append(validate(client, vendor, code)["reason"])

    # Then they add up to the limit like unknown codes do
    assert set(reasons) == {"revoked", "expired", "organisation_not_approved"}
    assert post(client, vendor, {"code": revoked["code"]}).status_code == 429


def test_a_smaller_limit_from_the_settings_applies(client, people, container, clock):
    settings = container.settings.model_copy(
        update={"validation_failure_limit": 2, "validation_failure_window_seconds": 10}
    )
    use_container(Container(settings=settings, clock=clock))
    vendor = people.vendor()
    fail(client, vendor, 2)

    response = post(client, vendor, {"code": "00000000@Nobody"})

    # Two failures in the window's first second weigh 2 * 9 / 10 < 2 one second into the next window
    assert_problem(response, 429, "too-many-requests")
    assert response.headers["Retry-After"] == "11"


class ThrottledContainer(Container):
    """A container whose DynamoDB keeps handing BatchGetItem keys back unread, as under heavy throttling."""

    @property
    def dynamodb_client(self):
        return ThrottledDynamoDB(unprocessed=MAX_BATCH_ATTEMPTS)


def test_a_lookup_dynamodb_keeps_throttling_is_a_503_not_a_failure(client, people, container, clock):
    vendor = people.vendor()
    use_container(ThrottledContainer(settings=container.settings, clock=clock))

    response = post(client, vendor, {"code": "abcdefgh@Forening1"})

    assert_problem(response, 503, "upstream-unavailable")
    assert list(FailureWindowModel.scan()) == []


# Odd input

ODD_BODIES_400: list[tuple[Any, str]] = [
    ({"code": ""}, "code"),
    ({"code": "   \t\n "}, "code"),
    ({"code": "a" * 101}, "code"),
    ({"code": "  " + "a" * 101 + "  "}, "code"),
    ({"code": None}, "code"),
    ({"code": 12345678}, "code"),
    ({"code": 1.5}, "code"),
    ({"code": True}, "code"),
    ({"code": ["abcdefgh@Forening1"]}, "code"),
    ({"code": {"value": "abcdefgh@Forening1"}}, "code"),
    ({}, "code"),
    ({"Code": "abcdefgh@Forening1"}, "Code"),
    ({"code": "abcdefgh@Forening1", "vendor_id": "someone-else"}, "vendor_id"),
    ([], "body"),
    (["abcdefgh@Forening1"], "body"),
    ("abcdefgh@Forening1", "body"),
    (None, "body"),
]
ODD_BODIES_UNKNOWN = [
    "abc%40Forening1",
    "abcdefgh%40Forening1",
    "abcdefgh@Forening1%20",
    "abcdefgh\uff20Forening1",  # a full-width @
    "ǅǆǇǈǉǊǋǌ@Forening1",
    "abcdefgh@Fören1ng",
    "🙂🙂🙂🙂🙂🙂🙂🙂@Forening1",
    "abcdefgh@Forening1\x00",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "a" * 100,
    "..",
    "@",
]


def test_a_body_that_breaks_the_contract_is_a_400_naming_the_field_and_is_not_counted(client, people, clock):
    vendor = people.vendor()

    for body, field in ODD_BODIES_400:
        problem = assert_problem(post(client, vendor, body), 400, "invalid-input")
        assert field in [e["field"] for e in problem["errors"]], body

    assert list(FailureWindowModel.scan()) == []


def test_text_that_is_not_a_code_is_unknown_and_counted(client, people, clock):
    vendor = people.vendor()

    for text in ODD_BODIES_UNKNOWN:
        assert validate(client, vendor, text) == {"valid": False, "reason": "unknown", "livemode": True}, text

    (window,) = FailureWindowModel.scan()
    assert int(window.failures) == len(ODD_BODIES_UNKNOWN)


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"", "application/json", 400),
        (b"\xff\xfe\x00", "application/json", 400),
        (b'{"code": "abc', "application/json", 400),
        (json.dumps({"code": "a" * 70000}).encode(), "application/json", 413),
        (b"code=abcdefgh%40Forening1", "application/x-www-form-urlencoded", 415),
        (b"abcdefgh@Forening1", "text/plain", 415),
    ],
)
def test_a_body_that_is_not_json_is_a_problem_not_a_500(client, people, clock, raw, content_type, status):
    vendor = people.vendor()
    response = client.http.post(
        "/v1/validations", headers={**vendor.auth, "content-type": content_type}, body=raw
    )
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    assert json_of(response)["status"] == status


def test_codes_and_keys_never_reach_the_logs(client, people, clock, capsys, logs: CloudWatchLogs):
    # Given valid, unknown, revoked and refused checks
    _, admin, code = a_code(client, people)
    vendor = people.vendor()
    validate(client, vendor, code["code"])
    validate(client, vendor, "secret99@Nobody")
    revoke(client, admin, code["code_id"])
    validate(client, vendor, code["code"])
    fail(client, vendor, LIMIT - 2)
    assert post(client, vendor, {"code": code["code"]}).status_code == 429

    # Then neither a code nor the key appears in any line CloudWatch would receive (the refusal was logged),
    # nor in anything printed
    assert "request refused" in [record["message"] for record in logs.records]
    printed = capsys.readouterr()
    logged = logs.text + printed.out + printed.err
    for secret in (random_part(code), "secret99", vendor.api_key.rsplit("_", 1)[1]):
        assert secret not in logged


# Cost


def test_a_valid_check_costs_one_read_and_one_write(client, people, container, clock):
    # Given a code and a vendor, and every client the service uses counting its calls
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    fresh = Container(settings=container.settings, clock=clock)
    use_container(fresh)

    # When one valid check is made
    with DynamoDBCalls(fresh, table_prefix="godkend-test-") as counted:
        assert validate(client, vendor, code["code"])["valid"] is True

    # Then it read the key, the failure windows, the code and the organisation's state in one round trip,
    # and wrote the receipt: nothing else
    assert counted.calls == [
        ("BatchGetItem", "code-values+handles+validation-failures+vendor-keys"),
        ("PutItem", "validations"),
    ]


def test_a_failed_check_costs_the_read_and_the_count_and_a_refused_one_the_read(
    client, people, container, clock
):
    org, _, code = a_code(client, people)
    vendor = people.vendor()
    fresh = Container(settings=container.settings, clock=clock)
    use_container(fresh)
    set_status(org, OrganisationStatus.SUSPENDED)

    with DynamoDBCalls(fresh, table_prefix="godkend-test-") as unknown:
        validate(client, vendor, "00000000@Nobody")
    with DynamoDBCalls(fresh, table_prefix="godkend-test-") as not_approved:
        assert validate(client, vendor, code["code"])["reason"] == "organisation_not_approved"
    with DynamoDBCalls(fresh, table_prefix="godkend-test-") as not_a_code:
        validate(client, vendor, "not a code")
    fail(client, vendor, LIMIT - 3)
    with DynamoDBCalls(fresh, table_prefix="godkend-test-") as refused:
        assert post(client, vendor, {"code": "00000000@Nobody"}).status_code == 429

    everything = ("BatchGetItem", "code-values+handles+validation-failures+vendor-keys")
    count = ("UpdateItem", "validation-failures")
    assert unknown.calls == not_approved.calls == [everything, count]
    assert not_a_code.calls == [("BatchGetItem", "validation-failures+vendor-keys"), count]
    assert refused.calls == [everything]


def test_a_wrong_key_costs_the_read_alone_and_counts_nothing(client, people, container, clock):
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    fresh = Container(settings=container.settings, clock=clock)
    use_container(fresh)
    wrong_secret = vendor.api_key[:-1] + ("0" if vendor.api_key[-1] != "0" else "1")

    with DynamoDBCalls(fresh, table_prefix="godkend-test-") as counted:
        response = post(
            client, VendorCaller(vendor.vendor_id, vendor.name, wrong_secret), {"code": code["code"]}
        )

    assert_problem(response, 401, "unauthenticated")
    assert counted.calls == [("BatchGetItem", "code-values+handles+validation-failures+vendor-keys")]
    assert list(FailureWindowModel.scan()) == []
    assert list(ReceiptModel.scan()) == []


class HandsBackKeysOnce:
    """Makes DynamoDB's first answer to the check's BatchGetItem leave the handle unread, as throttling
    would: the key comes back in UnprocessedKeys, for the service to ask for again."""

    def __init__(self) -> None:
        self.answers = 0

    def __call__(self, parsed: dict[str, Any], model: Any, **kwargs: Any) -> None:
        if model.name != "BatchGetItem":
            return
        self.answers += 1
        handles = next((t for t in parsed.get("Responses", {}) if t.endswith("-handles")), None)
        if self.answers == 1 and handles is not None:
            keys = [{"handle_key": item["handle_key"]} for item in parsed["Responses"].pop(handles)]
            parsed["UnprocessedKeys"] = {handles: {"Keys": keys, "ConsistentRead": True}}


def test_keys_handed_back_unread_are_read_again_and_each_try_counts(client, people, container, clock):
    # Given a code, and DynamoDB handing back the handle's key unread in its first answer
    org, _, code = a_code(client, people)
    vendor = people.vendor()
    fresh = Container(settings=container.settings, clock=clock)
    use_container(fresh)
    hands_back = HandsBackKeysOnce()
    events = fresh.dynamodb_client.meta.events
    events.register("after-call.dynamodb.BatchGetItem", hands_back)
    try:
        with DynamoDBCalls(fresh, table_prefix="godkend-test-") as counted:
            answer = validate(client, vendor, code["code"])
    finally:
        events.unregister("after-call.dynamodb.BatchGetItem", hands_back)

    # Then the check asked again for what was left unread and answered from it; both tries are counted
    assert counted.calls == [
        ("BatchGetItem", "code-values+handles+validation-failures+vendor-keys"),
        ("BatchGetItem", "handles"),
        ("PutItem", "validations"),
    ]
    assert answer["valid"] is True
    assert answer["organisation"]["name"] == OrganisationModel.get(org.org_id).name


# What vendors see follows the organisation at once


def test_approval_suspension_and_reinstatement_count_for_the_very_next_check(client, people, clock):
    # Given an organisation waiting for review, approved by staff, with a code
    org = people.organisation(OrganisationStatus.PENDING_REVIEW)
    admin = people.member(org)
    staff = people.staff()
    vendor = people.vendor()
    assert decide(client, staff, org.org_id, "approve").status_code == 200
    code = created(client, admin, representative(org))

    # Then the very next check answers it as approved since the approval
    approved = validate(client, vendor, code["code"])
    assert approved["valid"] is True
    assert approved["organisation"]["approved_since"] == isoformat(clock.now())

    # When staff suspend it, the very next check says so
    clock.advance(timedelta(seconds=1))
    assert decide(client, staff, org.org_id, "suspend", "Undersøges").status_code == 200
    assert validate(client, vendor, code["code"]) == {
        "valid": False,
        "reason": "organisation_not_approved",
        "livemode": True,
    }

    # And when staff approve it again, the very next check is valid, approved since the new approval
    clock.advance(timedelta(seconds=1))
    assert decide(client, staff, org.org_id, "approve").status_code == 200
    again = validate(client, vendor, code["code"])
    assert again["valid"] is True
    assert again["organisation"]["approved_since"] == isoformat(clock.now())


def test_a_rejection_counts_for_the_very_next_check(client, people, clock):
    # Given an organisation with a valid code that is then rejected (as staff reject)
    org, _, code = a_code(client, people)
    vendor = people.vendor()
    assert validate(client, vendor, code["code"])["valid"] is True

    set_status(org, OrganisationStatus.REJECTED)

    assert validate(client, vendor, code["code"]) == {
        "valid": False,
        "reason": "organisation_not_approved",
        "livemode": True,
    }


def test_a_rejected_organisation_that_was_never_approved_reserves_no_handle(client, people, clock):
    org = people.organisation(OrganisationStatus.PENDING_REVIEW)
    staff = people.staff()

    assert decide(client, staff, org.org_id, "reject", "Ikke en forening").status_code == 200

    assert get_handle(OrganisationModel.get(org.org_id).handle) is None


def test_an_approved_change_of_name_counts_for_the_very_next_check(client, people, clock):
    # Given a code of an approved organisation, checked once under its approved name
    org, admin, code = a_code(client, people)
    vendor = people.vendor()
    approved_name = validate(client, vendor, code["code"])["organisation"]["name"]

    # When the organisation asks for a new name, vendors still see the approved one
    response = client.http.patch(
        "/v1/organisation", headers={**admin.auth, **JSON}, body=json.dumps({"name": "Ny Forening"}).encode()
    )
    assert response.status_code == 200, response.body
    assert validate(client, vendor, code["code"])["organisation"]["name"] == approved_name

    # And once staff approve it, the very next check names it so
    staff = people.staff()
    approved = staff_decide(client, staff, org.org_id, "name/approve")
    assert approved.status_code == 200, approved.body
    assert validate(client, vendor, code["code"])["organisation"]["name"] == "Ny Forening"
    state = get_handle(OrganisationModel.get(org.org_id).handle)
    assert state is not None
    assert state.name == "Ny Forening"


def test_a_refused_change_of_name_leaves_what_vendors_see(client, people, clock):
    org, admin, code = a_code(client, people)
    vendor = people.vendor()
    before = validate(client, vendor, code["code"])["organisation"]
    client.http.patch(
        "/v1/organisation", headers={**admin.auth, **JSON}, body=json.dumps({"name": "Andet Navn"}).encode()
    )

    refused = staff_decide(
        client, people.staff(), org.org_id, "name/refuse", "Navnet passer ikke til registeret"
    )

    assert refused.status_code == 200, refused.body
    assert validate(client, vendor, code["code"])["organisation"] == before


def test_renaming_the_main_company_leaves_the_register_name_vendors_see(client, people, clock):
    # The legal name is the company register's; the name an organisation types for its company is its own.
    org, admin, code = a_code(client, people)
    vendor = people.vendor()
    legal_name = validate(client, vendor, code["code"])["organisation"]["legal_name"]

    response = client.http.patch(
        "/v1/organisation",
        headers={**admin.auth, **JSON},
        body=json.dumps({"companies": [{"cvr": org.companies[0].cvr, "name": "Omdøbt ApS"}]}).encode(),
    )

    assert response.status_code == 200, response.body
    assert legal_name != "Omdøbt ApS"
    assert validate(client, vendor, code["code"])["organisation"]["legal_name"] == legal_name


def test_a_code_whose_handle_names_another_organisation_is_unknown(client, people, clock):
    # Given a code, and its handle's item naming another organisation (as no write of ours would)
    org, _, code = a_code(client, people)
    vendor = people.vendor()
    handle = OrganisationModel.get(org.org_id).handle
    HandleModel(handle_key(handle)).update(actions=[HandleModel.org_id.set("org-someone-else")])

    assert validate(client, vendor, code["code"]) == {"valid": False, "reason": "unknown", "livemode": True}
