"""The console's session in a real browser: an access token the API no longer takes is refreshed without
the person noticing; a session that cannot be refreshed asks to sign in again over the page, keeping what
was typed. The demo administrator signs in; the browser's own network layer plays the expired token.
*Log ud* ends the session at the API too, and *Skift adgangskode* ends every session and signs the person in
again with the new password."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, Route, expect

from infra.local.client import Api, Credentials, add_colleague, signed_in
from infra.local.signin import sign_in, wait_for_sign_in
from infra.local.totp import fresh_totp
from tests.e2e.browser import finish_page, new_context, sign_in_as_demo
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

NEW_CODE = re.compile(r"^[a-z0-9]{8}@")
EXPIRED = {
    "type": "https://godkend.dk/problems/unauthenticated",
    "title": "Authentication is required",
    "status": 401,
    "detail": "The access token has expired.",
}


@pytest.fixture
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = new_context(browser, stack.console_url)
    opened = context.new_page()
    yield opened
    finish_page(request, opened, "session")
    context.close()


def sign_in_as_admin(page: Page, stack: RunningStack, *, in_dialog: bool = False) -> None:
    sign_in_as_demo(page, stack.demo, "admin", in_dialog=in_dialog)


def answer_the_next_code_creation_with_401(page: Page, stack: RunningStack) -> list[str]:
    """The API's next POST /v1/codes answers 401, as for an access token that has run out. Answers the
    Authorization headers of every POST /v1/codes that reached the route."""
    seen: list[str] = []

    def handle(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        seen.append(route.request.headers.get("authorization", ""))
        if len(seen) == 1:
            route.fulfill(status=401, content_type="application/problem+json", body=json.dumps(EXPIRED))
        else:
            route.continue_()

    page.route(f"{stack.api}/v1/codes", handle)
    return seen


def refuse_refreshing(page: Page, stack: RunningStack) -> None:
    def handle(route: Route) -> None:
        if "REFRESH_TOKEN_AUTH" in (route.request.post_data or ""):
            route.fulfill(
                status=400,
                content_type="application/x-amz-json-1.1",
                body=json.dumps({"__type": "NotAuthorizedException", "message": "Refresh Token has expired"}),
            )
        else:
            route.continue_()

    page.route(f"{stack.demo['aws_endpoint_url']}/**", handle)
    page.route(stack.demo["aws_endpoint_url"], handle)


def fill_code_form(page: Page, first_name: str) -> None:
    page.get_by_role("button", name="Tilføj en ny kode").click()
    page.get_by_label("Fornavn", exact=True).fill(first_name)
    page.get_by_label("Efternavn", exact=True).fill("Hansen")
    page.get_by_label("E-mail", exact=True).fill(f"{first_name.lower()}@example.org")


def test_a_token_the_api_refuses_is_refreshed_and_the_call_repeated(page: Page, stack: RunningStack):
    # Given the administrator is signed in and fills in a new code
    page.goto(stack.console_url)
    sign_in_as_admin(page, stack)
    expect(page.get_by_role("heading", name=re.compile("Min konto"))).to_be_visible()
    seen = answer_the_next_code_creation_with_401(page, stack)
    fill_code_form(page, "Bodil")

    # When the API answers the first try with 401
    page.get_by_role("button", name="Tilføj ny kode").click()

    # Then the console refreshed the token and sent it again with a new access token, and the code exists
    expect(page.get_by_label("Din nye godkendelseskode", exact=True)).to_have_text(NEW_CODE)
    assert len(seen) == 2
    assert seen[0] != seen[1]
    assert all(header.startswith("Bearer ") for header in seen)


def test_an_expired_session_asks_to_sign_in_again_over_the_page_keeping_what_was_typed(
    page: Page, stack: RunningStack
):
    # Given the administrator is signed in and has typed a new code's representative
    page.goto(stack.console_url)
    sign_in_as_admin(page, stack)
    expect(page.get_by_role("heading", name=re.compile("Min konto"))).to_be_visible()
    answer_the_next_code_creation_with_401(page, stack)
    refuse_refreshing(page, stack)
    fill_code_form(page, "Vibeke")

    # When the session has run out and cannot be refreshed
    page.get_by_role("button", name="Tilføj ny kode").click()

    # Then a sign-in dialog opens over the page, saying why
    dialog = page.get_by_role("dialog", name="Log ind")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text(re.compile("Din session er udløbet"))).to_be_visible()
    # And after signing in again there, what was typed is still there and the code can be made
    sign_in_as_admin(page, stack, in_dialog=True)
    expect(dialog).to_be_hidden()
    expect(page.get_by_label("Fornavn", exact=True)).to_have_value("Vibeke")
    page.get_by_role("button", name="Tilføj ny kode").click()
    expect(page.get_by_label("Din nye godkendelseskode", exact=True)).to_have_text(NEW_CODE)


def test_signing_out_forgets_the_session_and_keeps_nothing_in_storage(page: Page, stack: RunningStack):
    # Given the administrator is signed in
    page.goto(stack.console_url)
    sign_in_as_admin(page, stack)
    expect(page.get_by_role("heading", name=re.compile("Min konto"))).to_be_visible()
    # Then no token is kept in the browser's storage
    stored = page.evaluate("JSON.stringify([Object.keys(localStorage), Object.keys(sessionStorage)])")
    assert stored == "[[],[]]"
    assert page.context.cookies() == []
    # When they sign out, the sign-in form is back, and a reload does not sign them in
    with page.expect_response(f"{stack.api}/v1/me/sign-out") as answer:
        page.get_by_role("button", name="Log ud").click()
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()
    # (Read before the page navigates away. The next test signs in as the administrator again: no sooner
    # than the API said, or a token issued in the sign-out's own second would be refused.)
    sign_in_from = answer.value.json()["sign_in_from"]
    page.goto(f"{stack.console_url}/min-konto/godkendelseskode")
    expect(page.get_by_label("Brugernavn", exact=True)).to_be_visible()
    wait_for_sign_in(sign_in_from)


def tokens_sent(page: Page, stack: RunningStack) -> list[str]:
    """The access tokens the console sends the API, as it sends them."""
    seen: list[str] = []

    def note(request: Any) -> None:
        header = request.headers.get("authorization", "")
        if request.url.startswith(stack.api) and header.startswith("Bearer "):
            seen.append(header.removeprefix("Bearer "))

    page.on("request", note)
    return seen


def refused(stack: RunningStack, token: str) -> bool:
    answer = requests.get(f"{stack.api}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=15)
    return answer.status_code == 401


def test_log_ud_ends_the_session_at_the_api_not_only_in_the_page(page: Page, stack: RunningStack):
    # Given the administrator is signed in, and the console has called the API with its token
    seen = tokens_sent(page, stack)
    page.goto(stack.console_url)
    sign_in_as_admin(page, stack)
    expect(page.get_by_role("heading", name=re.compile("Min konto"))).to_be_visible()
    token = seen[-1]
    assert not refused(stack, token)

    # When they click Log ud
    with page.expect_response(f"{stack.api}/v1/me/sign-out") as answer:
        page.get_by_role("button", name="Log ud").click()

    # Then the sign-in form is back, and the token the page held is refused by the API: a copy of it (a
    # stolen one, say) is worth nothing now
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()
    assert answer.value.status == 200
    assert refused(stack, token)
    # (The next test signs in as the administrator again: no sooner than the API said.)
    wait_for_sign_in(answer.value.json()["sign_in_from"])


def a_colleague(stack: RunningStack) -> Credentials:
    """A colleague of the demo organisation with an authenticator app, made as an administrator makes one."""
    demo, cognito = stack.demo, stack.cognito()
    client_id = demo["cognito"]["client_id"]
    admin = demo["users"]["admin"]
    api: Api = signed_in(
        stack.api, cognito, client_id, Credentials(admin["username"], admin["password"], admin["totp_secret"])
    )
    cvr = api.call("GET", "/v1/me")["companies"][0]["cvr"]
    body = {
        "first_name": "Karen",
        "last_name": "Kodeskifter",
        "email": "karen@roedekors-aarhus.example",
        "mobile": "+4523456789",
        "functions": ["codes"],
        "companies": [{"cvr": cvr, "access": "full"}],
    }
    return add_colleague(api, cognito, client_id, stack.state_dir / "mail", body, "Karens-Adgang-2026")


def sign_in_in_the_page(page: Page, credentials: Credentials, password: str) -> None:
    page.get_by_label("Brugernavn", exact=True).fill(credentials.username)
    page.get_by_label("Adgangskode", exact=True).fill(password)
    page.get_by_role("button", name="Log ind").click()
    page.get_by_label("Engangskode").fill(fresh_totp(credentials.totp_secret))
    page.get_by_role("button", name="Log ind").click()


def test_skift_adgangskode_ends_every_session_and_signs_in_again_with_the_new_password(
    page: Page, stack: RunningStack
):
    # Given a colleague signed in here, and on another device too
    colleague = a_colleague(stack)
    cognito, client_id = stack.cognito(), stack.demo["cognito"]["client_id"]
    other_device = sign_in(cognito, client_id, colleague.username, colleague.password, colleague.totp_secret)
    seen = tokens_sent(page, stack)
    page.goto(stack.console_url)
    sign_in_in_the_page(page, colleague, colleague.password)
    expect(page.get_by_role("heading", name=re.compile("Min konto"))).to_be_visible()
    this_device = seen[-1]

    # When they open Skift adgangskode from the header, which states the password policy
    page.get_by_role("link", name="Skift adgangskode").click()
    expect(page.get_by_role("heading", name="Skift adgangskode")).to_be_visible()
    expect(
        page.get_by_text("Mindst 12 tegn med både store og små bogstaver og mindst ét tal")
    ).to_be_visible()

    # Then a wrong current password is said at its field, in Danish, and changes nothing
    page.get_by_label("Nuværende adgangskode").fill("Forkert-Adgang-2026")
    page.get_by_label("Ny adgangskode", exact=True).fill("Karens-Nye-Adgang-2027")
    page.get_by_label("Gentag ny adgangskode").fill("Karens-Nye-Adgang-2027")
    page.get_by_role("button", name="Skift adgangskode").click()
    expect(page.get_by_role("alert")).to_contain_text("Den nuværende adgangskode er forkert.")
    assert not refused(stack, other_device)

    # When they give the right one
    page.get_by_label("Nuværende adgangskode").fill(colleague.password)
    page.get_by_role("button", name="Skift adgangskode").click()

    # Then they are signed out everywhere: here, and on the other device
    expect(page.get_by_text("Din adgangskode er skiftet, og du er logget ud alle steder.")).to_be_visible()
    assert refused(stack, this_device)
    assert refused(stack, other_device)
    # And they sign in again with the new password and their authenticator
    sign_in_in_the_page(page, colleague, "Karens-Nye-Adgang-2027")
    expect(page.get_by_role("heading", name=re.compile("Min konto"))).to_be_visible()
    assert not refused(stack, seen[-1])
