"""Every route with a body refuses hostile or undeliverable input with 400 problem+json, and a client's
error is never logged at ERROR."""

from __future__ import annotations

import json
import logging

import pytest

from tests.integration.http.test_route_walker import (  # noqa: F401
    OPERATIONS,
    World,
    headers_for,
    path_for,
    world,
)
from tests.onboarding import JSON, form
from tests.people import json_of

BODY_OPERATIONS = [(method, path) for method, path, operation in OPERATIONS if "requestBody" in operation]
# Who calls each kind of route, so that the body is what is refused (not the caller).
CALLER_OF = {
    "anyone": "anonymous",
    "user": "administrator",
    "signed_in": "administrator",
    "enrolling": "administrator",
    "staff": "staff",
    "vendor": "vendor",
    "vendor_person": "vendor_person",
}
NESTED = b"[" * 20000 + b"]" * 20000


def test_every_route_with_a_body_is_walked():
    assert len(BODY_OPERATIONS) >= 15


@pytest.mark.parametrize(
    ("method", "template"), BODY_OPERATIONS, ids=[f"{m} {p}" for m, p in BODY_OPERATIONS]
)
def test_deeply_nested_json_is_a_400_on_every_route_with_a_body(
    world: World,  # noqa: F811
    method: str,
    template: str,
    caplog: pytest.LogCaptureFixture,
):
    # Given a caller the route admits, with the headers it asks for (a decision's If-Match)
    operation = next(op for m, p, op in OPERATIONS if (m, p) == (method, template))
    person = world.callers[CALLER_OF[operation["x-godkend-caller"]]]
    path = path_for(template, world)
    headers = {**(person.auth if person else {}), **JSON, **headers_for(operation, path, world)}

    # When the body is 20,000 lists deep
    with caplog.at_level(logging.INFO):
        response = world.client.http.request(method, path, headers=headers, body=NESTED)

    # Then it is a plain 400 problem, and nothing was logged as an error of ours
    assert response.status_code == 400, response.body[:300]
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "nest" in json_of(response)["detail"]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_a_body_just_within_the_nesting_limit_is_read_as_usual(client):
    body = form()
    deep: object = "x"
    for _ in range(30):
        deep = [deep]
    body["subsidiaries"] = deep
    response = client.http.post("/v1/applications", headers=JSON, body=json.dumps(body).encode())
    # Read, and refused for what it says (a list of lists is not a subsidiary), not for its depth
    assert response.status_code == 400
    assert "nest" not in json_of(response)["detail"]


@pytest.mark.parametrize(
    "applicant",
    [
        {"email": "a<b>@example.org"},
        {"first_name": "An\u2028ne"},
        {"last_name": "Hansen\u2029"},
        {"first_name": "An\u200bne"},
        {"email": " anne@example.org"},
        {"mobile": "+45 1234 567"},
    ],
)
def test_an_undeliverable_address_or_a_name_with_a_line_separator_is_a_400(client, applicant, caplog):
    body = form()
    body["applicant"] = {**body["applicant"], **applicant}
    with caplog.at_level(logging.INFO):
        response = client.http.post("/v1/applications", headers=JSON, body=json.dumps(body).encode())
    assert response.status_code == 400, response.body
    [field] = applicant
    errors = json_of(response)["errors"]
    assert [e["field"] for e in errors] == [f"applicant.{field}"]
    assert all("Value error" not in e["message"] for e in errors)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_a_lone_surrogate_is_a_400(client):
    body = json.dumps(form()).replace('"Ida"', '"I\\ud800da"', 1).encode()
    response = client.http.post("/v1/applications", headers=JSON, body=body)
    assert response.status_code == 400
    assert "surrogate" in json_of(response)["detail"]
