"""Who made each of a vendor's keys, in the vendor console's list (`GET /v1/vendor/keys`): a colleague by the
name they have now, the operator as "Godkend" for a key staff issued (never a staff member), and nobody
(null; the console says "en tidligere kollega") once the maker's login is gone, removed or erased. The
makers are read in one BatchGetItem of the users table for the whole list."""

from __future__ import annotations

from typing import Any

from bench.roundtrips import DynamoDBCalls
from chalicelib.container import Container
from chalicelib.models.user import UserModel
from chalicelib.models.vendor import VendorKeyModel
from tests.integration.people.test_vendor_colleagues import a_signed_in_colleague, remove
from tests.integration.privacy.test_personal_data_everywhere import FIRST, LAST
from tests.integration.privacy.test_vendor_people_privacy import a_colleague_at_work, erase
from tests.integration.vendors.test_validations import a_code
from tests.integration.vendors.test_vendor_people import (
    make_key,
    own_keys,
    revoke_own,
    validate_with,
    vendor_person,
)
from tests.people import People, Person, json_of

GODKEND = "Godkend"


def makers(client: Any, person: Person) -> dict[str, str | None]:
    """The vendor's keys as the console lists them: key id -> who made it."""
    response = own_keys(client, person)
    assert response.status_code == 200, response.body
    return {key["key_id"]: key["created_by_name"] for key in json_of(response)["items"]}


def labelled_key(client: Any, person: Person, label: str) -> dict[str, Any]:
    response = make_key(client, person, {"label": label})
    assert response.status_code == 201, response.body
    key: dict[str, Any] = json_of(response)
    return key


def staff_key(client: Any, people: People, vendor_id: str) -> dict[str, Any]:
    staff = people.staff()
    response = client.http.post(f"/v1/staff/vendors/{vendor_id}/keys", headers=staff.auth)
    assert response.status_code == 201, response.body
    key: dict[str, Any] = json_of(response)
    return key


def test_a_key_a_colleague_made_shows_the_colleagues_name_to_everyone_at_the_vendor(
    client, people: People, cognito
):
    # Given a vendor's contact, Mette Holm, and her colleague Jonas Krogh, who makes a key
    made = vendor_person(client, people, cognito)
    jonas = a_signed_in_colleague(client, people, cognito, made)
    issued = make_key(client, jonas, {"label": "Kasse 1"})

    # Then the answer that issues it names him
    assert issued.status_code == 201, issued.body
    key = json_of(issued)
    assert key["created_by_name"] == "Jonas Krogh"
    # And the list Mette sees names him as its maker
    assert makers(client, made.person)[key["key_id"]] == "Jonas Krogh"


def test_a_key_shows_its_maker_by_the_name_they_have_now(client, people: People, cognito):
    # Given a key Mette Holm made
    made = vendor_person(client, people, cognito)
    key = labelled_key(client, made.person, "Kasse 1")

    # When her name changes (she married; no route renames a login yet, so the record is changed as one would)
    user = UserModel.get(made.person.user_id, consistent_read=True)
    user.last_name = "Brandt"
    user.save()

    # Then the list names her as she is called now
    assert makers(client, made.person)[key["key_id"]] == "Mette Brandt"


def test_a_key_staff_issued_shows_godkend_and_never_the_staff_member(client, people: People, cognito):
    # Given a vendor whose first key staff made with the vendor, and another key staff issued later
    made = vendor_person(client, people, cognito)
    later = staff_key(client, people, made.vendor_id)

    # When the vendor's person lists the keys
    response = own_keys(client, made.person)

    # Then both name the operator, and nothing names the staff member who made them
    assert response.status_code == 200, response.body
    listed = {key["key_id"]: key["created_by_name"] for key in json_of(response)["items"]}
    assert listed[made.first_key["key_id"]] == GODKEND
    assert listed[later["key_id"]] == GODKEND
    staff = UserModel.get(VendorKeyModel.get(later["key_id"], consistent_read=True).created_by)
    assert staff.kind == "staff"
    assert staff.user_id not in response.body.decode()
    assert staff.full_name not in response.body.decode()


def test_a_removed_colleagues_key_keeps_working_and_names_nobody(client, people: People, cognito):
    # Given a key Jonas made, and then a colleague removes Jonas; and an organisation's code
    made = vendor_person(client, people, cognito)
    _, _, code = a_code(client, people)
    jonas = a_signed_in_colleague(client, people, cognito, made)
    key = labelled_key(client, jonas, "Kasse 1")
    removed = remove(client, made.person, jonas.user_id)
    assert removed.status_code == 204, removed.body

    # When the colleague who stays lists the keys
    listed = makers(client, made.person)

    # Then the key names nobody (his login is gone), and still works until they revoke it
    assert key["key_id"] in listed
    assert listed[key["key_id"]] is None
    checked = validate_with(client, key["api_key"], code["code"])
    assert checked.status_code == 200, checked.body
    assert json_of(checked)["valid"] is True
    # And revoking it answers the key, still naming nobody
    revoked = revoke_own(client, made.person, key["key_id"])
    assert revoked.status_code == 200, revoked.body
    assert (json_of(revoked)["status"], json_of(revoked)["created_by_name"]) == ("revoked", None)


def test_an_erased_makers_key_names_nobody(client, people: People, cognito):
    # Given a colleague who made a key, removed by the vendor's contact
    made, person = a_colleague_at_work(client, people, cognito)
    [key_id] = [k for k, name in makers(client, made.person).items() if name == f"{FIRST} {LAST}"]
    assert remove(client, made.person, person.user_id).status_code == 204

    # When staff erase the person's data on their request
    erase(client, people.staff())

    # Then the key names nobody, and nothing of the person is in the list
    response = own_keys(client, made.person)
    listed = {key["key_id"]: key["created_by_name"] for key in json_of(response)["items"]}
    assert listed[key_id] is None
    assert person.user_id not in response.body.decode()


def test_an_erasure_while_the_makers_login_exists_keeps_the_login_and_so_the_name(
    client, people: People, cognito
):
    # Given a colleague who made a key and still works at the vendor
    made, person = a_colleague_at_work(client, people, cognito)
    [key_id] = [k for k, name in makers(client, made.person).items() if name == f"{FIRST} {LAST}"]

    # When staff erase the person's data on their request
    answer = erase(client, people.staff())

    # Then the login is kept (a colleague removes it, and its data goes with it), so the key still names them
    assert [kept["user_id"] for kept in answer["kept"]["users"]] == [person.user_id]
    assert makers(client, made.person)[key_id] == f"{FIRST} {LAST}"


def test_the_makers_are_read_in_one_batch_for_the_whole_list(
    client, people: People, cognito, container: Container
):
    # Given keys by three makers: staff (two), the contact (two) and a colleague
    made = vendor_person(client, people, cognito)
    staff_key(client, people, made.vendor_id)
    labelled_key(client, made.person, "Kasse 1")
    labelled_key(client, made.person, "Kasse 2")
    jonas = a_signed_in_colleague(client, people, cognito, made)
    labelled_key(client, jonas, "Kasse 3")

    # When the contact lists the keys
    with DynamoDBCalls(container, table_prefix="godkend-test-") as counted:
        listed = makers(client, made.person)

    # Then every key names its maker, read in one BatchGetItem of the users table after the keys' own reads
    assert sorted(name or "" for name in listed.values()) == [
        GODKEND,
        GODKEND,
        "Jonas Krogh",
        "Mette Holm",
        "Mette Holm",
    ]
    assert counted.calls == [
        ("GetItem", "users"),  # the caller's own record, as on every signed-in request
        ("Query", "vendor-keys"),
        ("BatchGetItem", "vendor-keys"),
        ("BatchGetItem", "users"),
    ]
