"""Kolleger in Leverandør, in Chromium: a vendor's contact invites a colleague, the colleague accepts from the
mail's link, enrols and signs in to Leverandør, the contact removes them behind a confirmation, and the
colleague's open page can no longer act: its next request is refused, and the page says what to do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.axe import assert_accessible
from tests.e2e.browser import finish_page, new_context
from tests.e2e.conftest import RunningStack
from tests.e2e.test_console_vendor import a_vendor_with_a_contact, accept_from_the_mail, enrol_and_sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def contexts(
    browser: Browser, stack: RunningStack, request: pytest.FixtureRequest
) -> Iterator[list[BrowserContext]]:
    """Two browsers' worth of pages: the contact's and the colleague's, each signed in on its own."""
    opened = [new_context(browser, stack.console_url), new_context(browser, stack.console_url)]
    yield opened
    for who, context in enumerate(opened):
        for number, each in enumerate(context.pages):
            finish_page(request, each, f"{who}-{number}")
        context.close()


def test_a_vendor_person_invites_a_colleague_and_removes_them_and_the_colleagues_page_stops_working(
    contexts: list[BrowserContext], stack: RunningStack
):
    contact_page: Page = contexts[0].new_page()
    colleague_page: Page = contexts[1].new_page()
    # Given a vendor's contact, signed in to Leverandør
    a_vendor_with_a_contact(stack, "mette@kolleger.example", "Kollegaland ApS")
    username = accept_from_the_mail(contact_page, stack, "mette@kolleger.example")
    enrol_and_sign_in(contact_page, stack, username)
    expect(contact_page.get_by_role("heading", name="Kolleger", exact=True)).to_be_visible()

    # When they invite a colleague with a mobile in 8 digits
    form = contact_page.get_by_role("form", name="Invitér kollega")
    form.get_by_label("Fornavn").fill("Jonas")
    form.get_by_label("Efternavn").fill("Krogh")
    form.get_by_label("E-mail").fill("jonas@kolleger.example")
    form.get_by_label("Mobilnummer").fill("22334455")
    form.get_by_role("button", name="Invitér kollega").click()

    # Then the page says so, and the list shows them invited
    expect(contact_page.get_by_text("Jonas Krogh er inviteret.", exact=False)).to_be_visible()
    row = contact_page.get_by_role("row").filter(has_text="Jonas Krogh")
    expect(row).to_contain_text("Inviteret, har ikke svaret")
    assert_accessible(contact_page, "Kolleger")

    # When the colleague accepts from the mail's link, enrols and signs in
    theirs = accept_from_the_mail(colleague_page, stack, "jonas@kolleger.example")
    enrol_and_sign_in(colleague_page, stack, theirs)

    # Then they see Leverandør for the same vendor
    expect(colleague_page.get_by_role("heading", name="Leverandør", exact=True)).to_be_visible()
    expect(colleague_page.get_by_text("Du er logget ind for Kollegaland ApS.")).to_be_visible()

    # When the contact chooses Fjern for the colleague
    contact_page.get_by_role("button", name="Fjern: Jonas Krogh").click()

    # Then a dialog asks first, opened on Annuller, and confirming removes them
    dialog = contact_page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Fjern Jonas Krogh?")).to_be_visible()
    expect(dialog.get_by_role("button", name="Annuller")).to_be_focused()
    assert_accessible(contact_page, "Fjern kollega dialog", "[role=dialog]")
    dialog.get_by_role("button", name="Fjern").click()
    expect(contact_page.get_by_text("Jonas Krogh er fjernet.")).to_be_visible()
    expect(contact_page.get_by_role("button", name="Fjern: Jonas Krogh")).to_have_count(0)

    # When the colleague's open page tries to make a key
    colleague_page.get_by_label("Navn på nøglen").fill("Efter fjernelse")
    colleague_page.get_by_role("button", name="Opret nøgle").click()

    # Then it is refused, and the page says in words what to do: sign in again
    expect(colleague_page.get_by_text("Log ind igen for at fortsætte", exact=False).first).to_be_visible()
