"""Every answer of the API is kept by no cache and read as the type it says: `Cache-Control: no-store` and
`X-Content-Type-Options: nosniff`, whichever layer made it. The route walker (test_route_walker.py) checks
every operation with every kind of caller; these are the answers it does not make, and the ones that show a
secret, by name."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.container import Container, use_container
from chalicelib.settings import Settings
from tests.conftest import PROJECT_DIR
from tests.onboarding import JSON
from tests.people import People, json_of

NOT_STORED = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
CONSOLE = "https://console.godkend.dk"


def assert_not_stored(response: Any) -> None:
    assert {name: response.headers.get(name) for name in NOT_STORED} == NOT_STORED, (
        response.status_code,
        dict(response.headers),
    )


@pytest.fixture
def browser(settings: Settings, tables: None) -> Iterator[Client]:
    """The API of a stage whose console may call it from a browser."""
    from app import app

    use_container(Container(settings=settings.model_copy(update={"console_origins": (CONSOLE,)})))
    with Client(app, stage_name="test", project_dir=str(PROJECT_DIR)) as test_client:
        yield test_client
    use_container(None)


def test_the_public_answers_are_not_stored_the_contract_included(client):
    # /openapi.json too: it is small, rarely asked for, and a cached copy would outlive a deployment
    for path in ("/health", "/openapi.json"):
        response = client.http.get(path)
        assert response.status_code == 200
        assert_not_stored(response)


def test_only_the_public_keys_may_be_cached_and_only_when_served(client):
    # The keys receipts are verified with: the same for everyone, nothing personal, asked for by every vendor
    keys = client.http.get("/.well-known/jwks.json")
    assert keys.status_code == 200
    assert keys.headers["Cache-Control"] == "public, max-age=300"
    assert keys.headers["X-Content-Type-Options"] == "nosniff"

    # A refusal at the same path is not kept
    not_allowed = client.http.request("PUT", "/.well-known/jwks.json")
    assert not_allowed.status_code == 405
    assert_not_stored(not_allowed)


def test_answers_chalice_makes_itself_are_not_stored(client):
    # A method the path does not have, and a body that is not JSON: Chalice answers before any route runs
    not_allowed = client.http.request("PUT", "/health")
    unsupported = client.http.post("/v1/applications", headers={"Content-Type": "text/plain"}, body=b"x")

    assert (not_allowed.status_code, unsupported.status_code) == (405, 415)
    for response in (not_allowed, unsupported):
        assert response.headers["Content-Type"] == "application/problem+json"
        assert_not_stored(response)


def test_preflights_and_refused_origins_are_not_stored(browser):
    allowed = browser.http.options(
        "/v1/codes", headers={"Origin": CONSOLE, "Access-Control-Request-Method": "POST"}
    )
    refused = browser.http.options(
        "/v1/codes", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    plain = browser.http.options("/v1/codes")

    assert (allowed.status_code, refused.status_code, plain.status_code) == (204, 403, 204)
    for response in (allowed, refused, plain):
        assert_not_stored(response)


def test_the_answers_that_show_an_api_key_are_not_stored(client, people: People):
    staff = people.staff()

    # A new vendor's first key, and another key for it
    created = client.http.post(
        "/v1/staff/vendors",
        headers={**staff.auth, **JSON},
        body=json.dumps({"name": "Cache ApS", "contact_email": "cache@example.org"}).encode(),
    )
    assert created.status_code == 201, created.body
    assert json_of(created)["key"]["api_key"]
    another = client.http.post(f"/v1/staff/vendors/{json_of(created)['vendor_id']}/keys", headers=staff.auth)
    assert another.status_code == 201, another.body

    for response in (created, another):
        assert_not_stored(response)


def test_the_answers_that_show_a_webhook_secret_are_not_stored(client, people: People):
    vendor = people.vendor()

    registered = client.http.put(
        "/v1/webhook",
        headers={**vendor.auth, **JSON},
        body=json.dumps({"url": "http://127.0.0.1:9/hook"}).encode(),
    )
    rotated = client.http.post("/v1/webhook/secret", headers=vendor.auth)
    removed = client.http.delete("/v1/webhook", headers=vendor.auth)

    assert json_of(registered)["secret"].startswith("whsec_")
    assert json_of(rotated)["secret"].startswith("whsec_")
    assert removed.status_code == 204
    for response in (registered, rotated, removed):
        assert_not_stored(response)


def test_the_answer_that_shows_an_authenticator_secret_is_not_stored(client, people: People):
    # Given a person who signed in without a second factor yet
    newcomer = people.staff(enrolled=False)

    # When they start enrolling an authenticator app
    response = client.http.post("/v1/me/second-factor/authenticator", headers=newcomer.auth)

    # Then the secret is shown, and kept by no cache
    assert response.status_code == 200, response.body
    assert json_of(response)["secret_code"]
    assert_not_stored(response)


def test_problems_are_not_stored(client, people: People):
    for response in (
        client.http.get("/v1/me"),
        client.http.get("/v1/staff/organisations", headers=people.member(people.organisation()).auth),
        client.http.post("/v1/applications", headers=JSON, body=b"{"),
    ):
        assert response.headers["Content-Type"] == "application/problem+json"
        assert_not_stored(response)
