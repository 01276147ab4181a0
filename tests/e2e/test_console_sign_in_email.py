"""Signing in with the e-mail address, as a person does, in a real browser at a computer's and a phone's size,
by keyboard: the address and the password, then the authenticator's code as with the username (answered at
the API, never at Cognito's RespondToAuthChallenge, since the API began the sign-in); a wrong
password with an address is answered as one with a username; and *Glemt adgangskode?* works with the address,
the second factor still asked after it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from infra.local.totp import fresh_totp
from tests.e2e.axe import assert_accessible
from tests.e2e.browser import sized_page, watch_policy_violations
from tests.e2e.conftest import RunningStack
from tests.e2e.test_console_sign_in import demo_admin_password, mails, new_mail_text

pytestmark = pytest.mark.e2e

VIEWPORTS = [{"width": 1280, "height": 800}, {"width": 390, "height": 844}]
NEW_PASSWORD = "Adressen-Virker-2027"
WRONG = "Brugernavn eller adgangskode er forkert."

__all__ = ["demo_admin_password"]  # the fixture, used here by name


@pytest.fixture(params=VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from sized_page(browser, stack.console_url, request, "sign-in-email")


def address_of(stack: RunningStack, user: dict[str, Any]) -> str:
    """The login's e-mail address, as the user pool has it."""
    found = stack.cognito().admin_get_user(
        UserPoolId=stack.demo["cognito"]["user_pool_id"], Username=user["username"]
    )
    return next(str(a["Value"]) for a in found["UserAttributes"] if a["Name"] == "email")


def type_into(page: Page, label: str, text: str) -> None:
    """Focus the field by its label and put the text in it (Enter then submits from there, by keyboard)."""
    field = page.get_by_label(label, exact=True)
    field.focus()
    field.fill(text)


def sign_in_calls(page: Page) -> list[str]:
    """What the page asks of the API's sign-in routes and of Cognito, in order: the API's path, or Cognito's
    operation (its X-Amz-Target)."""
    calls: list[str] = []

    def seen(request: Request) -> None:
        if request.method != "POST":
            return
        target = request.headers.get("x-amz-target")
        if target:
            calls.append(target.rsplit(".", 1)[-1])
        elif "/v1/sign-in" in request.url:
            calls.append(urlparse(request.url).path)

    page.on("request", seen)
    return calls


def test_the_administrator_signs_in_with_her_e_mail_address_and_the_authenticator_code(
    page: Page, stack: RunningStack
):
    violations = watch_policy_violations(page)
    calls = sign_in_calls(page)
    # Given the demo organisation's administrator, and the sign-in
    admin = stack.demo["users"]["admin"]
    page.goto(stack.console_url)
    # (the field says that the address works too)
    expect(page.get_by_text("Eller din e-mailadresse")).to_be_visible()

    # When she types her e-mail address and her password
    type_into(page, "Brugernavn", address_of(stack, admin))
    type_into(page, "Adgangskode", admin["password"])
    page.keyboard.press("Enter")

    # Then she is asked for the authenticator's code, as with her username
    code = page.get_by_label("Engangskode")
    expect(code).to_be_focused()
    assert_accessible(page, "the code step after an e-mail address")
    # And a wrong code is answered as with her username, at the field
    page.keyboard.type("000000" if fresh_totp(admin["totp_secret"]) != "000000" else "111111")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Engangskoden blev ikke godkendt.").first).to_be_visible()
    # And with the right one, typed key by key into the field the message names, she is signed in (the
    # message keeps the focus it took when it appeared, not at every key), the header naming her, not her
    # username
    code.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(fresh_totp(admin["totp_secret"]))
    expect(code).to_be_focused()
    page.keyboard.press("Enter")
    header = page.get_by_role("banner")
    expect(header).to_contain_text("Logget ind som Anne Østergaard, Røde Kors Aarhus")
    expect(header).not_to_contain_text(admin["username"])
    assert violations == []
    # And both steps went to the API: Cognito was never asked to answer the challenge
    assert calls[:3] == ["/v1/sign-in", "/v1/sign-in/challenge", "/v1/sign-in/challenge"], calls
    assert "RespondToAuthChallenge" not in calls
    assert "InitiateAuth" not in calls


def test_a_wrong_password_with_an_address_is_answered_as_one_with_a_username(page: Page, stack: RunningStack):
    # Given the sign-in
    admin = stack.demo["users"]["admin"]
    page.goto(stack.console_url)

    # When a wrong password is typed with the username, and then with the e-mail address
    said = []
    for name in (admin["username"], address_of(stack, admin)):
        type_into(page, "Brugernavn", name)
        type_into(page, "Adgangskode", "Forkert-Adgang-2026")
        page.keyboard.press("Enter")
        expect(page.get_by_text(WRONG).first).to_be_visible()
        said.append(page.get_by_role("main").inner_text())
        assert_accessible(page, f"a wrong password with {'an address' if '@' in name else 'a username'}")

    # Then the page says the same, word for word, and no code is asked for
    assert said[0] == said[1]
    expect(page.get_by_label("Engangskode")).to_have_count(0)


@pytest.mark.parametrize("page", [VIEWPORTS[0]], indirect=True, ids=["1280x800"])
def test_glemt_adgangskode_with_the_address_sets_a_new_password_and_the_code_is_still_asked(
    page: Page, stack: RunningStack, demo_admin_password: None
):
    admin = stack.demo["users"]["admin"]
    address = address_of(stack, admin)
    # Given Glemt adgangskode?, with her e-mail address typed
    page.goto(stack.console_url)
    page.get_by_role("link", name="Glemt adgangskode?").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Glemt adgangskode")).to_be_visible()
    before = mails(stack)
    type_into(page, "Brugernavn", address)
    page.keyboard.press("Enter")

    # Then the page says a code is on its way, and it is mailed to her address
    expect(page.get_by_role("status").filter(has_text="Hvis der findes et login")).to_be_visible()
    assert_accessible(page, "Glemt adgangskode? after an e-mail address")
    found = re.search(r"\b(\d{6})\b", new_mail_text(stack, before, address))
    assert found
    # When she types a wrong code, she is told so at the field
    type_into(page, "Kode fra e-mailen", "000000" if found.group(1) != "000000" else "111111")
    type_into(page, "Ny adgangskode", NEW_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Koden er forkert. Tjek koden i e-mailen.").first).to_be_visible()
    # And with the mailed code her new password is saved
    type_into(page, "Kode fra e-mailen", found.group(1))
    type_into(page, "Ny adgangskode", NEW_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Din nye adgangskode er gemt.")).to_be_visible()

    # And signing in with the address and the new password still asks for the authenticator's code
    type_into(page, "Brugernavn", address)
    type_into(page, "Adgangskode", NEW_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Engangskode")).to_be_focused()
    page.keyboard.type(fresh_totp(admin["totp_secret"]))
    page.keyboard.press("Enter")
    expect(page.get_by_role("banner")).to_contain_text("Logget ind som Anne Østergaard")
