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
    assert (person.kind, person.status, person.org_id) == ("vendor", "invited", None)
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
