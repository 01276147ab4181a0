"""Staff look after vendors: the list of vendors with their keys (never a secret), one vendor, and every
staff action on vendors and mail in the staff trail."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.models.audit import STAFF_TRAIL, AuditModel
from tests.integration.vendors.test_vendors import created_vendor, issue_key, revoke_key
from tests.people import People, Person, json_of


def vendors_page(client: Any, staff: Person, query: str = "") -> Any:
    return client.http.get(f"/v1/staff/vendors{query}", headers=staff.auth)


def listed_vendors(client: Any, staff: Person, limit: int = 2) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        response = vendors_page(client, staff, f"?limit={limit}{suffix}")
        assert response.status_code == 200, response.body
        page = json_of(response)
        found.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return found


def test_staff_list_every_vendor_newest_first_with_its_keys_and_no_secret(client, people: People):
    # Given three vendors, the second with a second key and its first key revoked
    staff = people.staff()
    first = created_vendor(client, staff, "Alfa ApS")
    second = created_vendor(client, staff, "Beta ApS")
    third = created_vendor(client, staff, "Gamma ApS")
    extra = json_of(issue_key(client, staff, second["vendor_id"]))
    revoke_key(client, staff, second["vendor_id"], second["key"]["key_id"])

    # When staff page through the vendors two at a time
    vendors = listed_vendors(client, staff, limit=2)

    # Then all three are there, newest first (to the second), each with its keys and their status
    assert {v["name"] for v in vendors} == {"Alfa ApS", "Beta ApS", "Gamma ApS"}
    created = [v["created_at"] for v in vendors]
    assert created == sorted(created, reverse=True)
    beta = next(v for v in vendors if v["vendor_id"] == second["vendor_id"])
    assert {k["key_id"]: k["status"] for k in beta["keys"]} == {
        extra["key_id"]: "active",
        second["key"]["key_id"]: "revoked",
    }
    # And nothing of any secret is in the answer
    text = json.dumps(vendors)
    for made in (first, second, third):
        assert made["key"]["api_key"] not in text
        assert made["key"]["api_key"].rsplit("_", 1)[1] not in text
    assert extra["api_key"] not in text
    assert "secret" not in text


def test_one_vendor_with_its_keys_and_an_unknown_one_is_404(client, people: People):
    staff = people.staff()
    vendor = created_vendor(client, staff)

    response = client.http.get(f"/v1/staff/vendors/{vendor['vendor_id']}", headers=staff.auth)

    assert response.status_code == 200, response.body
    body = json_of(response)
    assert body["name"] == "TechShop ApS"
    assert [k["key_id"] for k in body["keys"]] == [vendor["key"]["key_id"]]
    missing = client.http.get(f"/v1/staff/vendors/{'0' * 32}", headers=staff.auth)
    assert missing.status_code == 404


def test_vendor_routes_are_for_staff_only(client, people: People):
    staff = people.staff()
    vendor = created_vendor(client, staff)
    admin = people.member(people.organisation())

    for path in ("/v1/staff/vendors", f"/v1/staff/vendors/{vendor['vendor_id']}", "/v1/staff/audit"):
        assert client.http.get(path, headers=admin.auth).status_code == 403, path
        assert client.http.get(path).status_code == 401, path


def test_a_bad_cursor_or_limit_is_a_400(client, people: People):
    staff = people.staff()

    for query in ("?limit=0", "?limit=abc", "?cursor=nonsense", "?colour=red"):
        assert vendors_page(client, staff, query).status_code == 400, query


def test_every_staff_action_on_vendors_lands_in_the_staff_trail(client, people: People):
    # Given a vendor created, a key issued and one revoked (twice: the second changes nothing)
    staff = people.staff()
    vendor = created_vendor(client, staff)
    extra = json_of(issue_key(client, staff, vendor["vendor_id"]))
    revoke_key(client, staff, vendor["vendor_id"], extra["key_id"])
    revoke_key(client, staff, vendor["vendor_id"], extra["key_id"])

    # When staff read their trail
    response = client.http.get("/v1/staff/audit", headers=staff.auth)

    # Then each action is there once, newest first, naming who and which vendor and key
    assert response.status_code == 200, response.body
    items = json_of(response)["items"]
    assert [i["action"] for i in items] == ["vendor.key_revoked", "vendor.key_issued", "vendor.created"]
    # (named by the staff member's login's name now, as these entries keep no names of their own)
    assert all(i["actor"] == {"kind": "staff", "id": staff.user_id, "name": "Test Person"} for i in items)
    assert items[0]["targets"] == {"vendor_id": vendor["vendor_id"], "key_id": extra["key_id"]}
    # And no key is in it
    assert extra["api_key"] not in json.dumps(items)
    assert len(list(AuditModel.query(STAFF_TRAIL))) == 3
