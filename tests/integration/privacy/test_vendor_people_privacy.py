"""A vendor's person's data in the staff's answers to an access or erasure request, like anyone else's: the
login with its vendor, the invitation mail, the staff trail's entries about them. While the login exists it
is kept, with the way to remove it; once a colleague has removed it, an erasure leaves nothing of them but
what the record of processing keeps on purpose."""

from __future__ import annotations

import json
from typing import Any

from tests.integration.people.test_vendor_colleagues import enrolled, invite, remove
from tests.integration.privacy.test_personal_data_everywhere import (
    EMAIL,
    FIRST,
    LAST,
    MOBILE,
    Hit,
    holds_the_person,
    identity,
    not_kept_on_purpose,
    scan_for_the_person,
    staff_call,
)
from tests.integration.vendors.test_vendor_people import VendorPerson, vendor_person
from tests.people import People, Person, json_of

JSON = {"content-type": "application/json"}


def export(client: Any, staff: Person) -> dict[str, Any]:
    return staff_call(client, staff, "/v1/staff/personal-data/export", {"email": EMAIL})


def erase(client: Any, staff: Person) -> dict[str, Any]:
    return staff_call(client, staff, "/v1/staff/personal-data/erase", {"email": EMAIL})


def named_by(hit: Hit) -> str:
    """What the export names a hit by: a pointer by what it leads to (its entry's id), else as usual."""
    if hit.table == "mentions":
        return str(hit.item["ref"]).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return identity(hit)


def a_colleague_at_work(client: Any, people: People, cognito: Any) -> tuple[VendorPerson, Person]:
    """The vendor's contact invites the person, who accepts, enrols and makes a key in the console."""
    made = vendor_person(client, people, cognito)
    body = {"first_name": FIRST, "last_name": LAST, "email": EMAIL, "mobile": MOBILE[3:]}
    response = invite(client, made.person, body)
    assert response.status_code == 201, response.body
    person = enrolled(client, people, cognito, EMAIL)
    key = client.http.post(
        "/v1/vendor/keys", headers={**person.auth, **JSON}, body=json.dumps({"label": "Kasse 1"}).encode()
    )
    assert key.status_code == 201, key.body
    return made, person


def test_a_vendor_persons_login_is_exported_with_its_vendor_and_kept_by_an_erasure_until_removed(
    client, people: People, cognito
):
    # Given a vendor's person at work in the console
    made, person = a_colleague_at_work(client, people, cognito)
    before = scan_for_the_person()
    staff = people.staff()

    # When staff export what Godkend holds about their address
    exported = export(client, staff)

    # Then every item that holds them is in the export, and the login says which vendor it is for
    text = json.dumps(exported, ensure_ascii=False)
    assert [str(hit) for hit in before if named_by(hit) not in text] == []
    [login] = exported["users"]
    assert (login["user_id"], login["vendor_id"], login["mobile"]) == (person.user_id, made.vendor_id, MOBILE)
    assert login["activity"]
    assert {"users", "outbox", "audit"} <= {hit.table for hit in before}

    # When staff erase their data while the login exists
    answer = erase(client, staff)

    # Then the login is kept, saying how it goes, and it still works; nothing else of them is left
    [kept] = answer["kept"]["users"]
    assert (kept["user_id"], kept["vendor_id"]) == (person.user_id, made.vendor_id)
    assert "vendor" in kept["why"]
    assert not_kept_on_purpose(scan_for_the_person()) == []
    assert client.http.get("/v1/vendor", headers=person.auth).status_code == 200


def test_once_a_colleague_removed_them_an_erasure_leaves_only_what_is_kept_on_purpose(
    client, people: People, cognito
):
    # Given a vendor's person whom a colleague has removed
    made, person = a_colleague_at_work(client, people, cognito)
    assert remove(client, made.person, person.user_id).status_code == 204
    staff = people.staff()
    exported = export(client, staff)
    assert exported["users"] == []
    assert [former["user_id"] for former in exported["former_logins"]] == [person.user_id]

    # When staff erase their data
    answer = erase(client, staff)

    # Then nothing of them is left but what the record of processing keeps on purpose
    assert answer["kept"]["users"] == []
    assert not_kept_on_purpose(scan_for_the_person()) == []
    # And the staff trail still tells who invited and who removed them, under a pseudonym
    trail = client.http.get("/v1/staff/audit?limit=100", headers=staff.auth)
    about = [e for e in json_of(trail)["items"] if e["targets"].get("user_id") == person.user_id]
    actions = {e["action"]: e for e in about}
    for action in ("user.invited", "user.deleted"):
        entry = actions[action]
        assert entry["actor"]["name"] == "Mette Holm"
        assert entry["details"]["name"].startswith("Slettet person ")
        assert not holds_the_person(entry)
