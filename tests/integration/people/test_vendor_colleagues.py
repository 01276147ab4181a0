"""A vendor's colleagues: a vendor person lists their vendor's people, invites a colleague (the same
invitation, acceptance and enrolment as the vendor's contact), and removes one, whose login and sessions end
at once. Another vendor's people are not found, nobody removes themselves, and the vendor keeps an active
person even when two people remove each other at once."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.container import Container
from chalicelib.errors import Conflict
from chalicelib.models.audit import Origin
from chalicelib.models.outbox import MailKind
from chalicelib.models.user import UserModel
from chalicelib.services.access.authz import Principal
from infra.local.signin import sign_in, wait_for_sign_in
from infra.local.totp import fresh_totp
from tests.colleagues import NEW_PASSWORD, accept
from tests.integration.access.test_authentication import assert_problem
from tests.integration.vendors.test_vendor_people import VendorPerson, invitation_to, vendor_person
from tests.onboarding import mail, rendered
from tests.people import People, Person, json_of

JSON = {"content-type": "application/json"}


def colleague(**overrides: Any) -> dict[str, Any]:
    return {
        "first_name": "Jonas",
        "last_name": "Krogh",
        "email": "jonas@techshop.example",
        "mobile": "22334455",
        **overrides,
    }


def invite(client: Any, person: Person, body: Any) -> Any:
    return client.http.post(
        "/v1/vendor/users", headers={**person.auth, **JSON}, body=json.dumps(body).encode()
    )


def people_of(client: Any, person: Person) -> list[dict[str, Any]]:
    response = client.http.get("/v1/vendor/users", headers=person.auth)
    assert response.status_code == 200, response.body
    items: list[dict[str, Any]] = json_of(response)["items"]
    return items


def remove(client: Any, person: Person, user_id: str) -> Any:
    return client.http.delete(f"/v1/vendor/users/{user_id}", headers=person.auth)


def enrolled(client: Any, people: People, cognito: Any, email: str) -> Person:
    """The person invited at `email` accepts from the mail, enrols an authenticator and signs in."""
    message = invitation_to(email)
    accepted = accept(client, str((message.secrets or {})["invitation_token"]))
    assert accepted.status_code == 201, accepted.body
    user_id = json_of(accepted)["username"]
    first = sign_in(cognito, people.pool.client_id, user_id, NEW_PASSWORD)
    auth = {"authorization": f"Bearer {first}"}
    secret = json_of(client.http.post("/v1/me/second-factor/authenticator", headers=auth))["secret_code"]
    verified = client.http.post(
        "/v1/me/second-factor/authenticator/verify",
        headers={**auth, **JSON},
        body=json.dumps({"code": fresh_totp(secret)}).encode(),
    )
    assert verified.status_code == 200, verified.body
    wait_for_sign_in(json_of(verified)["sign_in_from"])
    token = sign_in(cognito, people.pool.client_id, user_id, NEW_PASSWORD, secret)
    return Person(user_id, None, token, secret)


def a_signed_in_colleague(client: Any, people: People, cognito: Any, made: VendorPerson) -> Person:
    response = invite(client, made.person, colleague())
    assert response.status_code == 201, response.body
    return enrolled(client, people, cognito, "jonas@techshop.example")


def trail(client: Any, people: People) -> list[dict[str, Any]]:
    staff = people.staff()
    response = client.http.get("/v1/staff/audit?limit=100", headers=staff.auth)
    assert response.status_code == 200, response.body
    items: list[dict[str, Any]] = json_of(response)["items"]
    return items


def test_a_vendor_person_invites_a_colleague_who_accepts_enrols_and_works_for_the_same_vendor(
    client, people: People, cognito
):
    # Given a vendor person, signed in to the vendor console
    made = vendor_person(client, people, cognito)

    # When they invite a colleague with a Danish mobile written as 8 digits
    response = invite(client, made.person, colleague())

    # Then the colleague is invited to the same vendor, their mobile stored as the organisations' are
    assert response.status_code == 201, response.body
    invited = json_of(response)
    assert (invited["status"], invited["first_name"], invited["you"]) == ("invited", "Jonas", False)
    assert invited["invitation_expires_at"]
    user = UserModel.get(invited["user_id"], consistent_read=True)
    assert (user.kind, user.vendor_id, user.mobile) == ("vendor", made.vendor_id, "+4522334455")
    assert not user.org_id
    # And the mail, the contact's own, names the vendor and who invited them
    mailed = rendered(invitation_to("jonas@techshop.example"))
    assert "leverandørkonsol for TechShop ApS" in mailed.subject
    assert "Mette Holm" in mailed.text
    # And the colleague accepts, enrols and reaches their vendor in the console
    jonas = enrolled(client, people, cognito, "jonas@techshop.example")
    own = client.http.get("/v1/vendor", headers=jonas.auth)
    assert own.status_code == 200, own.body
    assert json_of(own)["vendor_id"] == made.vendor_id
    # And both see the vendor's people, newest first, now both active
    listed = people_of(client, made.person)
    assert [(p["first_name"], p["status"], p["you"]) for p in listed] == [
        ("Jonas", "active", False),
        ("Mette", "active", True),
    ]
    assert [p["user_id"] for p in people_of(client, jonas)] == [jonas.user_id, made.person.user_id]
    # And the staff trail names who invited whom
    [entry] = [
        e
        for e in trail(client, people)
        if e["action"] == "user.invited" and e["targets"].get("user_id") == jonas.user_id
    ]
    assert (entry["actor"]["name"], entry["details"]["name"]) == ("Mette Holm", "Jonas Krogh")


@pytest.mark.parametrize(
    ("field", "value"),
    [("mobile", "12"), ("email", "not-an-address"), ("first_name", ""), ("last_name", "<b>")],
)
def test_a_bad_colleague_is_a_field_error_and_nothing_is_written(
    client, people: People, cognito, field, value
):
    # Given a vendor person
    made = vendor_person(client, people, cognito)
    before = {m.message_id for m in mail(MailKind.INVITATION)}

    # When they invite a colleague with a bad field
    response = invite(client, made.person, colleague(**{field: value}))

    # Then it is a 400 naming the field, and no login or mail was written
    problem = assert_problem(response, 400, "invalid-input")
    assert any(field in json.dumps(error) for error in problem.get("errors", [problem]))
    assert len(people_of(client, made.person)) == 1
    assert {m.message_id for m in mail(MailKind.INVITATION)} == before


def test_another_vendors_people_are_neither_listed_nor_removable(client, people: People, cognito):
    # Given two vendors, each with a person, and the first with an invited colleague
    first = vendor_person(client, people, cognito, "Alfa ApS")
    second = vendor_person(client, people, cognito, "Beta ApS")
    invited = json_of(invite(client, first.person, colleague()))

    # When the second vendor's person lists their people and tries to remove the first's
    listed = people_of(client, second.person)
    theirs = (invited["user_id"], first.person.user_id)
    answers = [remove(client, second.person, user_id) for user_id in theirs]

    # Then they see only their own vendor, the first vendor's people are not found, and nothing changed
    assert [p["user_id"] for p in listed] == [second.person.user_id]
    for answer in answers:
        assert_problem(answer, 404, "not-found")
    assert len(people_of(client, first.person)) == 2


def test_a_removed_colleague_is_refused_at_once_and_their_login_is_gone(client, people: People, cognito):
    # Given a vendor person and a colleague who is signed in
    made = vendor_person(client, people, cognito)
    jonas = a_signed_in_colleague(client, people, cognito, made)
    assert client.http.get("/v1/vendor", headers=jonas.auth).status_code == 200

    # When the first removes the colleague
    response = remove(client, made.person, jonas.user_id)

    # Then the colleague's very next request is refused, and they are no longer listed
    assert response.status_code == 204, response.body
    assert_problem(client.http.get("/v1/vendor", headers=jonas.auth), 401, "unauthenticated")
    assert_problem(client.http.get("/v1/me", headers=jonas.auth), 401, "unauthenticated")
    assert [p["user_id"] for p in people_of(client, made.person)] == [made.person.user_id]
    # And their login is gone from the user pool, so they cannot sign in again
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=people.pool.user_pool_id, Username=jonas.user_id)
    # And the staff trail names who removed whom
    [entry] = [
        e
        for e in trail(client, people)
        if e["action"] == "user.deleted" and e["targets"].get("user_id") == jonas.user_id
    ]
    assert entry["actor"]["name"] == "Mette Holm"
    assert entry["details"]["name"] == "Jonas Krogh"


def test_removing_an_invited_colleague_withdraws_the_invitation(client, people: People, cognito):
    # Given an invited colleague who has not accepted yet
    made = vendor_person(client, people, cognito)
    invited = json_of(invite(client, made.person, colleague()))
    token = str((invitation_to("jonas@techshop.example").secrets or {})["invitation_token"])

    # When they are removed before accepting
    response = remove(client, made.person, invited["user_id"])

    # Then the invitation no longer works
    assert response.status_code == 204, response.body
    assert accept(client, token).status_code in (404, 410)


def test_nobody_removes_themselves(client, people: People, cognito):
    # Given a vendor person with an active colleague
    made = vendor_person(client, people, cognito)
    a_signed_in_colleague(client, people, cognito, made)

    # When they try to remove themselves
    response = remove(client, made.person, made.person.user_id)

    # Then it is refused with a way forward, and they are still there
    problem = assert_problem(response, 409, "conflict")
    assert "colleague" in problem["detail"]
    assert client.http.get("/v1/vendor", headers=made.person.auth).status_code == 200


def test_two_people_removing_each_other_at_once_leave_one_of_them(
    client, people: People, cognito, container: Container
):
    # Given a vendor's two active people, each of whose requests has passed its sign-in check
    made = vendor_person(client, people, cognito)
    jonas = a_signed_in_colleague(client, people, cognito, made)
    mette_asks = Principal(made.person.user_id, None, vendor_id=made.vendor_id)
    jonas_asks = Principal(jonas.user_id, None, vendor_id=made.vendor_id)
    origin = Origin(source_ip="192.0.2.1")

    # When Mette's removal of Jonas commits first, and then Jonas's of Mette
    container.vendor_people.remove(mette_asks, jonas.user_id, origin=origin)
    with pytest.raises(Conflict):
        container.vendor_people.remove(jonas_asks, made.person.user_id, origin=origin)

    # Then Mette remains, the vendor's last active person
    assert [p["user_id"] for p in people_of(client, made.person)] == [made.person.user_id]
