"""axe-core on every page and dialog of the console, at a computer's and a phone's size, in Danish and in
English: zero violations of any impact.

Each test walks one kind of person's pages (a stranger's, an account holder's, staff's) and checks every page,
state and dialog it reaches, so a failure lists everything found on the way, page by page, not just the first.
`test_every_path_of_the_console_is_walked` holds the walk to the console's own list of paths: a new page
without an axe check here fails it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from infra.local.totp import fresh_totp
from tests.e2e.axe import describe, violations
from tests.e2e.browser import sign_in_as_demo, sized_page
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

VIEWPORTS = [{"width": 1280, "height": 800}, {"width": 390, "height": 844}]
ROUTER = Path(__file__).resolve().parents[2] / "web" / "src" / "router.ts"

# The console's paths this module walks (web/src/router.ts's PATHS), each by the test that visits it.
WALKED = {
    "/": "strangers",
    "/ansoeg": "strangers",
    "/aktiver": "strangers",
    "/invitation": "strangers",
    "/glemt-adgangskode": "strangers",
    "/kontakt-support": "strangers",
    # Without a link's secret here; with one in tests/e2e/test_console_renewal_requests.py
    "/anmodning": "strangers",
    # Without a check's id here; with one in tests/e2e/test_console_hosted_check.py
    "/kontrol": "strangers",
    "/tilgaengelighed": "strangers",
    "/privatliv": "strangers",
    "/cookies": "strangers",
    # Swagger UI's own landmarks and headings aside: tests/e2e/test_console_api_reference.py
    "/docs": "the API reference",
    "/min-konto": "account holders",
    "/min-konto/skift-adgangskode": "account holders",
}


class Audit:
    """What axe-core found on each page and dialog of one walk."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.found: dict[str, str] = {}
        self.checked: list[str] = []

    def check(self, where: str, scope: str | None = None) -> None:
        self.checked.append(where)
        found = violations(self.page, scope)
        if found:
            self.found[where] = describe(found)

    def assert_clean(self) -> None:
        report = "\n\n".join(f"== {where}\n{what}" for where, what in self.found.items())
        count = f"{len(self.found)} of {len(self.checked)}"
        assert not self.found, f"axe-core found violations on {count}:\n{report}"


@pytest.fixture(params=VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from sized_page(browser, stack.console_url, request, "axe")


def go(page: Page, stack: RunningStack, path: str) -> None:
    page.goto(stack.console_url + path)
    expect(page.locator("main h1").first).to_be_visible()


def in_english(page: Page) -> None:
    page.get_by_role("button", name="Skift sprog til engelsk").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_every_path_of_the_console_is_walked():
    # Given the console's own list of paths
    declared = ROUTER.read_text(encoding="utf-8").split("export const PATHS")[1].split("} as const")[0]
    paths = set(re.findall(r':\s*"(/[^"]*)"', declared))

    # Then each is walked by a test of this module
    assert paths == set(WALKED), f"paths without an axe check: {sorted(paths - set(WALKED))}"


def test_a_strangers_pages_have_no_violations(page: Page, stack: RunningStack):
    audit = Audit(page)
    # The sign-in, empty and after a wrong password
    go(page, stack, "/")
    audit.check("Log ind")
    page.get_by_label("Brugernavn", exact=True).fill("nobody")
    page.get_by_label("Adgangskode", exact=True).fill("not the password")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    audit.check("Log ind, wrong password")

    # The application form, empty and sent empty
    go(page, stack, "/ansoeg")
    audit.check("Ansøg")
    page.get_by_role("button", name="Send ansøgning").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    audit.check("Ansøg, with errors")

    for path, name in [
        ("/aktiver", "Aktivér"),
        ("/invitation", "Invitation"),
        ("/glemt-adgangskode", "Glemt adgangskode"),
        ("/kontakt-support", "Kontakt support"),
        ("/anmodning", "Bed om en ny kode, without a link"),
        ("/kontrol", "Vis din godkendelseskode, without a check"),
        ("/tilgaengelighed", "Tilgængelighedserklæring"),
        ("/privatliv", "Privatliv"),
        ("/cookies", "Cookies"),
        ("/findes-ikke", "Siden findes ikke"),
    ]:
        go(page, stack, path)
        audit.check(name)

    # And the same in English
    go(page, stack, "/")
    in_english(page)
    audit.check("Sign in (English)")
    go(page, stack, "/ansoeg")
    audit.check("Apply (English)")
    audit.assert_clean()


def test_an_account_holders_pages_and_dialogs_have_no_violations(page: Page, stack: RunningStack):
    audit = Audit(page)
    go(page, stack, "/")
    # The second factor's step
    user = stack.demo["users"]["admin"]
    page.get_by_label("Brugernavn", exact=True).fill(user["username"])
    page.get_by_label("Adgangskode", exact=True).fill(user["password"])
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_label("Engangskode")).to_be_visible()
    audit.check("Log ind, second factor")
    page.get_by_text("Har du mistet din godkendelsesapp?").click()
    audit.check("Log ind, second factor, the way on without the app")
    page.get_by_label("Engangskode").fill(fresh_totp(user["totp_secret"]))
    page.get_by_role("button", name="Log ind").click()

    # Every tab of Min konto
    for tab in [
        "Godkendelseskode",
        "Anmodninger",
        "Selvbetjeningsbrugere",
        "Stamdata",
        "Valideringshistorik",
        "Log",
    ]:
        page.get_by_role("tab", name=tab).click()
        expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
        expect(page.locator("[aria-busy=true]")).to_have_count(0)
        audit.check(f"Min konto: {tab}")

    # The code form, and the revocation's dialog
    page.get_by_role("tab", name="Godkendelseskode").click()
    page.get_by_role("button", name="Tilføj en ny kode").click()
    expect(page.get_by_label("Fornavn")).to_be_visible()
    audit.check("Tilføj en ny kode")
    page.get_by_role("button", name="Tilføj ny kode").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    audit.check("Tilføj en ny kode, with errors")
    # A representative no other module names: the demo organisation's codes list is shared with them
    wide = page.viewport_size is not None and page.viewport_size["width"] > 800
    last_name = "Ditlevsen-Bred" if wide else "Ditlevsen-Smal"
    who = f"Tove {last_name}"
    page.get_by_label("Fornavn", exact=True).fill("Tove")
    page.get_by_label("Efternavn", exact=True).fill(last_name)
    page.get_by_label("E-mail", exact=True).fill(f"tove.{last_name.lower()}@example.org")
    page.get_by_role("button", name="Tilføj ny kode").click()
    expect(page.get_by_role("button", name=f"Kopiér: {who}", exact=True).first).to_be_visible()
    audit.check("Godkendelseskode, a new code")
    for action, dialog in [("Opdater", "Opdater, dialog"), ("Tilbagekald", "Tilbagekald, dialog")]:
        page.get_by_role("button", name=f"{action}: {who}", exact=True).first.click()
        expect(page.get_by_role("dialog")).to_be_visible()
        audit.check(dialog)
        page.get_by_role("dialog").get_by_role("button", name="Annuller").click()

    # The new user's wizard, its first step sent empty
    page.get_by_role("tab", name="Selvbetjeningsbrugere").click()
    page.get_by_role("button", name="Opret selvbetjeningsbruger").click()
    audit.check("Opret selvbetjeningsbruger, step 1")
    page.get_by_role("button", name="Næste").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    audit.check("Opret selvbetjeningsbruger, step 1 with errors")

    # Change password
    go(page, stack, "/min-konto/skift-adgangskode")
    audit.check("Skift adgangskode")

    # The same in English
    go(page, stack, "/min-konto")
    in_english(page)
    audit.check("My account (English)")
    audit.assert_clean()


def test_staffs_pages_and_dialogs_have_no_violations(page: Page, stack: RunningStack):
    audit = Audit(page)
    go(page, stack, "/")
    sign_in_as_demo(page, stack.demo, "staff")
    page.get_by_role("link", name="Sagsbehandling").click()
    tabs = page.get_by_role("tab")
    expect(tabs.first).to_be_visible()
    for name in [tabs.nth(i).inner_text().strip() for i in range(tabs.count())]:
        page.get_by_role("tab", name=name).click()
        expect(page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")
        expect(page.locator("[aria-busy=true]")).to_have_count(0)
        audit.check(f"Sagsbehandling: {name}")

    # The organisation search, a login's removal dialog
    page.get_by_role("tab", name="Support").click()
    page.get_by_label(re.compile("^CVR-nummer")).fill("29180008")
    page.get_by_role("button", name="Søg").click()
    expect(page.get_by_role("table", name="Logins")).to_be_visible()
    audit.check("Support, an organisation found")
    page.get_by_role("button", name=re.compile("^Fjern login: ")).first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    audit.check("Fjern login, dialog")
    page.get_by_role("dialog").get_by_role("button", name="Annuller").click()

    # A vendor's keys: a new key shown once, and the dialog that revokes one
    page.get_by_role("tab", name="Leverandører").click()
    page.get_by_role("button", name="Udsted ny nøgle: TechShop Demo ApS").click()
    expect(page.get_by_role("button", name="Kopiér API-nøglen")).to_be_visible()
    audit.check("Leverandører, a new key")
    page.get_by_role("button", name=re.compile("^Spær nøgle: TechShop Demo ApS")).first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    audit.check("Spær nøgle, dialog")
    page.get_by_role("dialog").get_by_role("button", name="Annuller").click()
    page.get_by_role("button", name="Opret leverandør").click()
    audit.check("Opret leverandør")
    audit.assert_clean()
