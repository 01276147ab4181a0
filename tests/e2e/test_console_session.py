"""The console's session in a real browser: an access token the API no longer takes is refreshed without
the person noticing; a session that cannot be refreshed asks to sign in again over the page, keeping what
was typed. The demo administrator signs in; the browser's own network layer plays the expired token."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.e2e.browser import browser, keep_screenshot, new_context, sign_in_as_demo
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

__all__ = ["browser"]  # the fixture, used by name

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
    keep_screenshot(request, opened, "session")
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
    page.get_by_role("button", name="Log ud").click()
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()
    page.goto(f"{stack.console_url}/min-konto/godkendelseskode")
    expect(page.get_by_label("Brugernavn", exact=True)).to_be_visible()
