"""Vendors and their API keys through the API on the emulator: staff create vendors and issue and revoke
keys; the API function itself lets a vendor in only with a current key."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from chalicelib.container import Container, use_container
from chalicelib.models.vendor import VendorKeyModel, VendorModel
from chalicelib.services.access.authz import Function
from tests.integration.access.test_authentication import assert_problem
from tests.logs import CloudWatchLogs
from tests.people import People, Person, VendorCaller, json_of

JSON = {"content-type": "application/json"}
API_KEY = re.compile(r"^gkv_[0-9a-f]{32}_[0-9a-f]{20}_[0-9a-f]{48}$")


def create_vendor(client: Any, staff: Person, body: Any) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.http.post("/v1/staff/vendors", headers={**staff.auth, **JSON}, body=raw)


def created_vendor(client: Any, staff: Person, name: str = "TechShop ApS") -> dict[str, Any]:
    response = create_vendor(client, staff, {"name": name, "contact_email": "it@techshop.example"})
    assert response.status_code == 201, response.body
    answer: dict[str, Any] = json_of(response)
    return answer


def issue_key(client: Any, staff: Person, vendor_id: str) -> Any:
    return client.http.post(f"/v1/staff/vendors/{vendor_id}/keys", headers=staff.auth)


def revoke_key(client: Any, staff: Person, vendor_id: str, key_id: str) -> Any:
    return client.http.delete(f"/v1/staff/vendors/{vendor_id}/keys/{key_id}", headers=staff.auth)


def check(client: Any, api_key: str | None, code: str = "abcdefgh@Nobody") -> Any:
    headers = {**JSON, **({} if api_key is None else {"authorization": f"Bearer {api_key}"})}
    return client.http.post("/v1/validations", headers=headers, body=json.dumps({"code": code}).encode())


def bearer(api_key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {api_key}"}


# Creating vendors and keys


def test_staff_create_a_vendor_with_a_first_key_shown_once_and_stored_only_as_a_hash(client, people: People):
    # Given a member of staff
    staff = people.staff()

    # When they create a vendor
    response = create_vendor(client, staff, {"name": "TechShop ApS", "contact_email": "it@techshop.example"})

    # Then the vendor is created with its first key, which reads gkv_<vendor id>_<key id>_<secret>
    assert response.status_code == 201, response.body
    vendor = json_of(response)
    assert (vendor["name"], vendor["contact_email"]) == ("TechShop ApS", "it@techshop.example")
    key = vendor["key"]
    assert API_KEY.match(key["api_key"])
    assert key["api_key"].startswith(f"gkv_{vendor['vendor_id']}_{key['key_id']}_")
    assert (key["vendor_id"], key["status"], key["revoked_at"]) == (vendor["vendor_id"], "active", None)

    # And the stored records hold the secret only as its SHA-256, and name who created them
    secret = key["api_key"].rsplit("_", 1)[1]
    stored = VendorKeyModel.get(key["key_id"])
    assert stored.secret_sha256 != secret
    assert len(stored.secret_sha256) == 64
    everything = json.dumps([VendorModel.get(vendor["vendor_id"]).to_simple_dict(), stored.to_simple_dict()])
    assert secret not in everything
    assert (stored.created_by, stored.vendor_name) == (staff.user_id, "TechShop ApS")

    # And the key works at once
    assert check(client, key["api_key"]).status_code == 200


def test_a_vendor_needs_a_name_and_an_address(client, people: People):
    staff = people.staff()
    for body in (
        {},
        {"name": "", "contact_email": "it@techshop.example"},
        {"name": "TechShop", "contact_email": "not-an-address"},
        {"name": "TechShop\r\nBcc: x@example.org", "contact_email": "it@techshop.example"},
        # Nothing is trimmed (chalicelib/fields.py): stray spaces around a name or an address are refused.
        {"name": "  TechShop ApS ", "contact_email": "it@techshop.example"},
        {"name": "TechShop ApS", "contact_email": " it@techshop.example"},
        {"name": "TechShop", "contact_email": "it@techshop.example", "api_key": "gkv_mine"},
        {"name": ["TechShop"], "contact_email": "it@techshop.example"},
    ):
        assert_problem(create_vendor(client, staff, body), 400, "invalid-input")
    assert_problem(create_vendor(client, staff, b"{not json"), 400, "invalid-input")
    assert list(VendorModel.scan()) == []
    assert list(VendorKeyModel.scan()) == []


def test_only_staff_manage_vendors(client, people: People):
    # Given an organisation's administrator with every function, and a vendor created by staff
    admin = people.member(people.organisation(), functions=tuple(Function))
    vendor = created_vendor(client, people.staff())
    key_id = vendor["key"]["key_id"]

    # Then none of the staff routes are theirs, and nothing changes
    body = json.dumps({"name": "Mine", "contact_email": "me@example.org"}).encode()
    for response in (
        client.http.post("/v1/staff/vendors", headers={**admin.auth, **JSON}, body=body),
        issue_key(client, admin, vendor["vendor_id"]),
        revoke_key(client, admin, vendor["vendor_id"], key_id),
    ):
        assert_problem(response, 403, "forbidden")
    # And a vendor's own key does not open them either
    api_key = vendor["key"]["api_key"]
    assert_problem(
        client.http.post(f"/v1/staff/vendors/{vendor['vendor_id']}/keys", headers=bearer(api_key)),
        401,
        "unauthenticated",
    )
    assert len(list(VendorModel.scan())) == 1
    assert VendorKeyModel.get(key_id).revoked_when is None


# Rotation and revocation


def test_rotation_both_keys_work_until_the_old_one_is_revoked_which_stops_it_at_once(client, people: People):
    # Given a vendor with its first key, and a second key issued for rotation
    staff = people.staff()
    vendor = created_vendor(client, staff)
    old = vendor["key"]
    response = issue_key(client, staff, vendor["vendor_id"])
    assert response.status_code == 201, response.body
    new = json_of(response)
    assert API_KEY.match(new["api_key"])
    assert new["key_id"] != old["key_id"]
    assert new["vendor_id"] == vendor["vendor_id"]

    # Then both keys work
    assert check(client, old["api_key"]).status_code == 200
    assert check(client, new["api_key"]).status_code == 200

    # When the old key is revoked
    revoked = revoke_key(client, staff, vendor["vendor_id"], old["key_id"])

    # Then the answer is the revoked key, without any secret
    assert revoked.status_code == 200, revoked.body
    body = json_of(revoked)
    assert (body["key_id"], body["status"]) == (old["key_id"], "revoked")
    assert body["revoked_at"]
    assert "api_key" not in body

    # And the old key is refused on the very next request, saying so, while the new one goes on working
    refused = assert_problem(check(client, old["api_key"]), 401, "unauthenticated")
    assert "revoked" in refused["detail"]
    assert check(client, new["api_key"]).status_code == 200

    # And revoking again changes nothing
    again = revoke_key(client, staff, vendor["vendor_id"], old["key_id"])
    assert again.status_code == 200
    assert json_of(again) == body
    assert VendorKeyModel.get(old["key_id"]).revoked_by == staff.user_id


def test_another_vendors_key_or_an_unknown_one_is_404_and_stays_as_it_was(client, people: People):
    staff = people.staff()
    mine, theirs = created_vendor(client, staff, "Mine"), created_vendor(client, staff, "Theirs")

    for vendor_id, key_id in (
        (mine["vendor_id"], theirs["key"]["key_id"]),
        (mine["vendor_id"], "0" * 20),
        (mine["vendor_id"], "nonsense"),
        ("0" * 32, mine["key"]["key_id"]),
    ):
        assert_problem(revoke_key(client, staff, vendor_id, key_id), 404, "not-found")
    assert check(client, theirs["key"]["api_key"]).status_code == 200
    assert check(client, mine["key"]["api_key"]).status_code == 200


def test_a_key_for_an_unknown_vendor_is_404_and_nothing_is_written(client, people: People):
    staff = people.staff()
    for vendor_id in ("0" * 32, "nonsense"):
        assert_problem(issue_key(client, staff, vendor_id), 404, "not-found")
    assert list(VendorKeyModel.scan()) == []


# The key check


def garbled(api_key: str) -> list[str]:
    vendor_id, key_id, secret = api_key.removeprefix("gkv_").split("_")
    flipped = ("0" if secret[0] != "0" else "1") + secret[1:]
    return [
        f"gkv_{vendor_id}_{key_id}_{flipped}",  # the right key id, a wrong secret
        f"gkv_{vendor_id}_{'0' * 20}_{secret}",  # an unknown key id
        f"gkv_{'0' * 32}_{key_id}_{secret}",  # the right key and secret, but naming another vendor
        api_key[:-1],
        api_key + "0",
        api_key.upper(),
        api_key.replace("gkv_", "gkx_"),
        f"{api_key} {api_key}",
        "gkv_",
        "x" * 5000,
    ]


def test_a_wrong_or_garbled_key_is_a_401_problem(client, people: People):
    vendor = people.vendor()
    for wrong in garbled(vendor.api_key):
        body = assert_problem(check(client, wrong), 401, "unauthenticated")
        assert "revoked" not in body["detail"]
    for header in (
        "",
        "Bearer",
        "Bearer ",
        f"Basic {vendor.api_key}",
        f"Token {vendor.api_key}",
        vendor.api_key,
    ):
        response = client.http.post(
            "/v1/validations", headers={**JSON, "authorization": header}, body=b'{"code": "abcdefgh@X"}'
        )
        assert_problem(response, 401, "unauthenticated")
    for response in (
        client.http.get(f"/v1/validations/{'0' * 32}", headers=bearer(garbled(vendor.api_key)[0])),
        client.http.get(f"/v1/validations/{'0' * 32}", headers={"authorization": ""}),
    ):
        assert_problem(response, 401, "unauthenticated")


def test_without_an_authorization_header_the_answer_is_the_same_401_problem(client, people: People):
    # The key is checked in the API function itself (no authorizer), so a missing header is answered by our
    # code, as problem+json, in the test client, chalice local and AWS alike.
    for response in (
        check(client, None),
        client.http.get(f"/v1/validations/{'0' * 32}"),
        client.http.post("/v1/validations", headers=JSON, body=b"not json"),
    ):
        body = assert_problem(response, 401, "unauthenticated")
        assert "Authorization: Bearer" in body["detail"]


def test_a_persons_token_is_not_a_vendor_key_and_a_vendor_key_is_not_a_persons_token(client, people: People):
    person = people.member(people.organisation())
    vendor = people.vendor()

    assert_problem(
        client.http.post("/v1/validations", headers={**person.auth, **JSON}, body=b'{"code": "abcdefgh@X"}'),
        401,
        "unauthenticated",
    )
    assert_problem(client.http.get("/v1/me", headers=vendor.auth), 401, "unauthenticated")
    assert_problem(
        client.http.get("/v1/organisation/validations", headers=vendor.auth), 401, "unauthenticated"
    )


class UnreachableDynamoDB:
    def batch_get_item(self, **kwargs: Any) -> Any:
        raise EndpointConnectionError(endpoint_url="https://dynamodb.example: connection refused")


class UnreachableKeys(Container):
    """A container whose key store cannot be reached: neither on its own nor in the check's one read."""

    @property
    def vendor_keys(self):
        raise RuntimeError("connection refused by the key store")

    @property
    def dynamodb_client(self):
        return UnreachableDynamoDB()


def test_a_key_store_that_cannot_be_reached_is_a_503_problem_not_a_way_in(client, people: People, container):
    vendor = people.vendor()
    use_container(UnreachableKeys(settings=container.settings))

    for response in (
        check(client, vendor.api_key),
        client.http.get(f"/v1/validations/{'0' * 32}", headers=bearer(vendor.api_key)),
        client.http.post("/v1/validations", headers={**JSON, **bearer(vendor.api_key)}, body=b"{}"),
    ):
        body = assert_problem(response, 503, "upstream-unavailable")
        assert "connection refused" not in json.dumps(body)


def test_keys_never_reach_the_logs(client, people: People, capsys, logs: CloudWatchLogs):
    # Given a vendor's keys at work: issued, used, wrong, revoked
    staff = people.staff()
    vendor = created_vendor(client, staff)
    second = json_of(issue_key(client, staff, vendor["vendor_id"]))
    check(client, vendor["key"]["api_key"])
    for wrong in garbled(second["api_key"]):
        check(client, wrong)
    revoke_key(client, staff, vendor["vendor_id"], vendor["key"]["key_id"])
    check(client, vendor["key"]["api_key"])

    # Then no secret appears in any line CloudWatch would receive (the refusals were logged), nor in anything
    # printed
    assert "request refused" in [record["message"] for record in logs.records]
    printed = capsys.readouterr()
    logged = logs.text + printed.out + printed.err
    for key in (vendor["key"]["api_key"], second["api_key"]):
        assert key.rsplit("_", 1)[1] not in logged


def test_the_people_helper_vendor_works_like_a_staff_created_one(client, people: People):
    vendor: VendorCaller = people.vendor()
    assert API_KEY.match(vendor.api_key)
    assert check(client, vendor.api_key).status_code == 200


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_other_methods_on_the_validation_url_are_not_allowed(client, people: People, method):
    vendor = people.vendor()
    response = getattr(client.http, method)("/v1/validations", headers=vendor.auth)
    assert response.status_code == 405
    assert response.headers["Content-Type"] == "application/problem+json"
