"""Where mails and letters lead, in Chromium at a desktop's and a phone's size: the invitation's link opens
its page with the code filled in (and gone from the address), and the application's receipt says what
happens next, with a reference, and never both that a letter comes and that none does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from infra.local.signin import sign_in
from tests.e2e.browser import finish_page, new_context, sign_in_as_demo, watch_policy_violations
from tests.e2e.conftest import RunningStack
from tests.e2e.register import RECEIPT

pytestmark = pytest.mark.e2e

VIEWPORTS = [
    pytest.param({"width": 1280, "height": 800}, id="1280x800"),
    pytest.param({"width": 390, "height": 844}, id="390x844"),
]
PASSWORD = "Invitation-Fra-Mailen-2026"


@pytest.fixture
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    viewport = request.node.callspec.params["viewport"]
    context = new_context(browser, stack.console_url)
    page = context.new_page()
    page.set_viewport_size(viewport)
    yield page
    finish_page(request, page, request.node.name)
    context.close()


def invite(stack: RunningStack, email: str) -> str:
    """The demo administrator creates a colleague's login; the username."""
    demo = stack.demo["users"]["admin"]
    token = sign_in(
        stack.cognito(),
        stack.demo["cognito"]["client_id"],
        demo["username"],
        demo["password"],
        demo["totp_secret"],
    )
    headers = {"Authorization": f"Bearer {token}"}
    me = requests.get(f"{stack.api}/v1/me", headers=headers, timeout=10).json()
    company = me["companies"][0]
    body: dict[str, Any] = {
        "first_name": "Sif",
        "last_name": "Kollega",
        "email": email,
        "mobile": "+45 40 50 60 71",
        "functions": ["codes"],
        "companies": [{"cvr": company["cvr"], "access": "full"}],
    }
    created = requests.post(f"{stack.api}/v1/users", headers=headers, json=body, timeout=10)
    assert created.status_code == 201, created.text
    return str(created.json()["username"])


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_invitations_link_opens_its_page_with_the_code_filled_in_and_a_password_finishes_it(
    page: Page, stack: RunningStack, viewport: dict[str, int]
):
    # Given an invitation mailed to a new colleague
    email = f"sif.{viewport['width']}@example.org"
    username = invite(stack, email)
    mail = stack.mail_containing(f"Brugernavn: {username}", to=email)
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    code = re.search(r"^Invitationskode: (\S+)\r?$", text, re.MULTILINE).group(1)  # type: ignore[union-attr]
    [link] = [u for u in re.findall(r"https?://\S+", text) if "/invitation" in u]
    # whose link carries the code in the fragment only, and leads to this stack's console
    parts = urlsplit(link)
    assert (parts.path, parts.query, parts.fragment) == ("/invitation", "", f"kode={code}")
    assert link.startswith(stack.console_url)

    # When the colleague opens the link
    refused = watch_policy_violations(page)
    page.goto(link)

    # Then the page is the one the mail names, with the code filled in and gone from the address bar
    expect(page.get_by_role("heading", name="Vælg adgangskode")).to_be_visible()
    expect(page.get_by_label("Invitationskode")).to_have_value(code)
    assert "#" not in page.url
    assert code not in page.url
    # And choosing a password with the keyboard alone finishes it; each step is checked where it happens, so
    # that a password lost on its way says whether it never reached the field or was taken from it later
    password = page.get_by_label("Adgangskode", exact=True)
    password.focus()
    expect(password).to_be_focused()
    page.keyboard.type(PASSWORD)
    expect(password).to_have_value(PASSWORD)
    page.get_by_role("button", name="Gem adgangskode").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Din adgangskode er gemt.")).to_be_visible()
    assert refused == []


CODE = "7K2M9XQ4ABCDEFGH"
MAIL_LINK_PAGES = [
    # the link, the page's heading, what the link fills in, and what the person types: label -> value
    pytest.param(
        f"/invitation#kode={CODE}",
        "Vælg adgangskode",
        {"Invitationskode": ("Invitation code", CODE)},
        {"Adgangskode": ("Password", PASSWORD)},
        id="invitation",
    ),
    pytest.param(
        "/aktiver#brugernavn=asta-thisted",
        "Aktivér din konto",
        {"Brugernavn": ("Username", "asta-thisted")},
        {"Aktiveringskode": ("Activation code", "ABCD-EFGH"), "Adgangskode": ("Password", PASSWORD)},
        id="activation",
    ),
    pytest.param(
        "/glemt-adgangskode",
        "Glemt adgangskode",
        {},
        {"Brugernavn": ("Username", "asta-thisted")},
        id="password-reset",
    ),
]


@pytest.mark.parametrize("viewport", VIEWPORTS[1:])
@pytest.mark.parametrize(("path", "heading", "filled", "typed"), MAIL_LINK_PAGES)
def test_what_is_typed_on_a_mail_links_page_stays_when_the_page_is_drawn_again_in_another_language(
    page: Page,
    stack: RunningStack,
    viewport: dict[str, int],
    path: str,
    heading: str,
    filled: dict[str, tuple[str, str]],
    typed: dict[str, tuple[str, str]],
):
    # Given a mail link's page, opened from its link, with the person's own words typed into its fields
    page.goto(f"{stack.console_url}{path}")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    for label, (_, value) in typed.items():
        page.get_by_label(label, exact=True).focus()
        page.keyboard.type(value)

    # When the page is drawn again in English (the words arrive while the form is on the page)
    page.get_by_role("button", name="English").click()

    # Then every field still holds what the link filled in and what the person typed
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for english, value in [*filled.values(), *typed.values()]:
        expect(page.get_by_label(english, exact=True)).to_have_value(value)


def apply_for(page: Page, stack: RunningStack, email: str) -> None:
    page.goto(stack.console_url)
    page.get_by_role("link", name="Ansøg om adgang").click()
    page.get_by_label("CVR-nummer").fill(RECEIPT.cvr)
    page.get_by_label("Organisationens navn").fill(RECEIPT.name)
    page.get_by_label("Fornavn", exact=True).fill("Asta")
    page.get_by_label("Efternavn", exact=True).fill("Thisted")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Mobilnummer", exact=True).fill("22334466")
    page.get_by_role("button", name="Send ansøgning").click()
    expect(page.get_by_role("heading", name="Tak for ansøgningen")).to_be_visible()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_receipt_gives_next_steps_and_a_reference_and_never_says_both_letter_and_no_letter(
    page: Page, stack: RunningStack, viewport: dict[str, int]
):
    # Given an application, and the very same form sent again
    for attempt in ("first", "again"):
        apply_for(page, stack, "asta.thisted@example.org")
        receipt = page.get_by_role("main")
        words = " ".join(receipt.inner_text().split())

        # Then the receipt says when the letter comes, or that the earlier one comes, never both
        due = re.search(r"senest \d{1,2}\. \w+ \d{4} kl\. \d{2}:\d{2}", words)
        assert due, words
        says_sent = "sendes til virksomhedens e-Boks senest" in words
        says_none = "ikke et brev mere" in words
        assert says_sent != says_none, (attempt, words)
        if attempt == "again":
            assert says_none, words
        # with a reference to give support
        reference = re.compile(r"Referencenummer: [0-9A-F]{4}-[0-9A-F]{4}(?![0-9A-F-])")
        expect(receipt.get_by_text(reference)).to_be_visible()
        # and the steps that follow: the letter, activation with the sign-in page's own words, staff review
        steps = receipt.get_by_role("list").filter(has_text="e-Boks").get_by_role("listitem")
        expect(steps).to_have_count(4)
        expect(steps.nth(1)).to_contain_text('"Aktivér din konto med aktiveringskoden fra brevet"')
        expect(steps.nth(3)).to_contain_text("sagsbehandlere gennemgår")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_letters_link_opens_the_activation_page_with_the_username_filled_in(
    page: Page, stack: RunningStack, viewport: dict[str, int]
):
    # Given the letter an application sends to the company's official mailbox
    apply_for(page, stack, "asta.thisted@example.org")
    letter = stack.mail_containing(f"(CVR {RECEIPT.cvr})", to=RECEIPT.official_mailbox)
    body = letter.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    username = re.search(r"^Brugernavn: (\S+)\r?$", text, re.MULTILINE).group(1)  # type: ignore[union-attr]
    code = re.search(r"^Aktiveringskode: (\S+)\r?$", text, re.MULTILINE).group(1)  # type: ignore[union-attr]
    [link] = [u for u in re.findall(r"https?://\S+", text) if "/aktiver" in u]
    # whose link carries the username, and not the code, which is typed from the paper
    assert urlsplit(link).fragment == f"brugernavn={username}"
    assert code not in link
    assert code.replace("-", "") not in link

    # When someone opens it
    page.goto(link)

    # Then the activation page has the username filled in, gone from the address bar, and waits for the code
    expect(page.get_by_role("heading", name="Aktivér din konto")).to_be_visible()
    expect(page.get_by_label("Brugernavn")).to_have_value(username)
    expect(page.get_by_label("Aktiveringskode")).to_have_value("")
    assert "#" not in page.url


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_invitation_page_says_what_a_code_looks_like_in_danish_never_a_length(
    page: Page, stack: RunningStack, viewport: dict[str, int]
):
    # Given the invitation page opened without a link
    page.goto(f"{stack.console_url}/invitation")
    expect(page.get_by_role("heading", name="Vælg adgangskode")).to_be_visible()
    page.get_by_label("Adgangskode", exact=True).fill(PASSWORD)

    # When the code is left empty, then typed in part
    page.get_by_role("button", name="Gem adgangskode").click()
    # Then it is asked for, not measured
    field = page.locator("#token").locator("xpath=..")
    expect(page.get_by_text("Skriv invitationskoden fra e-mailen").first).to_be_visible()
    page.get_by_label("Invitationskode").fill("7K2M-9XQ4")
    page.get_by_role("button", name="Gem adgangskode").click()
    expect(page.get_by_text("Skriv de 16 bogstaver og cifre, som de står i e-mailen").first).to_be_visible()
    expect(field).not_to_contain_text("mindst")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_renewal_mails_link_leads_through_sign_in_to_the_codes_tab(
    page: Page, stack: RunningStack, viewport: dict[str, int]
):
    # Given the link a mail about an expiring code gives its issuer, opened while signed out
    page.goto(f"{stack.console_url}/min-konto/godkendelseskode")

    # When the administrator signs in there
    sign_in_as_demo(page, stack.demo)

    # Then they are on the tab where codes are renewed
    expect(page.get_by_role("heading", name="Godkendelseskoder")).to_be_visible()
    assert page.url.endswith("/min-konto/godkendelseskode")
