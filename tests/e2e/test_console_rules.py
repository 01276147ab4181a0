"""The console checks what a person types by the API's own rules and says what to do, in Danish, before it
sends anything where it can (the rules and messages come from the OpenAPI document), and shows the API's
answer in Danish where only the API can tell. At a desktop's and a phone's size."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from tests.e2e.browser import finish_page, new_context, sign_in_as_demo
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
EMAIL_MESSAGE = "Skriv en e-mailadresse, fx navn@firma.dk."
CVR_MESSAGE = "Skriv CVR-nummeret: 8 cifre, fx 12 34 56 78."
PASSWORD_MESSAGE = re.compile(
    r"^(Fejl: )?Skriv en adgangskode på mindst 12 tegn med både store og små bogstaver"
)


@pytest.fixture(params=sorted(VIEWPORTS))
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = new_context(browser, stack.console_url)
    opened = context.new_page()
    opened.set_viewport_size(VIEWPORTS[request.param])  # type: ignore[arg-type]
    yield opened
    finish_page(request, opened, "rules")
    context.close()


def sent_to_api(page: Page, path: str) -> list[str]:
    """The requests to an API path the page sends from now on (a check before sending sends none)."""
    found: list[str] = []

    def seen(request: Request) -> None:
        if request.url.split("?")[0].endswith(path) and request.method != "OPTIONS":
            found.append(request.method)

    page.on("request", seen)
    return found


def test_the_wizards_first_step_refuses_an_email_cut_short_on_naeste(page: Page, stack: RunningStack):
    # Given the demo administrator starting the wizard Opret selvbetjeningsbruger
    page.goto(stack.console_url)
    sign_in_as_demo(page, stack.demo, "admin")
    page.get_by_role("tab", name="Selvbetjeningsbrugere").click()
    page.get_by_role("button", name="Opret selvbetjeningsbruger").click()

    # When the user details are typed with an e-mail address cut short, and Næste is pressed
    page.get_by_label("Fornavn", exact=True).fill("Lars")
    page.get_by_label("Efternavn", exact=True).fill("Jensen")
    page.get_by_label("E-mail", exact=True).fill("lars@")
    page.get_by_label("Mobilnummer", exact=True).fill("22 33 44 55")
    page.get_by_role("button", name="Næste").click()

    # Then the wizard stays on step 1, and the field says what to type, without repeating its label
    expect(page.get_by_text(re.compile(r"Trin 1 af 4"))).to_be_visible()
    email = page.get_by_label("E-mail", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#user-email-error")).to_have_text(f"Fejl: {EMAIL_MESSAGE}")
    # And the summary names the field, a link to it
    summary = page.get_by_role("alert").filter(has_text="Der er problemer")
    expect(summary.get_by_role("link", name=f"E-mail: {EMAIL_MESSAGE}")).to_be_visible()
    # And the other fields, which keep the API's rules, are not marked
    expect(page.get_by_label("Mobilnummer", exact=True)).not_to_have_attribute("aria-invalid", "true")

    # When the address is put right, Næste goes on to step 2
    email.fill("lars@example.org")
    page.get_by_role("button", name="Næste").click()
    expect(page.get_by_text(re.compile(r"Trin 2 af 4"))).to_be_visible()


def test_an_empty_cvr_number_is_told_what_to_type(page: Page, stack: RunningStack):
    # Given the application form, all filled in but the CVR number
    page.goto(stack.console_url)
    page.get_by_role("link", name="Ansøg om adgang").click()
    page.get_by_label("Organisationens navn").fill("Regelret Forening")
    page.get_by_label("Fornavn", exact=True).fill("Ida")
    page.get_by_label("Efternavn", exact=True).fill("Holm")
    page.get_by_label("E-mail", exact=True).fill("ida@example.org")
    page.get_by_label("Mobilnummer", exact=True).fill("22 33 44 55")

    # When it is sent
    page.get_by_role("button", name="Send ansøgning").click()

    # Then the CVR number is asked for, in Danish, saying what to type (not how many characters)
    expect(page.get_by_label("CVR-nummer")).to_have_attribute("aria-invalid", "true")
    summary = page.get_by_role("alert").filter(has_text="Der er problemer")
    expect(summary.get_by_role("link", name=f"CVR-nummer: {CVR_MESSAGE}")).to_be_visible()

    # And eight digits that are no CVR number are told so, not to type eight digits
    page.get_by_label("CVR-nummer").fill("12345678")
    page.get_by_role("button", name="Send ansøgning").click()
    expect(summary.get_by_role("link", name=re.compile("^CVR-nummer: Tjek CVR-nummeret"))).to_be_visible()


def test_a_short_password_is_refused_before_it_is_sent_in_our_words(page: Page, stack: RunningStack):
    # Given the page for accepting an invitation, with a code from a mail
    page.goto(stack.console_url)
    # (the console has started: the sign-in's button is enabled once its script runs)
    expect(page.get_by_role("button", name="Log ind")).to_be_enabled()
    page.get_by_role("link", name=re.compile("Har du fået en invitation")).click()
    page.get_by_label("Invitationskode").fill("0" * 32 + "." + "a" * 32)
    accepted = sent_to_api(page, "/v1/invitations/accept")

    # When a password shorter than the policy is chosen and saved
    page.get_by_label("Adgangskode", exact=True).fill("kort1A")
    page.get_by_role("button", name="Gem adgangskode").click()

    # Then it is refused at the field in our words, and nothing was sent
    password = page.get_by_label("Adgangskode", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password-error")).to_have_text(PASSWORD_MESSAGE)
    expect(page.get_by_text(re.compile("conform|policy|Not accepted"))).to_have_count(0)
    assert accepted == []

    # And a password without a digit is refused too, saying what it lacks
    password.fill("Langt nok men uden tal")
    page.get_by_role("button", name="Gem adgangskode").click()
    expect(page.locator("#password-error")).to_have_text(re.compile("mindst ét tal"))
    assert accepted == []
