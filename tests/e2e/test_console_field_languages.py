"""A field message reaches a Danish person as the API says it in Danish, and a message the API did not say in
Danish (an older API, a proxy in between) never reaches them raw: it becomes a plain "check the field"."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.e2e.browser import sign_in_as_demo, sized_page
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

VIEWPORTS = [{"width": 1280, "height": 800}, {"width": 390, "height": 844}]
ENGLISH_PROBLEM = {
    "type": "https://godkend.dk/problems/invalid-input",
    "title": "The request has invalid input",
    "status": 400,
    "detail": "Some fields are missing or invalid.",
    "errors": [{"field": "old_password", "message": "The current password could not be checked."}],
}


@pytest.fixture(params=VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from sized_page(browser, stack.console_url, request, "field-languages")


def change_password_with_a_wrong_current_one(page: Page, stack: RunningStack) -> None:
    page.goto(stack.console_url)
    sign_in_as_demo(page, stack.demo, "admin")
    page.get_by_role("link", name="Skift adgangskode").click()
    expect(page.get_by_role("heading", name="Skift adgangskode")).to_be_visible()
    page.get_by_label("Nuværende adgangskode").fill("Forkert-Adgang-2026")
    page.get_by_label("Ny adgangskode", exact=True).fill("Helt-Ny-Adgang-2027")
    page.get_by_label("Gentag ny adgangskode").fill("Helt-Ny-Adgang-2027")
    page.get_by_role("button", name="Skift adgangskode").click()


def test_a_field_message_a_service_of_the_api_says_reaches_a_danish_person_in_its_danish_words(
    page: Page, stack: RunningStack
):
    # Given the administrator on Skift adgangskode
    # When they give a wrong current password
    change_password_with_a_wrong_current_one(page, stack)

    # Then the API's own Danish words say at the field what to do
    said = "Den nuværende adgangskode er forkert. Skriv den, du logger ind med nu."
    expect(page.get_by_role("alert")).to_contain_text(said)
    field = page.get_by_label("Nuværende adgangskode")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile(re.escape(said)))


def test_a_field_message_not_said_in_danish_never_reaches_a_danish_person_raw(
    page: Page, stack: RunningStack
):
    # Given an API that answers the password change with a field message in English
    def english(route: Route) -> None:
        route.fulfill(
            status=400,
            headers={
                "Content-Type": "application/problem+json",
                "Content-Language": "en",
                "Access-Control-Allow-Origin": stack.console_url.rstrip("/"),
            },
            body=json.dumps(ENGLISH_PROBLEM),
        )

    page.route(re.compile(r"/v1/me/password$"), english)

    # When the administrator gives a wrong current password
    change_password_with_a_wrong_current_one(page, stack)

    # Then the field says in Danish to check it, and the English never shows
    expect(page.get_by_role("alert")).to_contain_text("Tjek feltet, og prøv igen.")
    expect(page.get_by_text("The current password could not be checked.")).to_have_count(0)
    expect(page.get_by_label("Nuværende adgangskode")).to_have_attribute("aria-invalid", "true")
