"""CORS: the console's origins may call the API from a browser, and no other page may.

Through the Chalice test client, which routes like `chalice local`: an OPTIONS request reaches the app only if
the path has an OPTIONS route, as in API Gateway.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chalice.test import Client
from pydantic import ValidationError

from chalicelib.container import Container, use_container
from chalicelib.settings import Settings
from tests.conftest import PROJECT_DIR
from tests.people import json_of

CONSOLE = "https://console.godkend.dk"
LOCAL_CONSOLE = "http://127.0.0.1:8080"
ELSEWHERE = "https://evil.example"


@pytest.fixture
def browser(settings: Settings, tables: None) -> Iterator[Client]:
    """The API of a stage whose console is served from two origins."""
    from app import app

    use_container(
        Container(settings=settings.model_copy(update={"console_origins": (CONSOLE, LOCAL_CONSOLE)}))
    )
    with Client(app, stage_name="test", project_dir=str(PROJECT_DIR)) as test_client:
        yield test_client
    use_container(None)


def preflight(client: Client, path: str, origin: str, method: str = "POST") -> dict[str, str]:
    response = client.http.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    return {"status": str(response.status_code), **{k.lower(): v for k, v in response.headers.items()}}


def header_names(value: str) -> set[str]:
    return {name.strip().lower() for name in value.split(",")}


@pytest.mark.parametrize("origin", [CONSOLE, LOCAL_CONSOLE])
def test_a_preflight_from_a_console_origin_allows_the_call(browser, origin):
    # When the console's page asks whether it may POST a code with a token and a JSON body
    answer = preflight(browser, "/v1/codes", origin)

    # Then the API names that origin, the path's methods and both headers
    assert answer["status"] == "204"
    assert answer["access-control-allow-origin"] == origin
    assert {"GET", "POST"} <= {m.strip() for m in answer["access-control-allow-methods"].split(",")}
    assert {"authorization", "content-type"} <= header_names(answer["access-control-allow-headers"])
    assert int(answer["access-control-max-age"]) > 0
    assert "origin" in header_names(answer["vary"])


def test_a_preflight_from_another_origin_is_refused(browser):
    # When a page elsewhere asks the same
    answer = preflight(browser, "/v1/codes", ELSEWHERE)

    # Then no origin is named, so the browser never sends the call
    assert answer["status"] == "403"
    assert "access-control-allow-origin" not in answer
    assert "access-control-allow-methods" not in answer
    assert answer["content-type"] == "application/problem+json"


def test_an_origin_must_match_exactly(browser):
    # Neither another scheme, nor another port, nor a look-alike host is the console
    for origin in (
        "http://console.godkend.dk",
        "http://127.0.0.1:8081",
        "https://console.godkend.dk.evil.example",
    ):
        assert "access-control-allow-origin" not in preflight(browser, "/v1/codes", origin)


def test_paths_with_parameters_and_vendor_routes_answer_preflights_too(browser):
    for path, method in [
        ("/v1/codes/abc/renew", "POST"),
        ("/v1/users/u1", "PATCH"),
        ("/v1/validations", "POST"),
        ("/v1/applications", "POST"),
    ]:
        answer = preflight(browser, path, CONSOLE, method)
        assert answer["access-control-allow-origin"] == CONSOLE, path
        assert method in answer["access-control-allow-methods"], path


def test_a_plain_options_request_lists_the_methods(browser):
    # Given no Origin: not a browser's preflight
    response = browser.http.options("/v1/codes")

    assert response.status_code == 204
    assert {"GET", "POST", "OPTIONS"} <= {m.strip() for m in response.headers["Allow"].split(",")}
    assert "Access-Control-Allow-Origin" not in response.headers


def test_answers_name_the_console_origin_problems_included(browser):
    # When the console calls without a token, and with a body that is not JSON
    unauthenticated = browser.http.get("/v1/me", headers={"Origin": CONSOLE})
    unsupported = browser.http.post(
        "/v1/applications", headers={"Origin": CONSOLE, "Content-Type": "text/plain"}, body=b"x"
    )
    health = browser.http.get("/health", headers={"Origin": LOCAL_CONSOLE})

    # Then the browser may read each answer, problem+json included
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["Content-Type"] == "application/problem+json"
    assert unsupported.status_code == 415
    for response, origin in ((unauthenticated, CONSOLE), (unsupported, CONSOLE), (health, LOCAL_CONSOLE)):
        assert response.headers["Access-Control-Allow-Origin"] == origin
        assert "origin" in header_names(response.headers["Vary"])
    assert "retry-after" in header_names(unauthenticated.headers["Access-Control-Expose-Headers"])
    assert json_of(health) == {"status": "ok"}


def test_answers_to_another_origin_name_no_origin(browser):
    for response in (
        browser.http.get("/v1/me", headers={"Origin": ELSEWHERE}),
        browser.http.get("/health", headers={"Origin": ELSEWHERE}),
        browser.http.get("/health"),
    ):
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "origin" in header_names(response.headers["Vary"])


def test_without_configured_origins_no_browser_page_may_call(client):
    # Given the test stage's settings, which name no console
    answer = preflight(client, "/v1/codes", LOCAL_CONSOLE)

    assert answer["status"] == "403"
    assert "access-control-allow-origin" not in answer


def test_console_origins_are_read_as_a_comma_separated_list(monkeypatch):
    monkeypatch.setenv("GODKEND_CONSOLE_ORIGINS", f"{CONSOLE}, {LOCAL_CONSOLE}")
    assert Settings().console_origins == (CONSOLE, LOCAL_CONSOLE)


@pytest.mark.parametrize(
    "bad", ["https://console.godkend.dk/", "console.godkend.dk", "https://Console.dk", "*", "null"]
)
def test_a_console_origin_that_is_not_an_origin_is_refused(monkeypatch, bad):
    monkeypatch.setenv("GODKEND_CONSOLE_ORIGINS", bad)
    with pytest.raises(ValidationError, match="not an origin"):
        Settings()
