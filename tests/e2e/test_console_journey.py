"""A newcomer's whole way in, in Chromium at a computer's and a phone's size, as a Dane types and reads it:
applying with `22334455` as the mobile number, activating from the link in the letter, setting up the
authenticator, and then signing in with the e-mail address. Every page on the way is read for words a
person should not meet in Danish mode (English, or a machine's: ids, status codes, field paths) and checked
with axe-core."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from infra.local.signin import sign_in
from infra.local.totp import fresh_totp
from tests.e2e.axe import assert_accessible
from tests.e2e.browser import finish_page, new_context, watch_policy_violations
from tests.e2e.conftest import RunningStack
from tests.e2e.register import JOURNEY_DESKTOP, JOURNEY_PHONE, Company

pytestmark = pytest.mark.e2e

PASSWORD = "Frivillig-Ribe-2026"
# Words that are not Danish and that a machine's or a provider's text would bring: English function words
# and error vocabulary, ids and paths of the API. Whole words, any case.
NOT_DANISH = re.compile(
    r"\b(the|and|not|must|should|please|invalid|error|required|field|string|characters?|password|"
    r"username|expired|unknown|null|undefined|none|true|false|exception|request|forbidden|unauthori[sz]ed)\b"
    r"|\b(org|adm|usr|app)-[0-9a-z]{4,}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-|/v1/|\b[45]\d\d\b(?! kr)",
    re.IGNORECASE,
)


@pytest.fixture(
    params=[
        pytest.param(({"width": 1280, "height": 800}, JOURNEY_DESKTOP), id="1280x800"),
        pytest.param(({"width": 390, "height": 844}, JOURNEY_PHONE), id="390x844"),
    ]
)
def walk(
    browser: Browser, stack: RunningStack, request: pytest.FixtureRequest
) -> Iterator[tuple[Page, Company]]:
    viewport, company = request.param
    context = new_context(browser, stack.console_url)
    page = context.new_page()
    page.set_viewport_size(viewport)
    yield page, company
    finish_page(request, page, "journey")
    context.close()


def read_in_danish(page: Page, where: str) -> None:
    """The page as a person reads it has no word of another language or of a machine; axe-core finds
    nothing on it."""
    words = " ".join(page.locator("body").inner_text().split())
    # The service's own English switch, the support's telephone and the demo's addresses are fine.
    words = words.replace("English", "").replace("+45 70 00 00 00", "")
    found = sorted({m.group(0) for m in NOT_DANISH.finditer(words)})
    assert not found, f"{where}: {found} in {words!r}"
    assert_accessible(page, where)


def test_a_newcomer_applies_with_a_danish_mobile_activates_from_the_letter_and_signs_in_with_her_e_mail(
    walk: tuple[Page, Company], stack: RunningStack
):
    page, company = walk
    violations = watch_policy_violations(page)
    email = f"ane.{company.cvr}@example.org"

    # Given a newcomer who applies, typing her mobile number as Danes do
    page.goto(stack.console_url)
    read_in_danish(page, "Log ind")
    page.get_by_role("link", name="Ansøg om adgang").click()
    page.get_by_label("CVR-nummer").fill(company.cvr)
    page.get_by_label("Organisationens navn").fill(company.name)
    page.get_by_label("Fornavn", exact=True).fill("Ane")
    page.get_by_label("Efternavn", exact=True).fill("Kjærsgaard")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Mobilnummer", exact=True).fill("22334455")
    read_in_danish(page, "Ansøg")
    page.get_by_role("button", name="Send ansøgning").click()

    # Then she is thanked and told what happens next
    expect(page.get_by_role("heading", name="Tak for ansøgningen")).to_be_visible()
    read_in_danish(page, "Tak for ansøgningen")

    # When the letter comes to the company's official mailbox and she follows its link
    letter = stack.mail_containing(f"(CVR {company.cvr})", to=company.official_mailbox)
    body = letter.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    code = re.search(r"^Aktiveringskode: (\S+)\r?$", text, re.MULTILINE).group(1)  # type: ignore[union-attr]
    [link] = [u for u in re.findall(r"https?://\S+", text) if "/aktiver" in u]
    page.goto(link)

    # Then the activation page knows her username; she types the code from the paper and a password
    expect(page.get_by_role("heading", name="Aktivér din konto")).to_be_visible()
    username = page.get_by_label("Brugernavn").input_value()
    assert username
    page.get_by_label("Aktiveringskode").fill(code)
    page.get_by_label("Adgangskode", exact=True).fill(PASSWORD)
    read_in_danish(page, "Aktivér din konto")
    page.get_by_role("button", name="Aktivér", exact=True).click()
    expect(page.get_by_text("Kontoen er aktiveret")).to_be_visible()
    read_in_danish(page, "Kontoen er aktiveret")

    # When she signs in the first time, she sets up her authenticator app (the emulator gives no MFA_SETUP;
    # tests/e2e/test_console_first_sign_in.py walks Cognito's)
    page.get_by_label("Brugernavn", exact=True).fill(username)
    page.get_by_label("Adgangskode", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    key = page.get_by_label("Kan du ikke scanne? Skriv denne nøgle i appen")
    expect(key).not_to_have_value("")
    read_in_danish(page, "Opsæt godkendelsesapp")
    secret = key.input_value()
    page.get_by_label("Engangskode").fill(fresh_totp(secret))
    page.get_by_role("button", name="Bekræft").click()

    # Then the console says the app is set up and that she signs in again (enrolling ended her sessions);
    # waiting for it, not for any sign-in button, so that nothing ends her session before the app is confirmed
    expect(page.get_by_text("Log ind igen med din nye godkendelsesapp.")).to_be_visible()
    read_in_danish(page, "Log ind igen")

    # When she signs in again from her e-mail address with the password and the app's code
    page.get_by_label("Brugernavn", exact=True).fill(email)
    page.get_by_label("Adgangskode", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.get_by_label("Engangskode").fill(fresh_totp(secret))
    page.get_by_role("button", name="Log ind").click()

    # she is in Min konto, named in the header with her organisation, waiting for approval, all in Danish
    header = page.get_by_role("banner")
    expect(header).to_contain_text(f"Ane Kjærsgaard, {company.name}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Min konto")
    read_in_danish(page, "Min konto")
    assert violations == []

    # And the mobile number she typed is kept as +45 and its eight digits
    me = requests.get(
        f"{stack.api}/v1/me",
        headers={
            "Authorization": "Bearer "
            + sign_in(stack.cognito(), stack.demo["cognito"]["client_id"], username, PASSWORD, secret)
        },
        timeout=10,
    ).json()
    assert me["user"]["mobile"] == "+4522334455"
