"""The published contract: the OpenAPI document matches the routes, and errors are problem+json."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate

from app import app
from chalicelib.api.http.callers import ANYONE, Caller
from chalicelib.api.http.cors import is_preflight
from chalicelib.api.http.openapi import UndocumentedRoute, build_document
from chalicelib.api.http.routing import Routes, operation_of
from chalicelib.container import Container, use_container
from tests.people import json_of

METHODS = {"get", "post", "put", "patch", "delete"}


def registered_routes() -> set[tuple[str, str]]:
    """Every route but the CORS preflights, which are transport rather than operations."""
    return {
        (path, method.lower())
        for path, methods in app.routes.items()
        for method, entry in methods.items()
        if not is_preflight(entry.view_function)
    }


def documented_routes(document) -> set[tuple[str, str]]:
    return {
        (path, method) for path, item in document["paths"].items() for method in item if method in METHODS
    }


def test_health_answers_ok(client):
    response = client.http.get("/health")
    assert response.status_code == 200
    assert json_of(response) == {"status": "ok"}


def test_the_served_document_is_valid_openapi_3(client):
    response = client.http.get("/openapi.json")
    assert response.status_code == 200
    document = json_of(response)
    assert document["openapi"].startswith("3.")
    validate(document)


def test_every_route_is_documented_and_nothing_else(client):
    document = json_of(client.http.get("/openapi.json"))
    assert documented_routes(document) == registered_routes()


def test_every_path_answers_preflights_and_the_document_leaves_them_out(client):
    document = json_of(client.http.get("/openapi.json"))
    preflights = {
        path
        for path, methods in app.routes.items()
        for method, entry in methods.items()
        if method == "OPTIONS" and is_preflight(entry.view_function)
    }
    assert preflights == set(app.routes) == set(document["paths"])
    assert not any("options" in item for item in document["paths"].values())


def test_every_route_that_needs_a_token_documents_401_and_403_as_problems():
    # A person's token can lack a function or a second factor (403); a vendor's key is good or not (401).
    document = build_document(app)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            statuses = {"cognito": ("401", "403"), "vendorKey": ("401",)}
            for scheme in (name for requirement in operation["security"] for name in requirement):
                for status in statuses[scheme]:
                    content = operation["responses"][status]["content"]
                    assert "application/problem+json" in content, (method, path, status)


def test_vendor_routes_are_the_ones_behind_the_vendor_key():
    # Given the routes the contract says are for vendors
    document = build_document(app)
    documented = {
        (path, method.upper())
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if operation["security"] == [{"vendorKey": []}]
    }

    # Then exactly those are declared for vendors, whose key the API function checks itself: no route runs
    # an authorizer (a second Lambda invocation, and API Gateway's own 401 body), nor a cache of one
    vendors = {
        (operation.path, operation.method)
        for methods in app.routes.values()
        for entry in methods.values()
        if (operation := operation_of(entry.view_function)) is not None
        and operation.rule.caller is Caller.VENDOR
    }
    assert (
        documented
        == vendors
        == {
            ("/v1/validations", "POST"),
            ("/v1/validations/{validation_id}", "GET"),
            ("/v1/test-codes", "GET"),
            ("/v1/webhook", "PUT"),
            ("/v1/webhook", "GET"),
            ("/v1/webhook", "DELETE"),
            ("/v1/webhook/secret", "POST"),
            ("/v1/webhook/deliveries/{event_id}/retry", "POST"),
            ("/v1/events", "GET"),
            ("/v1/events/{event_id}", "GET"),
            ("/v1/checks", "POST"),
            ("/v1/checks/{check_id}", "GET"),
        }
    )
    assert [entry for methods in app.routes.values() for entry in methods.values() if entry.authorizer] == []
    assert app.builtin_auth_handlers == []


def test_the_vendor_consoles_webhook_routes_are_for_vendor_people_only():
    # Given the routes the contract lists under /v1/vendor/webhook
    document = build_document(app)
    routes = {
        (path, method.upper()): operation
        for path, item in document["paths"].items()
        if path.startswith("/v1/vendor/webhook")
        for method, operation in item.items()
        if method in {"get", "put", "post", "delete"}
    }

    # Then they are exactly the console's webhook, each for a signed-in vendor person, never an API key
    assert set(routes) == {
        ("/v1/vendor/webhook", "GET"),
        ("/v1/vendor/webhook", "PUT"),
        ("/v1/vendor/webhook", "DELETE"),
        ("/v1/vendor/webhook/secret", "POST"),
        ("/v1/vendor/webhook/test", "POST"),
        ("/v1/vendor/webhook/deliveries", "GET"),
        ("/v1/vendor/webhook/deliveries/{event_id}/retry", "POST"),
    }
    assert {op["x-godkend-caller"] for op in routes.values()} == {"vendor_person"}
    assert all(op["security"] != [{"vendorKey": []}] for op in routes.values())
    # And the rate-limited test event says when to come back
    test_event = routes[("/v1/vendor/webhook/test", "POST")]
    assert test_event["responses"]["429"]["headers"]["Retry-After"]["schema"]["type"] == "integer"


def test_a_429_says_when_to_come_back():
    operation = build_document(app)["paths"]["/v1/validations"]["post"]
    assert operation["responses"]["429"]["headers"]["Retry-After"]["schema"]["type"] == "integer"


def test_a_route_declared_without_its_access_rule_breaks_the_document():
    # Given an app with one route registered straight on Chalice, bypassing Routes
    from chalice.app import Chalice

    rogue = Chalice(app_name="rogue")
    documented = Routes("rogue", tag="Rogue")

    @documented.get("/fine", rule=ANYONE, summary="Fine")
    def fine(call):  # pragma: no cover - never called
        return {}

    rogue.register_blueprint(documented.blueprint)

    @rogue.route("/undocumented")
    def undocumented():  # pragma: no cover - never called
        return {}

    # Then building its document fails instead of leaving the route out
    with pytest.raises(UndocumentedRoute, match="/undocumented"):
        build_document(rogue)


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("application/json", b"{not json", 400),
        ("application/json", b"", 400),
        ("application/json", b'"a string"', 400),
        ("application/json", json.dumps({"code": "1" * 70000}).encode(), 413),
        ("text/plain", b"123456", 415),
    ],
)
def test_bad_bodies_get_a_problem_not_a_500(client, people, content_type, body, status):
    person = people.member(people.organisation(), enrolled=False)
    response = client.http.post(
        "/v1/me/second-factor/authenticator/verify",
        headers={**person.auth, "content-type": content_type},
        body=body,
    )
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    assert json_of(response)["status"] == status


class BrokenContainer(Container):
    """A dependency container whose identity service fails in a way nobody planned for."""

    @property
    def identity(self):
        raise RuntimeError("secret internal detail")


def test_an_unexpected_error_is_a_500_problem_without_internals(client, container):
    use_container(BrokenContainer(settings=container.settings))

    response = client.http.get("/v1/me", headers={"authorization": "Bearer x.y.z"})

    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/problem+json"
    assert json_of(response)["type"].endswith("/internal-error")
    assert "secret internal detail" not in response.body.decode()


def test_json_answers_say_they_are_json(client):
    assert client.http.get("/health").headers["Content-Type"] == "application/json"
