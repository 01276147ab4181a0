"""Signing in as a person does, in a real browser at a computer's and a phone's size, by keyboard: the header
names who is signed in and for which organisation; *Glemt adgangskode?* mails a code (the emulator mails it as
Cognito does, into the local mail folder) and the next sign-in still asks for the authenticator's code; a
stranger's name is answered as a known one; and a lost authenticator shows the way to support."""

from __future__ import annotations

import email
import re
import time
from collections.abc import Iterator
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from infra.local.totp import fresh_totp
from tests.e2e.browser import sign_in_as_demo, sized_page, watch_policy_violations
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

VIEWPORTS = [{"width": 1280, "height": 800}, {"width": 390, "height": 844}]
NEW_PASSWORD = "Glemt-Og-Fundet-2027"
# make run's support contact (infra/local/console.py)
SUPPORT_EMAIL = "support@godkend.example"
SUPPORT_PHONE = "+45 70 00 00 00"

FOCUSED_TEXT = "() => (document.activeElement.textContent || '').trim()"


@pytest.fixture(params=VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from sized_page(browser, stack.console_url, request, "sign-in")


@pytest.fixture
def demo_admin_password(stack: RunningStack) -> Iterator[None]:
    """The demo administrator's password is put back afterwards: the other modules sign in with it."""
    user = stack.demo["users"]["admin"]
    yield
    stack.cognito().admin_set_user_password(
        UserPoolId=stack.demo["cognito"]["user_pool_id"],
        Username=user["username"],
        Password=user["password"],
        Permanent=True,
    )


def tab_to(page: Page, name: str) -> None:
    """Presses Tab until the element whose text is `name` has focus, as a keyboard user gets there."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_TEXT) == name:
            return
    pytest.fail(f"Tab never reached {name!r}")


def mails(stack: RunningStack) -> list[Path]:
    return sorted((stack.state_dir / "mail").glob("*.eml"))


def new_mail_text(stack: RunningStack, before: list[Path], to: str, seconds: float = 15) -> str:
    """The text of the first mail to `to` that was not in the folder `before`, waiting for it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in mails(stack):
            if path in before:
                continue
            message = email.message_from_bytes(path.read_bytes(), policy=default)
            body = message.get_body(preferencelist=("plain",))
            if body is not None and to in str(message["To"]):
                return str(body.get_content())
        time.sleep(0.2)
    raise AssertionError(f"no new mail to {to} within {seconds} s")


def to_the_otp_step(page: Page, user: dict[str, Any], password: str) -> None:
    page.get_by_label("Brugernavn", exact=True).fill(user["username"])
    page.get_by_label("Adgangskode", exact=True).fill(password)
    page.get_by_label("Adgangskode", exact=True).press("Enter")
    expect(page.get_by_label("Engangskode")).to_be_focused()


def test_the_header_names_the_person_and_the_organisation_never_the_username(page: Page, stack: RunningStack):
    violations = watch_policy_violations(page)
    # Given the demo organisation's administrator
    admin = stack.demo["users"]["admin"]
    page.goto(stack.console_url)

    # When she signs in
    sign_in_as_demo(page, stack.demo)

    # Then the header names her and her organisation, and her username is nowhere in it
    header = page.get_by_role("banner")
    expect(header).to_contain_text("Logget ind som Anne Østergaard, Røde Kors Aarhus")
    expect(header).not_to_contain_text(admin["username"])
    # And it says so in English on request
    header.get_by_role("button", name="Skift sprog til engelsk").click()
    expect(header).to_contain_text("Signed in as Anne Østergaard, Røde Kors Aarhus")
    assert violations == []


def test_the_header_names_a_staff_member_who_has_no_organisation(page: Page, stack: RunningStack):
    # Given the operator's staff member
    page.goto(stack.console_url)

    # When he signs in
    sign_in_as_demo(page, stack.demo, "staff")

    # Then the header names him, and no id
    header = page.get_by_role("banner")
    expect(header).to_contain_text("Logget ind som Søren Sagsbehandler")
    expect(header).not_to_contain_text(stack.demo["users"]["staff"]["username"])


def test_glemt_adgangskode_sets_a_new_password_and_the_second_factor_is_still_asked(
    page: Page, stack: RunningStack, demo_admin_password: None
):
    violations = watch_policy_violations(page)
    admin = stack.demo["users"]["admin"]
    address = "anne@roedekors-aarhus.example"
    # Given the sign-in, with the username typed and the password forgotten
    page.goto(stack.console_url)
    page.get_by_label("Brugernavn", exact=True).fill(admin["username"])

    # When she follows Glemt adgangskode? by keyboard and asks for a code
    tab_to(page, "Glemt adgangskode?")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Glemt adgangskode")).to_be_visible()
    expect(page).to_have_title("Glemt adgangskode \N{EN DASH} Godkend")
    # (a new page: the keyboard starts at its content, and its first field is one Tab on)
    page.keyboard.press("Tab")
    name = page.get_by_label("Brugernavn", exact=True)
    expect(name).to_be_focused()
    expect(name).to_have_value(admin["username"])
    before = mails(stack)
    name.press("Enter")

    # Then the page says a code is on its way, and it is mailed to her address in Danish
    expect(page.get_by_role("status").filter(has_text="Hvis der findes et login")).to_be_visible()
    text = new_mail_text(stack, before, address)
    assert "Din kode til at vælge en ny adgangskode i Godkend er" in text
    found = re.search(r"\b(\d{6})\b", text)
    assert found, text
    code = found.group(1)

    # When she types a wrong code, she is told so at the field
    expect(page.get_by_label("Kode fra e-mailen")).to_be_focused()
    page.get_by_label("Kode fra e-mailen").fill("000000" if code != "000000" else "111111")
    page.get_by_label("Ny adgangskode").fill(NEW_PASSWORD)
    page.get_by_label("Ny adgangskode").press("Enter")
    expect(page.get_by_text("Koden er forkert. Tjek koden i e-mailen.").first).to_be_visible()

    # When she types the mailed code and a new password
    page.get_by_label("Kode fra e-mailen").fill(code)
    page.get_by_label("Ny adgangskode").fill(NEW_PASSWORD)
    page.get_by_label("Ny adgangskode").press("Enter")

    # Then she is back at the sign-in, told to sign in with the new password
    expect(page.get_by_text("Din nye adgangskode er gemt.")).to_be_visible()
    # And the old password no longer works
    page.get_by_label("Adgangskode", exact=True).fill(admin["password"])
    page.get_by_label("Adgangskode", exact=True).press("Enter")
    expect(page.get_by_text("Brugernavn eller adgangskode er forkert.").first).to_be_visible()
    # And the new one leads to the authenticator's code, not straight in
    to_the_otp_step(page, admin, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Min konto")).to_have_count(0)
    page.get_by_label("Engangskode").fill(fresh_totp(admin["totp_secret"]))
    page.get_by_label("Engangskode").press("Enter")
    expect(page.get_by_role("banner")).to_contain_text("Logget ind som Anne Østergaard")
    assert violations == []


def test_glemt_adgangskode_answers_a_name_nobody_has_as_a_known_one(page: Page, stack: RunningStack):
    # Given Glemt adgangskode?
    page.goto(stack.console_url)
    tab_to(page, "Glemt adgangskode?")
    page.keyboard.press("Enter")
    before = mails(stack)

    # When a stranger asks for a code for a name no login has
    page.get_by_label("Brugernavn", exact=True).fill("adm-nobody00")
    page.get_by_label("Brugernavn", exact=True).press("Enter")

    # Then the page says what it says to anyone, and asks for the code; no mail goes anywhere
    expect(page.get_by_role("status").filter(has_text="Hvis der findes et login")).to_be_visible()
    expect(page.get_by_label("Kode fra e-mailen")).to_be_visible()
    time.sleep(1)
    assert mails(stack) == before


def test_a_lost_authenticator_is_shown_the_way_to_support(page: Page, stack: RunningStack):
    # Given the sign-in's step that asks for the authenticator's code
    admin = stack.demo["users"]["admin"]
    page.goto(stack.console_url)
    to_the_otp_step(page, admin, admin["password"])

    # When the person without their app opens "Har du mistet din godkendelsesapp?" by keyboard
    tab_to(page, "Har du mistet din godkendelsesapp?")
    page.keyboard.press("Enter")

    # Then the way forward is support, with its e-mail and telephone as links
    main = page.get_by_role("main")
    expect(main.get_by_text("Kontakt support")).to_be_visible()
    expect(main.get_by_role("link", name=SUPPORT_EMAIL)).to_have_attribute("href", f"mailto:{SUPPORT_EMAIL}")
    expect(main.get_by_role("link", name=SUPPORT_PHONE)).to_be_visible()
    # And nothing on the page scrolls sideways at this size
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
