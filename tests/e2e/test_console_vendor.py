"""Leverandør, the vendor console, in Chromium at a desktop's and a phone's size: staff create a vendor with a
contact; the contact accepts the invitation from the mail's link, enrols an authenticator, signs in and sees
Leverandør (never Min konto or Sagsbehandling), makes a key shown once, the key validates a code, and the key
revoked in the console is refused on the very next check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from infra.local.signin import sign_in
from infra.local.totp import fresh_totp
from tests.e2e.axe import assert_accessible
from tests.e2e.browser import page_of_its_own, watch_policy_violations
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

VIEWPORTS = [
    pytest.param({"width": 1280, "height": 800}, id="1280x800"),
    pytest.param({"width": 390, "height": 844}, id="390x844"),
]
PASSWORD = "Leverandor-Login-Odense-2026"


@pytest.fixture
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from page_of_its_own(browser, stack.console_url, request)


def token_of(stack: RunningStack, who: str) -> str:
    user = stack.demo["users"][who]
    client_id = stack.demo["cognito"]["client_id"]
    return sign_in(stack.cognito(), client_id, user["username"], user["password"], user["totp_secret"])


def api(stack: RunningStack, method: str, path: str, token: str | None, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, f"{stack.api}{path}", headers=headers, timeout=10, **kwargs)


def a_vendor_with_a_contact(stack: RunningStack, email: str, name: str) -> None:
    contact = {"first_name": "Mette", "last_name": "Holm", "email": email, "mobile": "+45 20 30 40 50"}
    body = {"name": name, "contact_email": email, "contact": contact}
    created = api(stack, "POST", "/v1/staff/vendors", token_of(stack, "staff"), json=body)
    assert created.status_code == 201, created.text


def a_demo_code(stack: RunningStack) -> str:
    admin = token_of(stack, "admin")
    company = api(stack, "GET", "/v1/me", admin).json()["companies"][0]
    body = {
        "first_name": "Rasmus",
        "last_name": "Frivillig",
        "email": "rasmus.leverandor@example.org",
        "company": company["cvr"],
        "account": company["accounts"][0]["number"],
        "notify": False,
    }
    created = api(stack, "POST", "/v1/codes", admin, json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["code"])


def label_cell(label: str) -> re.Pattern[str]:
    """The key's name cell; at a phone's size a cell also says its column's name."""
    return re.compile(rf"^(Navn på nøglen )?{re.escape(label)}$")


def validate(stack: RunningStack, api_key: str, code: str) -> requests.Response:
    return api(stack, "POST", "/v1/validations", api_key, json={"code": code})


def accept_from_the_mail(page: Page, stack: RunningStack, email: str) -> str:
    """Opens the invitation mail's link, chooses a password; answers the username from the mail."""
    mail = stack.mail_containing("leverandørkonsol", seconds=30, to=email)
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    text = str(body.get_content())
    username = re.search(r"^Brugernavn: (\S+)\r?$", text, re.MULTILINE).group(1)  # type: ignore[union-attr]
    [link] = [u for u in re.findall(r"https?://\S+", text) if "/invitation" in u]
    page.goto(link)
    expect(page.get_by_role("heading", name="Vælg adgangskode")).to_be_visible()
    page.get_by_label("Adgangskode", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Gem adgangskode").click()
    expect(page.get_by_text("Din adgangskode er gemt.")).to_be_visible()
    return username


def sign_in_with_password(page: Page, username: str) -> None:
    page.get_by_label("Brugernavn", exact=True).fill(username)
    page.get_by_label("Adgangskode", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()


def enrol_and_sign_in(page: Page, stack: RunningStack, username: str) -> None:
    page.goto(stack.console_url)
    sign_in_with_password(page, username)
    expect(page.get_by_role("heading", name="Opsæt godkendelsesapp")).to_be_visible()
    secret = page.get_by_label("Kan du ikke scanne?").input_value()
    page.get_by_label("Engangskode").fill(fresh_totp(secret))
    page.get_by_role("button", name="Bekræft").click()
    expect(page.get_by_text("Log ind igen med din nye godkendelsesapp.")).to_be_visible()
    sign_in_with_password(page, username)
    page.get_by_label("Engangskode").fill(fresh_totp(secret))
    page.get_by_role("button", name="Log ind").click()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_vendors_contact_signs_in_to_leverandor_makes_a_key_and_revokes_it(
    page: Page, stack: RunningStack, viewport: dict[str, int]
):
    page.set_viewport_size({"width": viewport["width"], "height": viewport["height"]})
    refused = watch_policy_violations(page)
    # Given a vendor staff created with a contact, and a demo organisation's code
    email = f"mette.{viewport['width']}@leverandor.example"
    vendor = f"Kasseland {viewport['width']} ApS"
    a_vendor_with_a_contact(stack, email, vendor)
    code = a_demo_code(stack)

    # When the contact accepts the invitation from the mail's link, enrols and signs in
    username = accept_from_the_mail(page, stack, email)
    enrol_and_sign_in(page, stack, username)

    # Then they see Leverandør for their vendor, never Min konto or Sagsbehandling
    expect(page.get_by_role("heading", name="Leverandør", exact=True)).to_be_visible()
    expect(page.get_by_text(f"Du er logget ind for {vendor}.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Min konto|Sagsbehandling"))).to_have_count(0)
    # (the key staff made with the vendor, which has no name)
    expect(page.get_by_role("cell", name=label_cell("Uden navn"))).to_be_visible()
    assert_accessible(page, f"Leverandør at {viewport['width']}")

    # When they make a key named "Kasse 1" with the keyboard
    page.get_by_label("Navn på nøglen").focus()
    page.keyboard.type("Kasse 1")
    page.keyboard.press("Enter")

    # Then it is shown once, with Kopiér, and it validates the code
    shown = page.get_by_label("Ny API-nøgle", exact=True)
    expect(shown).to_be_focused()
    api_key = shown.inner_text().strip()
    assert api_key.startswith("gkv_")
    expect(page.get_by_role("button", name="Kopiér", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name=label_cell("Kasse 1"))).to_be_visible()
    # And the list says who made it, for colleagues deciding what to revoke
    made_by = (
        page.get_by_role("row")
        .filter(has_text="Kasse 1")
        .get_by_role("cell", name=re.compile("^(Oprettet af )?Mette Holm$"))
    )
    expect(made_by).to_be_visible()
    checked = validate(stack, api_key, code)
    assert checked.status_code == 200, checked.text
    assert checked.json()["valid"] is True

    # When they choose Spær nøgle for it
    page.get_by_role("button", name="Spær nøgle: Kasse 1").click()

    # Then a dialog asks first, opened on Annuller
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Spær nøglen »Kasse 1«?")).to_be_visible()
    expect(dialog.get_by_role("button", name="Annuller")).to_be_focused()
    assert_accessible(page, f"Spær nøgle dialog at {viewport['width']}", "[role=dialog]")
    # And confirming revokes it: the very next check is refused
    dialog.get_by_role("button", name="Spær nøgle").click()
    expect(page.get_by_text("Nøglen »Kasse 1« er spærret.")).to_be_visible()
    expect(page.get_by_role("button", name="Spær nøgle: Kasse 1")).to_have_count(0)
    after = validate(stack, api_key, code)
    assert after.status_code == 401, after.text

    # When they make a test key
    page.get_by_label("Navn på nøglen").fill("Udvikling")
    page.get_by_label(re.compile("^Test: tjekker kun Godkends testkoder")).check()
    page.get_by_role("button", name="Opret nøgle").click()

    # Then it is a test key: the documented valid test code answers with livemode false, and a real
    # organisation's code is unknown to it
    shown = page.get_by_label("Ny API-nøgle", exact=True)
    expect(shown).to_contain_text("gkv_test_")
    test_key = shown.inner_text().strip()
    row = page.get_by_role("row").filter(has_text="Udvikling")
    # (on a phone a card's cell says its column too)
    expect(row.get_by_role("cell", name=re.compile("^(Nøgletype )?Test$"))).to_be_visible()
    valid = validate(stack, test_key, "valid000@GodkendTest").json()
    assert (valid["valid"], valid["livemode"]) == (True, False)
    real = validate(stack, test_key, code).json()
    assert (real["valid"], real["reason"], real["livemode"]) == (False, "unknown", False)
    assert refused == []


def test_leverandor_speaks_english_on_request(page: Page, stack: RunningStack):
    # Given a vendor's contact, signed in to Leverandør
    email = "mette.english@leverandor.example"
    a_vendor_with_a_contact(stack, email, "Till Works ApS")
    username = accept_from_the_mail(page, stack, email)
    enrol_and_sign_in(page, stack, username)
    expect(page.get_by_role("heading", name="Leverandør", exact=True)).to_be_visible()

    # When they switch to English
    page.get_by_role("button", name=re.compile("English")).first.click()

    # Then the page speaks English
    expect(page.get_by_role("heading", name="Vendor", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Create key")).to_be_visible()
