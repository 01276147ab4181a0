"""Min konto in a real browser: Debian's Chromium driven by Playwright against `make run`'s stack, as a new
organisation's administrator and then a colleague meet it. Everything is found by its role and its label,
as a person finds it; the seeds' words are the names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, Response, expect

from infra.local.signin import sign_in
from infra.local.totp import fresh_totp
from tests.e2e.browser import new_context, page_of_its_own, watch_policy_violations
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

CVR = "12345674"  # a sample company of the local register, not the demo organisation's
ORGANISATION = "Konsoltest Ældre Hjælper"
PASSWORD = "Konsol-Test-2026-Aa1"
COLLEAGUE_PASSWORD = "Kollega-Test-2026-Bb2"
CODE = re.compile(r"^[a-z0-9]{8}@\S+$")
ACCOUNT_1002 = "1002 \N{EN DASH} Besøgstjeneste"  # as the console lists an account


@pytest.fixture
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from page_of_its_own(browser, stack.console_url, request)


def labelled_line(text: str, *labels: str) -> str:
    for label in labels:
        found = re.search(rf"^{label}: (\S+)\s*$", text, re.MULTILINE)
        if found:
            return found.group(1)
    raise AssertionError(f"no line labelled {labels} in:\n{text}")


def mail_text(stack: RunningStack, containing: str, to: str = "") -> str:
    body = stack.mail_containing(containing, seconds=30, to=to).get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


def sign_in_with_password(page: Page, username: str, password: str) -> None:
    username_field = page.get_by_label("Brugernavn", exact=True)
    username_field.fill(username)
    page.get_by_label("Adgangskode", exact=True).fill(password)
    page.get_by_role("button", name="Log ind").click()


def enrol_and_sign_in(page: Page, username: str, password: str) -> str:
    """First sign-in: password, then the authenticator is set up from the QR code's key, then the second
    sign-in asks for its code. Answers the key, as the person's app keeps it."""
    sign_in_with_password(page, username, password)
    expect(page.get_by_role("heading", name="Opsæt godkendelsesapp")).to_be_visible()
    expect(page.get_by_role("img", name="QR-kode til godkendelsesappen")).to_be_visible()
    secret = page.get_by_label("Kan du ikke scanne?").input_value()
    assert secret
    page.get_by_label("Engangskode").fill(fresh_totp(secret))
    page.get_by_role("button", name="Bekræft").click()
    expect(page.get_by_text("Log ind igen med din nye godkendelsesapp.")).to_be_visible()
    sign_in_with_password(page, username, password)
    page.get_by_label("Engangskode").fill(fresh_totp(secret))
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name=re.compile("Min konto"))).to_be_visible()
    return secret


def approve(stack: RunningStack, name: str) -> None:
    staff = stack.demo["users"]["staff"]
    client_id = stack.demo["cognito"]["client_id"]
    token = sign_in(stack.cognito(), client_id, staff["username"], staff["password"], staff["totp_secret"])
    headers = {"Authorization": f"Bearer {token}"}
    queue: Any = requests.get(
        f"{stack.api}/v1/staff/organisations?status=pending_review", headers=headers, timeout=10
    ).json()
    # On the organisation as the queue shows it: its version goes back as If-Match.
    listed = next(o for o in queue["items"] if o["name"] == name)
    approve_url = f"{stack.api}/v1/staff/organisations/{listed['org_id']}/approve"
    answer = requests.post(approve_url, headers={**headers, "If-Match": listed["etag"]}, timeout=10)
    assert answer.status_code == 200, answer.text


def shown_code(page: Page, heading: str) -> str:
    value = page.get_by_label(heading, exact=True).inner_text().strip()
    assert CODE.match(value), value
    return value


def test_the_application_form_shows_the_apis_field_errors_at_the_fields_and_in_a_summary(
    page: Page, stack: RunningStack
):
    # Given the application form
    page.goto(stack.console_url)
    page.get_by_role("link", name="Ansøg om adgang").click()
    expect(page.get_by_role("heading", name="Ansøg om adgang")).to_be_visible()

    # When it is sent with a CVR number that fails the check and a mobile number that is not Danish
    page.get_by_label("CVR-nummer").fill("12345678")
    page.get_by_label("Organisationens navn").fill(ORGANISATION)
    page.get_by_label("Fornavn", exact=True).fill("Ida")
    page.get_by_label("Efternavn", exact=True).fill("Holm")
    page.get_by_label("E-mail", exact=True).fill("ida@example.org")
    page.get_by_label("Mobilnummer", exact=True).fill("12")
    page.get_by_role("button", name="Send ansøgning").click()

    # Then the error summary names both fields, each a link to its field, and each field has its message
    summary = page.get_by_role("alert").filter(has_text="Der er problemer")
    expect(summary).to_be_visible()
    cvr_link = summary.get_by_role("link", name=re.compile("^CVR-nummer"))
    expect(cvr_link).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile("^Mobilnummer"))).to_be_visible()
    expect(page.get_by_label("CVR-nummer")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Mobilnummer", exact=True)).to_have_attribute("aria-invalid", "true")
    # And following a link puts the cursor in that field, what was typed still there
    cvr_link.click()
    expect(page.get_by_label("CVR-nummer")).to_be_focused()
    expect(page.get_by_label("Fornavn", exact=True)).to_have_value("Ida")


def test_the_console_speaks_english_on_request(page: Page, stack: RunningStack):
    page.goto(stack.console_url)
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()
    page.get_by_role("button", name="Skift sprog til engelsk").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("Username", exact=True)).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_first_visit_fetches_little_compressed_and_to_be_kept(page: Page, stack: RunningStack):
    # Given a first visit to the console's address, every answer noted
    answers: list[Response] = []
    page.on("response", lambda answer: answers.append(answer))
    page.goto(stack.console_url)
    expect(page.get_by_label("Brugernavn", exact=True)).to_be_visible()
    page.wait_for_load_state("networkidle")

    # Then its scripts came brotli-compressed, to be kept a year, and none was a map's
    scripts = [a for a in answers if a.request.resource_type == "script"]
    assert scripts
    for script in scripts:
        headers = script.all_headers()
        assert headers["content-encoding"] == "br", script.url
        assert headers["cache-control"] == "public, max-age=31536000, immutable", script.url
        assert requests.get(script.url + ".map", timeout=5).status_code == 404, script.url
    # And the page itself is asked for again next time
    (document,) = [a for a in answers if a.request.resource_type == "document"]
    assert document.all_headers()["cache-control"] == "no-cache"
    # And the fonts Chromium fetched are the design system's .woff2, never the larger .woff
    fonts = [a.url for a in answers if a.request.resource_type == "font"]
    assert fonts
    assert all(url.endswith(".woff2") for url in fonts), fonts
    # And nothing of the staff pages, the other forms and tabs, the enrolment or the English words came
    on_demand = re.compile(r"/assets/(Sagsbehandling|Apply|Activate|Users|MasterData|Enrol|i18n-en)-")
    assert not [a.url for a in answers if on_demand.search(a.url)]


# Every computed style of every element of the page, but those that are lengths laid out from the text (which
# the web fonts, coming with the whole stylesheet, change). Margins are read as computed values (`auto` stays
# `auto`) from the typed object model: getComputedStyle answers a margin's used value, and Chromium has been
# seen to answer 0px for the auto margins of a box it laid out 40px from the edge, now and then.
COMPUTED_STYLES = """() => [...document.querySelectorAll("body *")].map((element) => {
  const style = getComputedStyle(element);
  const computed = element.computedStyleMap();
  const laidOut = /^((max-)?(width|height|inline-size|block-size)|.*-origin|inset.*|top|right|bottom|left)$/;
  const kept = [...style].filter((p) => !laidOut.test(p));
  const value = (p) => (p.startsWith("margin") ? String(computed.get(p)) : style.getPropertyValue(p));
  const values = Object.fromEntries(kept.map((p) => [p, value(p)]));
  return [element.tagName, element.className, values];
})"""


# A stylesheet that did not come has none (and Chromium refuses to read its rules).
SHEETS_WITH_RULES = """() => [...document.styleSheets].filter((sheet) => {
  try { return sheet.cssRules.length > 0; } catch { return false; }
}).length"""


# Resolves once the fonts are in and two frames have been drawn since: the layout a person then sees.
SETTLED = """() => document.fonts.ready.then(
  () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))))"""


@pytest.mark.parametrize("width", [375, 1280])
def test_the_sign_in_looks_the_same_before_the_whole_stylesheet_has_come(
    browser: Browser, stack: RunningStack, width: int
):
    def sign_in_styles(*, whole_stylesheet: bool) -> list[Any]:
        context = new_context(browser, stack.console_url)
        try:
            page = context.new_page()
            page.set_viewport_size({"width": width, "height": 900})
            if not whole_stylesheet:
                page.route(re.compile(r"/assets/design-system-[^/]*\.css$"), lambda route: route.abort())
            page.goto(stack.console_url)
            expect(page.get_by_role("button", name="Log ind")).to_be_enabled()
            page.wait_for_load_state("networkidle")
            # and laid out again after the last stylesheet and font came: two frames after the fonts are ready
            page.evaluate(SETTLED)
            loaded = page.evaluate(SHEETS_WITH_RULES)
            assert loaded == (2 if whole_stylesheet else 1)
            styles: list[Any] = page.evaluate(COMPUTED_STYLES)
            return styles
        finally:
            context.close()

    # Given the sign-in with only the first stylesheet (cut to what it uses), and with the whole one after it
    first_only = sign_in_styles(whole_stylesheet=False)
    whole = sign_in_styles(whole_stylesheet=True)

    # Then every element is styled the same: the whole stylesheet changes nothing on it but the font
    assert len(first_only) == len(whole) > 20
    for before, after in zip(first_only, whole, strict=True):
        assert before[:2] == after[:2]
        changed = {p: (v, after[2].get(p)) for p, v in before[2].items() if after[2].get(p) != v}
        assert not changed, (before[:2], changed)


def test_from_application_to_a_colleague_who_sees_only_their_account(
    browser: Browser, page: Page, stack: RunningStack, request: pytest.FixtureRequest
):
    # Given a newcomer applies on the console, with two account numbers
    refused = watch_policy_violations(page)
    page.goto(stack.console_url)
    page.get_by_role("link", name="Ansøg om adgang").click()
    page.get_by_label("CVR-nummer").fill(CVR)
    page.get_by_label("Organisationens navn").fill(ORGANISATION)
    for number, name in (("1001", "Genbrug"), ("1002", "Besøgstjeneste")):
        page.get_by_role("button", name="Tilføj kontonummer").click()
        account = page.get_by_role("group", name=f"Konto {number[-1]}")
        account.get_by_label("Kontonummer").fill(number)
        account.get_by_label("Kontonavn").fill(name)
    page.get_by_label("Fornavn", exact=True).fill("Ida")
    page.get_by_label("Efternavn", exact=True).fill("Holm")
    page.get_by_label("E-mail", exact=True).fill("ida.holm@example.org")
    page.get_by_label("Mobilnummer", exact=True).fill("22334455")  # as Danes type it, kept as +4522334455
    page.get_by_role("button", name="Send ansøgning").click()
    expect(page.get_by_role("heading", name="Tak for ansøgningen")).to_be_visible()
    # the letter's deadline in Danish time, the Danish way
    expect(page.get_by_text(re.compile(r"senest \d{1,2}\. \w+ \d{4} kl\. \d{2}:\d{2}"))).to_be_visible()

    # When the letter arrives in the company's official mailbox (naming the company as the register does,
    # never by the name typed into the form)
    letter = mail_text(stack, f"(CVR {CVR})")
    assert ORGANISATION not in letter
    username = labelled_line(letter, "Brugernavn")
    activation_code = labelled_line(letter, "Aktiveringskode")

    # And the newcomer activates with it and chooses a password
    page.get_by_role("link", name="Log ind").click()
    page.get_by_role("link", name=re.compile("Aktivér din konto")).click()
    page.get_by_label("Brugernavn", exact=True).fill(username)
    page.get_by_label("Aktiveringskode").fill(activation_code)
    page.get_by_label("Adgangskode", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Aktivér").click()
    expect(page.get_by_text("Kontoen er aktiveret.")).to_be_visible()

    # And signs in, sets up the authenticator app from the QR code and signs in with its code
    enrol_and_sign_in(page, username, PASSWORD)

    # And staff approve the organisation
    approve(stack, ORGANISATION)

    # Then, on the tab Godkendelseskode opened again (it asks whether the organisation is approved now),
    # "Tilføj en ny kode" opens the form and "Tilføj ny kode" makes one
    page.get_by_role("tab", name="Stamdata").click()
    page.get_by_role("tab", name="Godkendelseskode").click()
    page.get_by_role("button", name="Tilføj en ny kode").click()
    page.get_by_label("Fornavn", exact=True).fill("Karen")
    page.get_by_label("Efternavn", exact=True).fill("Blixen")
    page.get_by_label("E-mail", exact=True).fill("karen@example.org")
    page.get_by_label("Kontonummer").select_option("1002")
    page.get_by_role("button", name="Tilføj ny kode").click()
    first = shown_code(page, "Din nye godkendelseskode")

    # And the copy button puts it on the clipboard
    page.get_by_role("button", name="Kopiér godkendelseskoden").click()
    expect(page.get_by_text("Koden er kopieret.").first).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == first
    row = page.get_by_role("row", name=re.compile("Karen Blixen"))
    expect(row).to_contain_text(first)
    expect(row).to_contain_text("Aktiv")

    # And "Opdater", once confirmed (the code is in use), replaces it with a new code
    page.get_by_role("button", name="Opdater: Karen Blixen").click()
    asking = page.get_by_role("dialog", name="Opdater en kode, der er i brug?")
    asking.get_by_role("button", name="Opdater").click()
    renewed = shown_code(page, "Godkendelseskoden er opdateret")
    assert renewed != first
    expect(row).to_contain_text(renewed)

    # And "Tilbagekald", once confirmed, leaves it listed as Tilbagekaldt
    page.get_by_role("button", name="Tilbagekald: Karen Blixen").click()
    dialog = page.get_by_role("dialog", name="Tilbagekald godkendelseskoden?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Tilbagekald").click()
    expect(dialog).to_be_hidden()
    expect(row).to_contain_text("Tilbagekaldt")
    page.get_by_label("Vis koder").select_option("revoked")
    expect(page.get_by_role("row", name=re.compile("Karen Blixen"))).to_contain_text("Tilbagekaldt")

    # And the only administrator cannot delete their own login: the refusal says why
    page.get_by_role("tab", name="Selvbetjeningsbrugere").click()
    page.get_by_role("button", name="Slet: Ida Holm").click()
    page.get_by_role("dialog", name="Slet brugeren?").get_by_role("button", name="Slet").click()
    expect(page.get_by_text(re.compile("sidste administrator"))).to_be_visible()

    # When the administrator creates a colleague through the wizard, limited to account 1002 and codes
    page.get_by_role("button", name="Opret selvbetjeningsbruger").click()
    page.get_by_label("Fornavn", exact=True).fill("Søren")
    page.get_by_label("Efternavn", exact=True).fill("Kierkegaard")
    page.get_by_label("E-mail", exact=True).fill("soeren@example.org")
    page.get_by_label("Mobilnummer", exact=True).fill("+4533445566")
    page.get_by_role("button", name="Næste").click()
    page.get_by_label(re.compile(f"CVR {CVR}")).check()
    page.get_by_role("button", name="Næste").click()
    page.get_by_label("Begrænset adgang").check()
    page.get_by_label(ACCOUNT_1002).check()
    page.get_by_role("button", name="Næste").click()
    page.get_by_label("Godkendelseskoder").check()
    page.get_by_role("button", name="Opret", exact=True).click()
    expect(page.get_by_text("Brugeren er oprettet.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Søren Kierkegaard"))).to_contain_text("Inviteret")
    page.get_by_role("button", name="Log ud").click()
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()

    # And the colleague accepts the invitation from the e-mail
    invitation = mail_text(stack, "Invitationskode", to="soeren@example.org")
    colleague = labelled_line(invitation, "Brugernavn")
    token = labelled_line(invitation, "Invitationskode")
    page.get_by_role("link", name=re.compile("Har du fået en invitation")).click()
    page.get_by_label("Invitationskode").fill(token)
    page.get_by_label("Adgangskode", exact=True).fill(COLLEAGUE_PASSWORD)
    page.get_by_role("button", name="Gem adgangskode").click()
    expect(page.get_by_text("Din adgangskode er gemt.")).to_be_visible()

    # And signs in, enrolling their own authenticator
    enrol_and_sign_in(page, colleague, COLLEAGUE_PASSWORD)

    # Then they see only what their function and scope allow: codes, and account 1002 alone
    tabs = page.get_by_role("tab")
    expect(tabs).to_have_text(["Godkendelseskode", re.compile(r"^Anmodninger"), "Stamdata"])
    page.get_by_role("button", name="Tilføj en ny kode").click()
    options = page.get_by_label("Kontonummer").locator("option")
    expect(options).to_have_text([ACCOUNT_1002])
    page.get_by_role("button", name="Annuller").click()
    page.get_by_role("tab", name="Stamdata").click()
    expect(page.get_by_role("cell", name="1002", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="1001", exact=True)).to_have_count(0)
    # And all along, the strict Content-Security-Policy refused nothing the console needed
    assert refused == []
