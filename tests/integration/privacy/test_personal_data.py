"""A person's access and erasure requests, answered by staff through the API on the emulator."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.clock import FixedClock
from chalicelib.container import Container, use_container
from chalicelib.models.audit import STAFF_TRAIL, AuditModel
from chalicelib.models.code import CodeModel, get_value
from chalicelib.models.outbox import OutboxModel
from chalicelib.models.retention import ERASED, ERASED_EMAIL
from chalicelib.models.suppression import SuppressionModel
from tests.integration.access.test_authentication import assert_problem
from tests.integration.codes.test_codes import created, listed, renew, representative, revoke
from tests.integration.outbox.test_mail_pipeline import Pipeline
from tests.integration.vendors.test_validations import validate
from tests.mailbox import sent_mail
from tests.people import People, Person, json_of

JSON = {"content-type": "application/json"}
MEANS = "mette.hansen@example.org"


@pytest.fixture
def clock(container: Container) -> FixedClock:
    # Years back, so that five years and more later is still before the test's access tokens expire: the
    # token check compares the expiry with the clock.
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=7 * 366))
    use_container(Container(settings=container.settings, clock=clock))
    return clock


def export(client: Any, person: Person, email: str) -> Any:
    body = json.dumps({"email": email}).encode()
    return client.http.post("/v1/staff/personal-data/export", headers={**person.auth, **JSON}, body=body)


def erase(client: Any, person: Person, email: str) -> Any:
    body = json.dumps({"email": email}).encode()
    return client.http.post("/v1/staff/personal-data/erase", headers={**person.auth, **JSON}, body=body)


def exported(client: Any, staff: Person, email: str) -> dict[str, Any]:
    response = export(client, staff, email)
    assert response.status_code == 200, response.body
    answer: dict[str, Any] = json_of(response)
    return answer


def erased(client: Any, staff: Person, email: str) -> dict[str, Any]:
    response = erase(client, staff, email)
    assert response.status_code == 200, response.body
    answer: dict[str, Any] = json_of(response)
    return answer


def test_a_representatives_data_can_be_exported_then_erased_once_their_codes_are_revoked(
    client, people: People, clock
):
    # Given two codes for the same representative (the address typed in another case once), one of them
    # checked by a vendor, and a code for somebody else
    org = people.organisation()
    admin = people.member(org)
    first = created(client, admin, representative(org, email=MEANS))
    second = created(client, admin, representative(org, email="Mette.Hansen@Example.org", account="A2"))
    other = created(client, admin, representative(org, email="somebody@example.org"))
    vendor = people.vendor()
    receipt = validate(client, vendor, first["code"])
    pipeline = Pipeline()
    pipeline.run()
    mailed = len(sent_mail())
    staff = people.staff()

    # When staff export what Godkend holds about the address
    before = exported(client, staff, MEANS)

    # Then both codes, the receipt and both code mails are there, and nothing of the other person
    assert sorted(c["code_id"] for c in before["codes"]) == sorted([first["code_id"], second["code_id"]])
    assert {c["first_name"] for c in before["codes"]} == {"Mette"}
    assert [r["validation_id"] for r in before["receipts"]] == [receipt["validation_id"]]
    assert len(before["mail"]) == 2
    assert all(m["to_address"].lower() == MEANS for m in before["mail"])
    assert other["code_id"] not in json.dumps(before)

    # When the codes are revoked and the person's data is erased
    assert revoke(client, admin, first["code_id"]).status_code == 200
    assert revoke(client, admin, second["code_id"]).status_code == 200
    answer = erased(client, staff, MEANS)

    # Then both codes were erased, and the receipt was kept, saying why
    assert sorted(answer["erased"]["codes"]) == sorted([first["code_id"], second["code_id"]])
    assert answer["kept"]["active_codes"] == []
    assert [r["validation_id"] for r in answer["kept"]["receipts"]] == [receipt["validation_id"]]
    assert "evidence" in answer["kept"]["receipts"][0]["why"]
    assert len(answer["erased"]["mail"]) == 2
    # And the erasure mails nobody, not even when the stream delivers its changes
    pipeline.run()
    assert len(sent_mail()) == mailed

    # And the code list shows no name or e-mail for those codes, while the other code is untouched
    shown = {item["code_id"]: item for item in listed(client, admin)}
    for code_id in (first["code_id"], second["code_id"]):
        assert (shown[code_id]["first_name"], shown[code_id]["last_name"]) == (ERASED, ERASED)
        assert shown[code_id]["email"] == ERASED_EMAIL
    assert shown[other["code_id"]]["first_name"] == "Mette"
    assert "mette" not in json.dumps([shown[first["code_id"]], shown[second["code_id"]]]).lower()

    # And nothing of the address is left on the mail, nor on the revoked value a vendor may still ask about
    for message in OutboxModel.scan():
        assert MEANS not in json.dumps(message.attribute_values, default=str).lower() or (
            message.to_address == "somebody@example.org"
        )
    value = get_value(first["code"].split("@")[0])
    assert value is not None
    assert (value.first_name, value.last_name) == (ERASED, ERASED)

    # And a new export shows only what is kept on purpose: the erased codes (without the person) and the
    # receipt with the representative's name
    after = exported(client, staff, MEANS)
    assert {c["email"] for c in after["codes"]} == {ERASED_EMAIL}
    assert all(c["erased_at"] for c in after["codes"])
    assert [(r["first_name"], r["last_name"]) for r in after["receipts"]] == [("Mette", "Hansen")]
    assert {m["to_address"] for m in after["mail"]} == {ERASED_EMAIL}


def test_an_active_code_is_listed_instead_of_erased(client, people: People, clock):
    # Given an active code for the person
    org = people.organisation()
    admin = people.member(org)
    code = created(client, admin, representative(org, email=MEANS))
    staff = people.staff()

    # When staff erase the person's data
    answer = erased(client, staff, MEANS)

    # Then the active code is kept, saying to revoke it first, and it still works for the representative
    assert answer["erased"]["codes"] == []
    assert [c["code_id"] for c in answer["kept"]["active_codes"]] == [code["code_id"]]
    assert "revoke" in answer["kept"]["active_codes"][0]["why"].lower()
    entry = CodeModel.get(code["code_id"])
    assert (entry.first_name, entry.email) == ("Mette", MEANS)
    assert validate(client, people.vendor(), code["code"])["valid"] is True


def test_an_expired_code_is_erased_and_can_no_longer_be_renewed(client, people: People, clock):
    # Given a code that expired without being revoked
    org = people.organisation()
    admin = people.member(org)
    code = created(client, admin, representative(org, email=MEANS))
    clock.advance(timedelta(days=61))
    staff = people.staff()

    # When the person's data is erased
    answer = erased(client, staff, MEANS)

    # Then the code was erased, and renewing it would mail nobody, so it is refused
    assert answer["erased"]["codes"] == [code["code_id"]]
    response = renew(client, admin, code["code_id"])
    assert_problem(response, 409, "code-erased")


def test_a_person_who_is_both_a_representative_and_a_user_keeps_their_login(client, people: People, clock):
    # Given a user who is also the representative of a revoked code
    org = people.organisation()
    admin = people.member(org)
    colleague = people.member(org)
    email = f"{colleague.user_id}@example.org"
    code = created(client, admin, representative(org, email=email))
    revoke(client, admin, code["code_id"])
    staff = people.staff()

    # When staff export the address
    before = exported(client, staff, email)

    # Then the export has the login, with what the person did signed in, and the code
    assert [u["user_id"] for u in before["users"]] == [colleague.user_id]
    assert before["users"][0]["mobile"] == "+4512345678"
    assert [c["code_id"] for c in before["codes"]] == [code["code_id"]]

    # When the data is erased
    answer = erased(client, staff, email)

    # Then the code was erased, the login kept with the reason, and the login still works
    assert answer["erased"]["codes"] == [code["code_id"]]
    assert [u["user_id"] for u in answer["kept"]["users"]] == [colleague.user_id]
    assert "delete" in answer["kept"]["users"][0]["why"]
    assert client.http.get("/v1/me", headers=colleague.auth).status_code == 200
    assert exported(client, staff, email)["users"][0]["email"] == email


def test_a_suppressed_address_stays_suppressed(client, people: People, clock):
    # Given an address that bounced earlier
    SuppressionModel(MEANS, reason="bounce", suppressed_at=datetime.now(UTC)).save()
    staff = people.staff()

    # When its data is erased
    answer = erased(client, staff, MEANS)

    # Then the suppression is kept and said to be
    assert answer["kept"]["suppression"]["reason"] == "bounce"
    assert SuppressionModel.get(MEANS).reason == "bounce"
    assert exported(client, staff, MEANS)["suppression"]["reason"] == "bounce"


def test_export_and_erasure_are_audited_without_the_address(client, people: People, clock):
    # Given a revoked code for the person
    org = people.organisation()
    admin = people.member(org)
    code = created(client, admin, representative(org, email=MEANS))
    revoke(client, admin, code["code_id"])
    staff = people.staff()

    # When staff export and erase
    exported(client, staff, MEANS)
    erased(client, staff, MEANS)

    # Then the staff trail has both requests, naming a digest and never the address
    trail = list(AuditModel.query(STAFF_TRAIL))
    # (in any order: the test's clock stands still, so both requests have the same instant)
    assert sorted(e.action for e in trail) == ["personal_data.erased", "personal_data.exported"]
    assert all(e.actor_id == staff.user_id for e in trail)
    assert MEANS not in json.dumps([e.attribute_values for e in trail], default=str)

    # And the organisation's own trail says which of its codes were erased
    response = client.http.get("/v1/organisation/audit", headers=admin.auth)
    actions = [item for item in json_of(response)["items"] if item["action"] == "personal_data.erased"]
    assert actions
    assert actions[0]["details"]["code_ids"] == [code["code_id"]]


@pytest.mark.parametrize("path", ["/v1/staff/personal-data/export", "/v1/staff/personal-data/erase"])
def test_only_staff_may_ask(client, people: People, clock, path):
    # Given an administrator of an organisation, and nobody at all
    admin = people.member(people.organisation())
    body = json.dumps({"email": MEANS}).encode()

    # Then both are refused
    assert client.http.post(path, headers={**admin.auth, **JSON}, body=body).status_code == 403
    assert client.http.post(path, headers=JSON, body=body).status_code == 401


@pytest.mark.parametrize("body", [b'{"email": "not an address"}', b"{}", b'{"email": "a@b.dk", "x": 1}'])
def test_a_bad_request_is_a_400_and_erases_nothing(client, people: People, clock, body):
    # Given a revoked code for the person
    org = people.organisation()
    admin = people.member(org)
    code = created(client, admin, representative(org, email=MEANS))
    revoke(client, admin, code["code_id"])
    staff = people.staff()

    # When the request is malformed
    response = client.http.post("/v1/staff/personal-data/erase", headers={**staff.auth, **JSON}, body=body)

    # Then it is a 400 and the code still has its representative
    assert response.status_code == 400, response.body
    assert CodeModel.get(code["code_id"]).first_name == "Mette"
