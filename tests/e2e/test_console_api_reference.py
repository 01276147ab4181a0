"""The API reference at the console's /docs, in a real browser at a computer's and a phone's size: the API's
own OpenAPI document rendered by Swagger UI inside the console's frame, every path of it, under the strict
Content-Security-Policy the hosting sends, reached from the footer, and without axe-core violations, the
renderer's markup included (one main landmark, headings in order under the page's h1)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.e2e.axe import describe, violations
from tests.e2e.browser import sized_page, watch_policy_violations
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

VIEWPORTS = [{"width": 1280, "height": 800}, {"width": 390, "height": 844}]

# The level of every heading on the page, in document order.
HEADING_LEVELS = "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map((h) => Number(h.tagName[1]))"

# Each operation Swagger UI shows names its path in this attribute.
SHOWN_PATHS = """() => [...new Set([...document.querySelectorAll('.opblock-summary-path[data-path]')]
  .map((element) => element.getAttribute('data-path')))]"""


@pytest.fixture(params=VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from sized_page(browser, stack.console_url, request, "api-reference")


def open_reference(page: Page, stack: RunningStack) -> None:
    page.goto(stack.console_url + "/docs")
    expect(page.locator(".opblock").first).to_be_visible()


def test_the_reference_shows_every_path_of_the_apis_document(page: Page, stack: RunningStack):
    # Given the document the API serves
    document = requests.get(stack.api + "/openapi.json", timeout=10).json()
    refused = watch_policy_violations(page)

    # When a stranger opens /docs
    open_reference(page, stack)

    # Then the page is the console's, with its title, heading and footer
    expect(page).to_have_title("API-reference \N{EN DASH} Godkend")
    expect(page.get_by_role("heading", level=1, name="API-reference")).to_be_visible()
    expect(page.get_by_role("contentinfo")).to_be_visible()
    # And every path of the document is shown, and none it does not have
    assert sorted(page.evaluate(SHOWN_PATHS)) == sorted(document["paths"])
    # And nothing was refused by the Content-Security-Policy on the way
    assert refused == []
    # And nothing scrolls the page sideways
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_the_reference_is_served_under_the_consoles_own_policy(stack: RunningStack):
    # Given the policy the hosting sends with the sign-in
    policy = requests.get(stack.console_url + "/", timeout=10).headers["Content-Security-Policy"]

    # When /docs is asked for
    answer = requests.get(stack.console_url + "/docs", timeout=10)

    # Then it comes with the same policy, no inline script or style allowed for the renderer's sake
    assert answer.headers["Content-Security-Policy"] == policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_the_footer_leads_to_the_reference(page: Page, stack: RunningStack):
    # Given the sign-in page
    page.goto(stack.console_url + "/")
    refused = watch_policy_violations(page)

    # When the footer's link is followed
    page.get_by_role("contentinfo").get_by_role("link", name="API-reference", exact=True).click()

    # Then the reference is shown at /docs, under the policy
    expect(page).to_have_url(stack.console_url + "/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    assert refused == []


def test_the_reference_has_no_accessibility_violations_the_renderer_included(page: Page, stack: RunningStack):
    # Given the reference, rendered
    open_reference(page, stack)

    # When axe-core checks the whole page, the renderer's part included
    found = violations(page)

    # Then it finds nothing, no rule held apart for Swagger UI's markup
    assert not found, f"axe-core on API-reference:\n{describe(found)}"
    # And the page has one main landmark, and its headings run from the page's h1 without a gap
    assert page.locator("main").count() == 1
    levels = page.evaluate(HEADING_LEVELS)
    assert levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in pairwise(levels))


def test_an_operation_opened_keeps_the_headings_in_order(page: Page, stack: RunningStack):
    # Given the reference, rendered
    open_reference(page, stack)

    # When a vendor's developer opens the validation call
    page.locator('.opblock-summary-path[data-path="/v1/validations"]').first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()

    # Then axe-core still finds nothing on the page
    found = violations(page)
    assert not found, f"axe-core on API-reference, an operation open:\n{describe(found)}"


def test_a_document_that_cannot_be_fetched_is_said_in_the_consoles_words(page: Page, stack: RunningStack):
    # Given an API whose /openapi.json cannot be reached
    page.route(stack.api + "/openapi.json", lambda route: route.abort())

    # When the reference is opened
    page.goto(stack.console_url + "/docs")

    # Then the page says so in Danish and offers to try again
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Referencen kunne ikke hentes lige nu")
    # And, once the API answers, trying again shows the reference
    page.unroute(stack.api + "/openapi.json")
    alert.get_by_role("button", name="Prøv igen").click()
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)


def test_the_reference_is_framed_in_english_on_request(page: Page, stack: RunningStack):
    # Given the reference
    open_reference(page, stack)

    # When English is chosen
    page.get_by_role("button", name="Skift sprog til engelsk").click()

    # Then the frame speaks English, and the reference stays as it was
    expect(page).to_have_title("API reference \N{EN DASH} Godkend")
    expect(page.get_by_role("heading", level=1, name="API reference")).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()
