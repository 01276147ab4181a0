"""Retention: every write path sets its table's TTL attribute to the documented period, and every read
treats an item past it as gone (TTL deletes days late, and never in moto)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.clock import FixedClock
from chalicelib.container import Container, use_container
from chalicelib.models.application import ApplicationModel
from chalicelib.models.audit import AuditModel
from chalicelib.models.code import CodeModel
from chalicelib.models.outbox import OutboxModel
from chalicelib.models.retention import add_months
from chalicelib.models.validation import ReceiptModel
from tests.integration.codes.test_codes import created, get_code, listed, renew, representative, revoke
from tests.integration.vendors.test_validations import history, receipt_of, validate
from tests.people import People

JSON = {"content-type": "application/json"}
THIRTEEN_MONTHS = 13


@pytest.fixture
def clock(container: Container) -> FixedClock:
    # Years back, so that five years and more later is still before the test's access tokens expire: the
    # token check compares the expiry with the clock.
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=7 * 366))
    use_container(Container(settings=container.settings, clock=clock))
    return clock


def entry(code_id: str) -> CodeModel:
    return CodeModel.get(code_id, consistent_read=True)


def when(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2027-01-31T10:00:00+00:00", 1, "2027-02-28T10:00:00+00:00"),
        ("2028-01-31T10:00:00+00:00", 1, "2028-02-29T10:00:00+00:00"),
        ("2026-12-15T00:00:00+00:00", 13, "2028-01-15T00:00:00+00:00"),
        ("2026-03-01T23:59:59+00:00", 60, "2031-03-01T23:59:59+00:00"),
    ],
)
def test_months_are_calendar_months(start, months, expected):
    assert add_months(datetime.fromisoformat(start), months) == datetime.fromisoformat(expected)


def test_a_codes_entry_is_kept_13_months_after_it_was_last_valid_and_renewal_moves_it(
    client, people: People, clock
):
    # Given a new code
    org = people.organisation()
    admin = people.member(org)
    code = created(client, admin, representative(org))

    # Then its entry is kept 13 months past the value's expiry
    assert entry(code["code_id"]).purge_at == add_months(when(code["expires_at"]), THIRTEEN_MONTHS)

    # When it is renewed a month later, the 13 months run from the new value's expiry
    clock.advance(timedelta(days=30))
    renewed = renew(client, admin, code["code_id"])
    assert renewed.status_code == 200, renewed.body
    new_expiry = when(json.loads(renewed.body)["expires_at"])
    assert entry(code["code_id"]).purge_at == add_months(new_expiry, THIRTEEN_MONTHS)

    # When it is revoked, they run from the revocation, which came before the expiry
    clock.advance(timedelta(days=1))
    revoke(client, admin, code["code_id"])
    revoked = entry(code["code_id"])
    assert revoked.revoked_at is not None
    assert revoked.purge_at == add_months(revoked.revoked_at, THIRTEEN_MONTHS)


def test_a_code_past_its_retention_is_gone_for_every_caller_before_ttl_removes_it(
    client, people: People, clock
):
    # Given a code that expired, and a second one that is still new
    org = people.organisation()
    admin = people.member(org)
    old = created(client, admin, representative(org))
    clock.advance(timedelta(days=60 + 1))
    kept = created(client, admin, representative(org, first_name="Ny"))

    # When 13 months have passed since the first one's expiry, to the second, and TTL has not removed it
    # (moto never does)
    clock.advance(entry(old["code_id"]).purge_at - clock.now())
    assert CodeModel.get(old["code_id"]) is not None

    # Then it is neither listed nor found, while the other one still is until its own time
    assert [item["code_id"] for item in listed(client, admin)] == [kept["code_id"]]
    assert get_code(client, admin, old["code_id"]).status_code == 404
    assert get_code(client, admin, kept["code_id"]).status_code == 200


def test_a_receipt_is_kept_five_years_then_gone(client, people: People, clock):
    # Given a valid check
    org = people.organisation()
    admin = people.member(org)
    code = created(client, admin, representative(org))
    vendor = people.vendor()
    checked = validate(client, vendor, code["code"])

    # Then its receipt is kept five years after the check
    receipt = ReceiptModel.get(checked["validation_id"])
    assert receipt.purge_at == add_months(receipt.validated_at, 60)

    # When five years have passed (and TTL has not removed it), neither the vendor nor the history sees it
    clock.advance(timedelta(days=5 * 366))
    assert receipt_of(client, vendor, checked["validation_id"]).status_code == 404
    assert history(client, admin) == []


def test_the_receipts_retention_comes_from_the_settings(client, people: People, container, clock):
    # Given a stage that keeps receipts seven years
    settings = container.settings.model_copy(update={"receipt_retention_years": 7})
    use_container(Container(settings=settings, clock=clock))
    org = people.organisation()
    admin = people.member(org)
    code = created(client, admin, representative(org))

    # When a vendor checks a code
    checked = validate(client, people.vendor(), code["code"])

    # Then its receipt is kept seven years
    receipt = ReceiptModel.get(checked["validation_id"])
    assert receipt.purge_at == add_months(receipt.validated_at, 84)


def test_every_audit_entry_is_kept_five_years_and_then_left_out_of_the_trail(client, people: People, clock):
    # Given audit entries from several write paths: a colleague invited, changed and disabled
    org = people.organisation()
    admin = people.member(org)
    body: dict[str, Any] = {
        "first_name": "Kim",
        "last_name": "Larsen",
        "email": "kim@example.org",
        "mobile": "+4587654321",
        "functions": ["codes"],
        "companies": [{"cvr": org.companies[0].cvr, "access": "full"}],
    }
    made = client.http.post("/v1/users", headers={**admin.auth, **JSON}, body=json.dumps(body).encode())
    assert made.status_code == 201, made.body
    user_id = json.loads(made.body)["user_id"]
    patch = json.dumps({"first_name": "Kimmie"}).encode()
    assert (
        client.http.patch(f"/v1/users/{user_id}", headers={**admin.auth, **JSON}, body=patch).status_code
        == 200
    )

    # Then every entry is kept five years after its event
    entries = list(AuditModel.query(org.org_id))
    assert len(entries) >= 2
    assert all(e.purge_at == add_months(e.at.replace(microsecond=0), 60) for e in entries)

    # And once five years have passed the trail leaves them out
    clock.advance(timedelta(days=5 * 366))
    response = client.http.get("/v1/organisation/audit", headers=admin.auth)
    assert response.status_code == 200, response.body
    assert json.loads(response.body)["items"] == []


def test_an_application_is_kept_30_days_after_its_letter_expired_and_mail_90_days(client, clock):
    # Given an application from the sample register
    body = {
        "cvr": "12345674",
        "name": "Foreningen Ældre Hjælper Ældre",
        "applicant": {
            "first_name": "Ane",
            "last_name": "Ravn",
            "email": "ane@example.org",
            "mobile": "+4512345678",
        },
    }
    response = client.http.post("/v1/applications", headers=JSON, body=json.dumps(body).encode())
    assert response.status_code == 202, response.body

    # Then it goes 30 days after its letter's code expires, and its letter 90 days after it was queued
    [application] = list(ApplicationModel.scan())
    assert application.delete_after == application.code_expires_at + timedelta(days=30)
    letters = list(OutboxModel.scan())
    assert letters
    assert all(m.expires_at == m.created_at + timedelta(days=90) for m in letters)
