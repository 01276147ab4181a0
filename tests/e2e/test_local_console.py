"""`make run`'s console, as a browser on its address meets it: the page, its configuration, and the API and
the emulator's Cognito answering calls from its origin (and from no other)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import RunningStack, start_stack

pytestmark = pytest.mark.e2e

ELSEWHERE = "https://evil.example"
PREFLIGHT_HEADERS = "authorization,content-type"
# What the console sends to Cognito (web/src/cognito.ts): the JSON protocol's two headers, no signature.
COGNITO_HEADERS = "content-type,x-amz-target"


@pytest.fixture(scope="module")
def console_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningStack, Path]]:
    # A stack of its own, serving a build directory of its own, empty at start, so the test does not depend
    # on `make web` having run (the shared stack serves the console's build to the browser tests).
    dist = tmp_path_factory.mktemp("console") / "dist"
    running = start_stack(tmp_path_factory.mktemp("local") / "state", GODKEND_CONSOLE_DIST=str(dist))
    yield running, dist
    if running.process.poll() is None:
        running.stop()


def preflight(url: str, origin: str, request_headers: str = PREFLIGHT_HEADERS) -> requests.Response:
    return requests.options(
        url,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": request_headers,
        },
        timeout=5,
    )


def test_without_a_build_the_console_says_to_run_make_web_and_the_log_says_so(console_stack):
    stack, _ = console_stack
    assert stack.console_url.startswith("http://127.0.0.1:")

    page = requests.get(stack.console_url, timeout=5)

    assert page.status_code == 503
    assert "make web" in page.text
    log = (stack.state_dir.parent / f"{stack.state_dir.name}.log").read_text()
    assert sum("make web" in line for line in log.splitlines()) == 1


def test_the_console_is_served_once_built_and_configured_for_the_stack(console_stack):
    stack, dist = console_stack
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "index.html").write_text("<!doctype html><title>Min konto</title>")

    page = requests.get(stack.console_url + "/min-konto", timeout=5)
    config = requests.get(stack.console_url + "/config.json", timeout=5).json()

    assert page.status_code == 200
    assert "Min konto" in page.text
    assert config == {
        "api_url": stack.api,
        "region": "eu-west-1",
        "cognito": {
            "endpoint": stack.demo["aws_endpoint_url"],
            "user_pool_id": stack.demo["cognito"]["user_pool_id"],
            "client_id": stack.demo["cognito"]["client_id"],
        },
        "support": {
            "email": "support@godkend.example",
            "phone": "+45 70 00 00 00",
            "hours": {"da": "hverdage 9-16", "en": "weekdays 9am-4pm"},
        },
    }


@pytest.mark.parametrize("path", ["/v1/codes", "/v1/users/someone", "/v1/validations"])
def test_the_api_answers_preflights_from_the_console_only(console_stack, path):
    stack, _ = console_stack

    allowed = preflight(stack.api + path, stack.console_url)
    refused = preflight(stack.api + path, ELSEWHERE)

    assert allowed.status_code == 204, allowed.text
    assert allowed.headers["Access-Control-Allow-Origin"] == stack.console_url
    assert "authorization" in allowed.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_the_apis_answers_name_the_console_origin_only(console_stack):
    stack, _ = console_stack

    mine = requests.get(stack.api + "/v1/me", headers={"Origin": stack.console_url}, timeout=5)
    theirs = requests.get(stack.api + "/v1/me", headers={"Origin": ELSEWHERE}, timeout=5)

    assert mine.status_code == theirs.status_code == 401
    assert mine.headers["Access-Control-Allow-Origin"] == stack.console_url
    assert "Access-Control-Allow-Origin" not in theirs.headers


def test_the_emulators_cognito_answers_the_console_as_it_calls_it(console_stack):
    stack, _ = console_stack
    endpoint = stack.demo["aws_endpoint_url"] + "/"
    admin = stack.demo["users"]["admin"]

    # When the console's page asks to call Cognito, then signs in with the password
    asked = preflight(endpoint, stack.console_url, COGNITO_HEADERS)
    signed_in = requests.post(
        endpoint,
        headers={
            "Origin": stack.console_url,
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
        },
        json={
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": stack.demo["cognito"]["client_id"],
            "AuthParameters": {"USERNAME": admin["username"], "PASSWORD": admin["password"]},
        },
        timeout=5,
    )

    # Then the browser may send the call and read the answer: the authenticator challenge
    assert asked.status_code == 200
    assert asked.headers["Access-Control-Allow-Origin"] == stack.console_url
    allowed_headers = {h.strip() for h in asked.headers["Access-Control-Allow-Headers"].lower().split(",")}
    assert set(COGNITO_HEADERS.split(",")) <= allowed_headers
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.headers["Access-Control-Allow-Origin"] == stack.console_url
    assert signed_in.json()["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
