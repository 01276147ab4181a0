"""Every list of the console in a real browser, when its answer is slow, fails, is empty or comes from an
expired session, at a desktop's size and a phone's: it says it is fetching, says in its own words what went
wrong with *Prøv igen* that fetches it again, says what to do when empty, and asks to sign in again on a 401.
On a phone the tables are cards (the codes' leading with the code, its status and *Kopiér*) and nothing
scrolls the page sideways. The browser's own network layer plays the API's answers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, ViewportSize, expect

from tests.e2e.browser import finish_page, new_context, sign_in_as_demo
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280x800", "390x844"])

SERVER_TEXT = "Traceback: KeyError in handler"
FAILED = "Listen kunne ikke hentes."
MIN_KONTO_TABS = [
    "Godkendelseskode",
    "Anmodninger",
    "Selvbetjeningsbrugere",
    "Stamdata",
    "Valideringshistorik",
    "Log",
]
UNAUTHENTICATED = "https://godkend.dk/problems/unauthenticated"
STAFF_TABS = ["Til godkendelse", "Support", "Post", "Leverandører", "Log"]


@pytest.fixture
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = new_context(browser, stack.console_url)
    opened = context.new_page()
    callspec = getattr(request.node, "callspec", None)
    opened.set_viewport_size(callspec.params.get("viewport", DESKTOP) if callspec else DESKTOP)
    yield opened
    finish_page(request, opened, "lists")
    context.close()


def list_route(stack: RunningStack, path: str) -> re.Pattern[str]:
    """The API's list at `path`, whatever its query."""
    return re.compile(re.escape(f"{stack.api}{path}") + r"(\?.*)?$")


def sign_in_as_admin(page: Page, stack: RunningStack) -> None:
    page.goto(stack.console_url)
    sign_in_as_demo(page, stack.demo, "admin")
    expect(page.get_by_role("heading", name=re.compile("Min konto"))).to_be_visible()


def answer_gets(page: Page, stack: RunningStack, path: str, answer: dict[str, Any]) -> dict[str, bool]:
    """GETs of the list answer `answer` (status, content_type, body) while the returned switch is on."""
    switch = {"on": True}

    def handle(route: Route) -> None:
        if route.request.method == "GET" and switch["on"]:
            route.fulfill(**answer)
        else:
            route.continue_()

    page.route(list_route(stack, path), handle)
    return switch


def no_sideways_scroll(page: Page) -> None:
    """Neither the page nor anything in it scrolls sideways, and nothing sticks out past the screen's edge."""
    widths = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
    sideways = page.evaluate(SIDEWAYS)
    assert sideways == [], sideways


SIDEWAYS = """() => {
  const found = [];
  for (const el of document.querySelectorAll("main *")) {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || style.visibility === "hidden") continue;
    const scrolls = ["auto", "scroll"].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
    if (scrolls || box.right > window.innerWidth + 1) found.push(`${el.tagName}.${el.className}`);
  }
  return found;
}"""


@VIEWPORTS
def test_a_list_the_api_answers_500_says_so_in_words_and_prov_igen_fetches_it_again(
    page: Page, stack: RunningStack, viewport: ViewportSize
):
    # Given the API answers the colleagues' list with a 500
    sign_in_as_admin(page, stack)
    failing = answer_gets(
        page,
        stack,
        "/v1/users",
        {
            "status": 500,
            "content_type": "application/problem+json",
            "body": json.dumps(
                {"type": "about:blank", "title": "Internal", "status": 500, "detail": SERVER_TEXT}
            ),
        },
    )

    # When the administrator opens Selvbetjeningsbrugere
    page.get_by_role("tab", name="Selvbetjeningsbrugere").click()

    # Then the tab says in its own words that the list could not be fetched, never the server's text
    failed = page.get_by_role("alert").filter(has_text=FAILED)
    expect(failed).to_be_visible()
    expect(page.get_by_text(SERVER_TEXT)).to_have_count(0)
    # And Prøv igen, once the API answers again, fetches and shows the list
    failing["on"] = False
    failed.get_by_role("button", name="Prøv igen").click()
    expect(page.get_by_role("table", name="Selvbetjeningsbrugere")).to_be_visible()
    expect(failed).to_be_hidden()


@VIEWPORTS
def test_the_log_on_a_502_says_so_and_offers_prov_igen(
    page: Page, stack: RunningStack, viewport: ViewportSize
):
    # Given a gateway answers the audit trail with a 502 and a page of its own
    sign_in_as_admin(page, stack)
    answer_gets(
        page,
        stack,
        "/v1/organisation/audit",
        {"status": 502, "content_type": "text/html", "body": "<h1>Bad Gateway</h1>"},
    )

    # When the administrator opens Log
    page.get_by_role("tab", name="Log").click()

    # Then the tab says the list could not be fetched, with Prøv igen
    failed = page.get_by_role("alert").filter(has_text=FAILED)
    expect(failed).to_be_visible()
    expect(failed.get_by_role("button", name="Prøv igen")).to_be_visible()
    expect(page.get_by_text("Bad Gateway")).to_have_count(0)


@VIEWPORTS
def test_a_slow_list_says_it_is_being_fetched(page: Page, stack: RunningStack, viewport: ViewportSize):
    # Given the API holds back its answer to the validation history
    sign_in_as_admin(page, stack)
    held: list[Route] = []
    page.route(list_route(stack, "/v1/organisation/validations"), lambda route: held.append(route))

    # When the administrator opens Valideringshistorik
    page.get_by_role("tab", name="Valideringshistorik").click()

    # Then the tab says, to the eye and to a screen reader, that the list is being fetched
    loading = page.get_by_role("status").filter(has_text="Henter")
    while not held:
        page.wait_for_timeout(50)
    expect(loading).to_be_visible()
    # And once the answer comes, the list (or what to do without one) replaces it
    for route in held:
        route.continue_()
    page.unroute(list_route(stack, "/v1/organisation/validations"))
    expect(loading).to_be_hidden()


@VIEWPORTS
def test_an_empty_codes_list_says_how_to_make_the_first_code(
    page: Page, stack: RunningStack, viewport: ViewportSize
):
    # Given the API has no codes to list
    answer_gets(
        page,
        stack,
        "/v1/codes",
        {
            "status": 200,
            "content_type": "application/json",
            "body": json.dumps({"items": [], "next_cursor": None}),
        },
    )

    # When the administrator signs in, on Godkendelseskode
    sign_in_as_admin(page, stack)

    # Then the tab says what to do
    empty = "Der er ingen koder endnu. Opret den første med »Tilføj en ny kode«."
    expect(page.get_by_text(empty)).to_be_visible()


@VIEWPORTS
def test_a_401_on_a_list_opens_the_sign_in_dialog_and_the_list_comes_back_after_it(
    page: Page, stack: RunningStack, viewport: ViewportSize
):
    # Given the API refuses every token for the audit trail, a fresh one too
    sign_in_as_admin(page, stack)
    refusing = answer_gets(
        page,
        stack,
        "/v1/organisation/audit",
        {
            "status": 401,
            "content_type": "application/problem+json",
            "body": json.dumps(
                {"type": UNAUTHENTICATED, "title": "Authentication is required", "status": 401}
            ),
        },
    )

    # When the administrator opens Log
    page.get_by_role("tab", name="Log").click()

    # Then a sign-in dialog opens over the page, saying why
    dialog = page.get_by_role("dialog", name="Log ind")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text(re.compile("Din session er udløbet"))).to_be_visible()
    # And after signing in again there, the list is fetched again and shown
    refusing["on"] = False
    sign_in_as_demo(page, stack.demo, "admin", in_dialog=True)
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("tab", name="Log")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text(FAILED)).to_have_count(0)
    trail = page.get_by_role("table", name="Log over ændringer")
    expect(trail.or_(page.get_by_text(re.compile("^Loggen er tom")))).to_be_visible()


def a_code(**overrides: Any) -> dict[str, Any]:
    code = {
        "code_id": "c-1",
        "code": "k7m2p9qx@lektiecafeen-i-valby",
        "status": "active",
        "created_at": "2027-01-01T10:00:00Z",
        "expires_at": "2027-03-02T10:00:00Z",
        "first_name": "Bodil Margrethe",
        "last_name": "Kristoffersen-Østergaard",
        "email": "bodil.margrethe.kristoffersen-oestergaard@lektiecafeen-i-valby.example.org",
        "company": "12345678",
        "account": "1234-5678901",
        "language": "da",
        "notify": True,
        "renewed_at": None,
        "revoked_at": None,
    }
    return code | overrides


def an_audit_entry() -> dict[str, Any]:
    return {
        "event_id": "e-1",
        "at": "2027-01-30T21:34:00Z",
        "action": "user.invitation_resent",
        "actor": {"kind": "user", "id": "3f2b8c1e-9a4d-4c7e-b2f1-6d8e0a5c9b71"},
        "targets": {
            "user_id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
            "org_id": "0b9a8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d",
        },
        "details": {},
        "source_ip": "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
        "user_agent": "Mozilla/5.0",
    }


def a_vendor() -> dict[str, Any]:
    key = {
        "key_id": "k-5f3c2a1b9e8d7c6b",
        "vendor_id": "v-a1b2c3d4e5f6a7b8",
        "status": "active",
        "created_at": "2027-01-02T09:00:00Z",
        "revoked_at": None,
    }
    return {
        "vendor_id": "v-a1b2c3d4e5f6a7b8",
        "name": "Frivilligcentrenes Bookingsystem ApS",
        "contact_email": "integration.support@frivilligcentrenes-bookingsystem.example.org",
        "created_at": "2027-01-02T09:00:00Z",
        "keys": [
            key,
            key | {"key_id": "k-0a9b8c7d6e5f4a3b", "status": "revoked", "revoked_at": "2027-01-03T09:00:00Z"},
        ],
    }


def a_parked_mail() -> dict[str, Any]:
    return {
        "message_id": "m-1",
        "kind": "invitation",
        "language": "da",
        "to_address": "bodil.margrethe.kristoffersen-oestergaard@lektiecafeen-i-valby.example.org",
        "to_name": "Bodil Margrethe Kristoffersen-Østergaard",
        "status": "failed",
        "attempts": 5,
        "last_error": "MessageRejected: Email address is not verified. The following identities failed",
        "created_at": "2027-01-02T09:00:00Z",
        "sent_at": None,
    }


def full_lists(page: Page, stack: RunningStack) -> None:
    """The lists answer with rows as long as real ones get: long names, e-mails, ids and errors."""
    pages = {
        "/v1/codes": [a_code()],
        "/v1/organisation/audit": [an_audit_entry()],
        "/v1/staff/audit": [an_audit_entry() | {"action": "vendor.key_issued"}],
        "/v1/staff/vendors": [a_vendor()],
        "/v1/staff/mail": [a_parked_mail()],
    }
    for path, items in pages.items():
        body = json.dumps({"items": items, "next_cursor": None})
        answer_gets(page, stack, path, {"status": 200, "content_type": "application/json", "body": body})


def test_on_a_phone_a_code_is_a_card_leading_with_the_code_its_status_and_kopier(
    page: Page, stack: RunningStack
):
    # Given a phone's screen and a code with a long name and e-mail
    page.set_viewport_size(PHONE)
    answer_gets(
        page,
        stack,
        "/v1/codes",
        {
            "status": 200,
            "content_type": "application/json",
            "body": json.dumps({"items": [a_code()], "next_cursor": None}),
        },
    )

    # When the administrator signs in, on Godkendelseskode
    sign_in_as_admin(page, stack)

    # Then the card shows the code, its status and Kopiér first, all on the screen, then the representative
    value = page.get_by_text("k7m2p9qx@lektiecafeen-i-valby", exact=True)
    status = page.get_by_role("table").get_by_text("Aktiv", exact=True)
    copy = page.get_by_role("button", name=re.compile("^Kopiér: Bodil"))
    who = page.get_by_text("Bodil Margrethe Kristoffersen-Østergaard", exact=True)
    expect(copy).to_be_visible()
    boxes = [locator.bounding_box() for locator in (value, status, copy, who)]
    assert all(box is not None for box in boxes)
    tops = [box["y"] for box in boxes if box]
    assert tops[0] < tops[1] < tops[3], tops
    assert tops[2] < tops[3], tops
    for box in boxes:
        assert box is not None
        assert box["x"] >= 0, box
        assert box["x"] + box["width"] <= PHONE["width"], box
    # And nothing scrolls the page sideways
    no_sideways_scroll(page)


@VIEWPORTS
def test_no_min_konto_tab_scrolls_the_page_sideways(page: Page, stack: RunningStack, viewport: ViewportSize):
    # Given the administrator is signed in, and the lists have long rows
    full_lists(page, stack)
    sign_in_as_admin(page, stack)

    for tab in MIN_KONTO_TABS:
        # When they open each tab
        page.get_by_role("tab", name=tab).click()
        expect(page.get_by_role("status").filter(has_text="Henter")).to_have_count(0)
        # Then nothing scrolls the page sideways
        no_sideways_scroll(page)


@VIEWPORTS
def test_no_staff_page_scrolls_the_page_sideways(page: Page, stack: RunningStack, viewport: ViewportSize):
    # Given the staff user is signed in to Sagsbehandling, and the lists have long rows
    full_lists(page, stack)
    page.goto(stack.console_url)
    sign_in_as_demo(page, stack.demo, "staff")
    page.get_by_role("link", name="Sagsbehandling").click()
    expect(page.get_by_role("heading", name="Sagsbehandling", level=1)).to_be_visible()

    for tab in STAFF_TABS:
        # When they open each tab
        page.get_by_role("tab", name=tab).click()
        expect(page.get_by_role("status").filter(has_text="Henter")).to_have_count(0)
        # Then nothing scrolls the page sideways
        no_sideways_scroll(page)


def test_the_header_on_a_phone_is_compact(page: Page, stack: RunningStack):
    # Given a phone's screen and the administrator signed in
    page.set_viewport_size(PHONE)
    sign_in_as_admin(page, stack)

    # Then the header takes at most a third of the screen's height before the content
    header = page.locator("header").bounding_box()
    assert header is not None
    assert header["height"] <= PHONE["height"] / 3, header
    # And its buttons are not full-width blocks
    sign_out = page.get_by_role("button", name="Log ud").bounding_box()
    assert sign_out is not None
    assert sign_out["width"] < PHONE["width"] / 2, sign_out
