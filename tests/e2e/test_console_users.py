"""Selvbetjeningsbrugere in a real browser, as the demo administrator: the wizard sends the person back to
the field the API refused, the invitation is sent again, the user is edited and deleted."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import finish_page, new_context, sign_in_as_demo
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

EMAIL = "yrsa.madsen@example.org"


@pytest.fixture
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = new_context(browser, stack.console_url)
    opened = context.new_page()
    yield opened
    finish_page(request, opened, "users")
    context.close()


def invitations_to(stack: RunningStack, address: str) -> int:
    mails = (stack.state_dir / "mail").glob("*.eml")
    return sum(address in path.read_text(errors="replace") for path in mails)


def invite_through_the_wizard(page: Page, first: str, last: str, email: str, mobile: str) -> None:
    """The wizard gone through for a colleague with the first account of the demo's first company and
    the codes function, ending with *Opret*."""
    page.get_by_role("button", name="Opret selvbetjeningsbruger").click()
    page.get_by_label("Fornavn", exact=True).fill(first)
    page.get_by_label("Efternavn", exact=True).fill(last)
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Mobilnummer", exact=True).fill(mobile)
    page.get_by_role("button", name="Næste").click()
    page.get_by_label(re.compile(r"CVR 29180008")).check()
    page.get_by_role("button", name="Næste").click()
    page.get_by_label("Begrænset adgang").check()
    page.get_by_role("group", name=re.compile("Kontonumre i")).get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Næste").click()
    page.get_by_label("Godkendelseskoder").check()
    page.get_by_role("button", name="Opret", exact=True).click()


def test_an_administrator_creates_reinvites_edits_and_deletes_a_colleague(page: Page, stack: RunningStack):
    # Given the demo administrator on the tab Selvbetjeningsbrugere
    page.goto(stack.console_url)
    sign_in_as_demo(page, stack.demo, "admin")
    page.get_by_role("tab", name="Selvbetjeningsbrugere").click()

    # When the wizard is gone through with a last name that mixes scripts (a Cyrillic a), which only the
    # API can tell (the wizard checks each step by the document's patterns and lengths)
    invite_through_the_wizard(page, "Yrsa", "M\u0430dsen", EMAIL, "+45 40 50 60 70")

    # Then the wizard is back at the user details, the last name marked and named in the summary
    expect(page.get_by_label("Efternavn", exact=True)).to_have_attribute("aria-invalid", "true")
    summary = page.get_by_role("alert").filter(has_text="Der er problemer")
    expect(summary.get_by_role("link", name=re.compile("^Efternavn"))).to_be_visible()

    # When it is put right, the rest of the choices still made
    page.get_by_label("Efternavn", exact=True).fill("Madsen")
    for _ in range(3):
        page.get_by_role("button", name="Næste").click()
    expect(page.get_by_label("Godkendelseskoder")).to_be_checked()
    page.get_by_role("button", name="Opret", exact=True).click()

    # Then the colleague is listed as invited and the invitation mailed
    expect(page.get_by_text(f"Der er sendt en e-mail med en invitation til {EMAIL}.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Yrsa Madsen"))
    expect(row).to_contain_text("Inviteret")
    stack.mail_containing("Invitationskode", seconds=30, to=EMAIL)

    # When the invitation is sent again, a second one goes out
    before = invitations_to(stack, EMAIL)
    page.get_by_role("button", name="Send invitation igen: Yrsa Madsen").click()
    expect(page.get_by_text("Der er sendt en ny invitation.")).to_be_visible()
    for _ in range(100):  # the mail pipeline delivers in the background
        if invitations_to(stack, EMAIL) > before:
            break
        page.wait_for_timeout(200)
    assert invitations_to(stack, EMAIL) > before

    # When the colleague is edited to also see the validation history
    page.get_by_role("button", name="Rediger: Yrsa Madsen").click()
    expect(page.get_by_label("Fornavn", exact=True)).to_have_value("Yrsa")
    for _ in range(3):
        page.get_by_role("button", name="Næste").click()
    page.get_by_label("Valideringshistorik").check()
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_text("Ændringerne er gemt.")).to_be_visible()
    expect(row).to_contain_text("Valideringshistorik")

    # When the colleague is deleted, after a confirmation
    page.get_by_role("button", name="Slet: Yrsa Madsen").click()
    page.get_by_role("dialog", name="Slet brugeren?").get_by_role("button", name="Slet").click()

    # Then they are no longer listed
    expect(page.get_by_role("row", name=re.compile("Yrsa Madsen"))).to_have_count(0)
