"""A vendor's people: staff create a vendor with a contact person, who is invited to the vendor console,
accepts, enrols a second factor as a colleague does, and then works with their own vendor only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from chalicelib.models.audit import STAFF_TRAIL, AuditModel
from chalicelib.models.outbox import MailKind
from chalicelib.models.user import UserModel
from chalicelib.models.vendor import VendorModel
from infra.local.signin import sign_in, wait_for_sign_in
from infra.local.totp import fresh_totp
from tests.colleagues import NEW_PASSWORD, accept
from tests.integration.access.test_authentication import assert_problem
from tests.integration.vendors.test_validations import a_code
from tests.onboarding import mail, rendered
from tests.people import People, Person, json_of


@dataclass
class VendorPerson:
    person: Person
    vendor_id: str
    vendor_name: str
    first_key: dict[str, Any]


def contact(**overrides: Any) -> dict[str, Any]:
    return {
        "first_name": "Mette",
        "last_name": "Holm",
        "email": "mette@techshop.example",
        "mobile": "+45 20 30 40 50",
        **overrides,
    }


def create_vendor(client: Any, staff: Person, body: Any) -> Any:
    return client.http.post(
        "/v1/staff/vendors",
        headers={**staff.auth, "content-type": "application/json"},
        body=json.dumps(body).encode(),
    )


def invitation_to(email: str) -> Any:
    [message] = [m for m in mail(MailKind.INVITATION) if m.to_address == email]
    return message


def vendor_person(client: Any, people: People, cognito: Any, name: str = "TechShop ApS") -> VendorPerson:
    """Staff create a vendor with a contact; the contact accepts, enrols an authenticator and signs in."""
    staff = people.staff()
    email = f"{name.split()[0].lower()}-{len(list(VendorModel.scan()))}@vendor.example"
    created = create_vendor(
        client, staff, {"name": name, "contact_email": email, "contact": contact(email=email)}
    )
    assert created.status_code == 201, created.body
    vendor = json_of(created)
    message = invitation_to(email)
    accepted = accept(client, str((message.secrets or {})["invitation_token"]))
    assert accepted.status_code == 201, accepted.body
    user_id = json_of(accepted)["username"]
    first = sign_in(cognito, people.pool.client_id, user_id, NEW_PASSWORD)
    auth = {"authorization": f"Bearer {first}"}
    secret = json_of(client.http.post("/v1/me/second-factor/authenticator", headers=auth))["secret_code"]
    verified = client.http.post(
        "/v1/me/second-factor/authenticator/verify",
        headers={**auth, "content-type": "application/json"},
        body=json.dumps({"code": fresh_totp(secret)}).encode(),
    )
    assert verified.status_code == 200, verified.body
    wait_for_sign_in(json_of(verified)["sign_in_from"])
    token = sign_in(cognito, people.pool.client_id, user_id, NEW_PASSWORD, secret)
    return VendorPerson(Person(user_id, None, token, secret), vendor["vendor_id"], name, vendor["key"])


def test_staff_create_a_vendor_with_a_contact_who_is_invited_to_the_vendor_console(client, people: People):
    # Given a staff member
    staff = people.staff()

    # When they create a vendor with a contact person
    response = create_vendor(
        client,
        staff,
        {"name": "TechShop ApS", "contact_email": "it@techshop.example", "contact": contact()},
    )

    # Then the vendor exists, and the contact has an invited login of the vendor, without an organisation
    assert response.status_code == 201, response.body
    vendor_id = json_of(response)["vendor_id"]
    [person] = [u for u in UserModel.scan() if u.vendor_id == vendor_id]
    assert (person.kind, person.status) == ("vendor", "invited")
    assert not person.org_id
    assert person.mobile == "+4520304050"
    # And their invitation mail, in Danish, says it is for the vendor console of TechShop ApS
    message = invitation_to("mette@techshop.example")
    mailed = rendered(message)
    assert "leverandørkonsol for TechShop ApS" in mailed.subject
    assert "Godkends leverandørkonsol for TechShop ApS" in mailed.text
    assert f"Brugernavn: {person.user_id}" in mailed.text
    assert "Invitationskode: " in mailed.text


def test_a_vendor_without_a_contact_is_made_as_before(client, people: People):
    # Given a staff member
    staff = people.staff()

    # When they create a vendor without a contact
    response = create_vendor(client, staff, {"name": "Alfa ApS", "contact_email": "it@alfa.example"})

    # Then the vendor and its key exist, and nobody is invited
    assert response.status_code == 201, response.body
    assert json_of(response)["key"]["api_key"].startswith("gkv_")
    assert mail(MailKind.INVITATION) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("mobile", "12"), ("email", "not-an-address"), ("first_name", ""), ("last_name", "<b>")],
)
def test_a_bad_contact_is_a_field_error_and_nothing_is_written(client, people: People, field, value):
    # Given a staff member
    staff = people.staff()

    # When they create a vendor whose contact has a bad field
    response = create_vendor(
        client,
        staff,
        {"name": "Beta ApS", "contact_email": "it@beta.example", "contact": contact(**{field: value})},
    )

    # Then it is a 400 naming the field, and no vendor, login or mail was written
    problem = assert_problem(response, 400, "invalid-input")
    assert any(field in json.dumps(error) for error in problem.get("errors", [problem]))
    assert list(VendorModel.scan()) == []
    assert [u for u in UserModel.scan() if u.kind == "vendor"] == []
    assert mail(MailKind.INVITATION) == []


def test_the_contact_accepts_enrols_and_is_told_they_are_a_vendor_person(client, people: People, cognito):
    # Given a vendor person who accepted their invitation and enrolled a second factor
    made = vendor_person(client, people, cognito)

    # When they ask who they are
    me = json_of(client.http.get("/v1/me", headers=made.person.auth))

    # Then they are the vendor's person, never an organisation's
    assert me["roles"] == ["vendor"]
    assert me["vendor"] == {"vendor_id": made.vendor_id, "name": "TechShop ApS"}
    assert me["organisation"] is None
    assert me["functions"] == []
    assert me["companies"] == []
    assert me["user"]["first_name"] == "Mette"
    # And the acceptance is in the staff trail, with the vendor
    accepted = [e for e in AuditModel.query(STAFF_TRAIL) if e.action == "user.invitation_accepted"]
    assert [e.targets.get("vendor_id") for e in accepted] == [made.vendor_id]


def test_before_enrolling_a_vendor_person_reaches_nothing_but_the_enrolment(client, people: People, cognito):
    # Given a vendor's contact who accepted the invitation but has no second factor yet
    staff = people.staff()
    create_vendor(
        client, staff, {"name": "Gamma ApS", "contact_email": "it@gamma.example", "contact": contact()}
    )
    message = invitation_to("mette@techshop.example")
    user_id = json_of(accept(client, str((message.secrets or {})["invitation_token"])))["username"]
    token = sign_in(cognito, people.pool.client_id, user_id, NEW_PASSWORD)

    # When they ask who they are, or for their vendor's keys
    me = client.http.get("/v1/me", headers={"authorization": f"Bearer {token}"})

    # Then they are sent to enrol a second factor first
    assert_problem(me, 403, "second-factor-required")


# The vendor's keys, in the vendor console


def own_keys(client: Any, person: Person) -> Any:
    return client.http.get("/v1/vendor/keys", headers=person.auth)


def make_key(client: Any, person: Person, body: Any) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.http.post(
        "/v1/vendor/keys", headers={**person.auth, "content-type": "application/json"}, body=raw
    )


def revoke_own(client: Any, person: Person, key_id: str) -> Any:
    return client.http.delete(f"/v1/vendor/keys/{key_id}", headers=person.auth)


def validate_with(client: Any, api_key: str, code: str) -> Any:
    return client.http.post(
        "/v1/validations",
        headers={"authorization": f"Bearer {api_key}", "content-type": "application/json"},
        body=json.dumps({"code": code}).encode(),
    )


def test_a_vendor_person_makes_a_labelled_key_shown_once_that_validates_a_code(
    client, people: People, cognito
):
    # Given a vendor person, and an organisation's code
    made = vendor_person(client, people, cognito)
    _, _, code = a_code(client, people)

    # When they make a key named "Kasse 1"
    response = make_key(client, made.person, {"label": "  Kasse 1 "})

    # Then it is answered once, with the key itself, and it validates the code
    assert response.status_code == 201, response.body
    key = json_of(response)
    assert key["label"] == "Kasse 1"
    assert key["status"] == "active"
    assert key["api_key"].startswith(f"gkv_{made.vendor_id}_{key['key_id']}_")
    checked = validate_with(client, key["api_key"], code["code"])
    assert checked.status_code == 200, checked.body
    assert json_of(checked)["valid"] is True
    # And the list shows it, newest first, with the key staff made first, and never a secret
    listed = json_of(own_keys(client, made.person))["items"]
    assert [(k["key_id"], k["label"], k["status"]) for k in listed] == [
        (key["key_id"], "Kasse 1", "active"),
        (made.first_key["key_id"], None, "active"),
    ]
    assert all(k["last_used_at"] is None for k in listed)
    assert key["api_key"] not in json.dumps(listed)
    assert "secret" not in json.dumps(listed)
    # And staff see it with its label
    staff = people.staff()
    seen = json_of(client.http.get(f"/v1/staff/vendors/{made.vendor_id}", headers=staff.auth))
    assert {k["key_id"]: k["label"] for k in seen["keys"]}[key["key_id"]] == "Kasse 1"


def test_a_vendor_person_makes_a_test_key_that_answers_the_test_code_and_not_a_real_one(
    client, people: People, cognito
):
    # Given a vendor person, and an organisation's real code
    made = vendor_person(client, people, cognito)
    _, _, code = a_code(client, people)

    # When they make a test key
    response = make_key(client, made.person, {"label": "Udvikling", "mode": "test"})

    # Then it is a gkv_test_ key, listed as a test key
    assert response.status_code == 201, response.body
    key = json_of(response)
    assert key["mode"] == "test"
    assert key["api_key"].startswith("gkv_test_")
    listed = {k["key_id"]: k["mode"] for k in json_of(own_keys(client, made.person))["items"]}
    assert listed == {key["key_id"]: "test", made.first_key["key_id"]: "live"}
    # And it validates the documented valid test code, saying livemode false
    valid = json_of(validate_with(client, key["api_key"], "valid000@GodkendTest"))
    assert (valid["valid"], valid["livemode"]) == (True, False)
    # And a real organisation's code is unknown to it
    real = json_of(validate_with(client, key["api_key"], code["code"]))
    assert (real["valid"], real["reason"], real["livemode"]) == (False, "unknown", False)


@pytest.mark.parametrize("body", [{}, {"label": ""}, {"label": "   "}, {"label": "x" * 101}, b"{"])
def test_a_key_needs_a_label(client, people: People, cognito, body):
    # Given a vendor person
    made = vendor_person(client, people, cognito)

    # When they make a key without a usable label
    response = make_key(client, made.person, body)

    # Then it is a 400, and no key was made
    assert response.status_code == 400, response.body
    assert len(json_of(own_keys(client, made.person))["items"]) == 1


def test_a_key_revoked_in_the_console_is_refused_on_the_very_next_check_and_audited_with_the_name(
    client, people: People, cognito
):
    # Given a vendor person's key that validates a code
    made = vendor_person(client, people, cognito)
    _, _, code = a_code(client, people)
    key = json_of(make_key(client, made.person, {"label": "Produktion"}))
    assert validate_with(client, key["api_key"], code["code"]).status_code == 200

    # When they revoke it
    response = revoke_own(client, made.person, key["key_id"])

    # Then it is revoked, and the very next check with it is refused
    assert response.status_code == 200, response.body
    assert json_of(response)["status"] == "revoked"
    assert_problem(validate_with(client, key["api_key"], code["code"]), 401, "unauthenticated")
    # And revoking it again changes nothing
    again = revoke_own(client, made.person, key["key_id"])
    assert json_of(again)["revoked_at"] == json_of(response)["revoked_at"]
    # And the staff trail names the person for both the making and the revoking, once each
    staff = people.staff()
    trail = json_of(client.http.get("/v1/staff/audit?limit=100", headers=staff.auth))["items"]
    mine = [
        (e["action"], e["actor"]["id"], e["actor"]["name"])
        for e in trail
        if e["action"].startswith("vendor.key_") and e["actor"]["id"] == made.person.user_id
    ]
    assert sorted(mine) == [
        ("vendor.key_issued", made.person.user_id, "Mette Holm"),
        ("vendor.key_revoked", made.person.user_id, "Mette Holm"),
    ]


def test_another_vendors_key_is_not_found_and_stays_working(client, people: People, cognito):
    # Given two vendors' people, and a key of the second vendor's
    first = vendor_person(client, people, cognito, "Alfa ApS")
    second = vendor_person(client, people, cognito, "Beta ApS")
    _, _, code = a_code(client, people)
    theirs = json_of(make_key(client, second.person, {"label": "Beta"}))

    # When the first vendor's person tries to revoke it, or the key staff made for the second vendor
    response = revoke_own(client, first.person, theirs["key_id"])
    staffs = revoke_own(client, first.person, second.first_key["key_id"])

    # Then both answer 404, as an unknown key does, and the key still works
    unknown = revoke_own(client, first.person, "0" * 20)
    for answer in (response, staffs, unknown):
        assert_problem(answer, 404, "not-found")
    assert json_of(response)["detail"] == json_of(unknown)["detail"]
    assert validate_with(client, theirs["api_key"], code["code"]).status_code == 200
    # And the first vendor's list shows none of the second vendor's keys
    listed = {k["key_id"] for k in json_of(own_keys(client, first.person))["items"]}
    assert listed == {first.first_key["key_id"]}


def test_staff_still_revoke_a_key_made_in_the_console(client, people: People, cognito):
    # Given a vendor person's key
    made = vendor_person(client, people, cognito)
    _, _, code = a_code(client, people)
    key = json_of(make_key(client, made.person, {"label": "Kasse 2"}))

    # When staff revoke it
    staff = people.staff()
    response = client.http.delete(
        f"/v1/staff/vendors/{made.vendor_id}/keys/{key['key_id']}", headers=staff.auth
    )

    # Then it is refused at once, and the console shows it revoked
    assert response.status_code == 200, response.body
    assert_problem(validate_with(client, key["api_key"], code["code"]), 401, "unauthenticated")
    listed = {k["key_id"]: k["status"] for k in json_of(own_keys(client, made.person))["items"]}
    assert listed[key["key_id"]] == "revoked"


def test_a_vendor_person_sees_their_own_vendor(client, people: People, cognito):
    # Given a vendor person, of a vendor without a webhook
    made = vendor_person(client, people, cognito)

    # When they ask for their vendor
    response = client.http.get("/v1/vendor", headers=made.person.auth)

    # Then it is theirs: name, contact, no webhook
    assert response.status_code == 200, response.body
    vendor = json_of(response)
    assert vendor["vendor_id"] == made.vendor_id
    assert vendor["name"] == "TechShop ApS"
    assert vendor["contact_email"].endswith("@vendor.example")
    assert (vendor["webhook_set"], vendor["webhook_status"]) == (False, None)
