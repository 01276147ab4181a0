"""Journey 16 through the local stack, in Chromium at a desktop's and a phone's size: `make reminders` mails
the representative a reminder whose *Bed om en ny kode* link, opened in the browser, makes a request; the
demo administrator sees it under *Anmodninger*, clicks *Opdater*, and the representative's mail holds a new
code that validates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.e2e.axe import assert_accessible
from tests.e2e.browser import finish_page, new_context, sign_in_as_demo, watch_policy_violations
from tests.e2e.conftest import RunningStack
from tests.e2e.test_codes import FrontEnd
from tests.e2e.test_reminders import expiry_day, make_reminders, move_back

pytestmark = pytest.mark.e2e

VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
LINK = re.compile(r"(http\S+/anmodning\S*)")
NEW_CODE = re.compile(r"Godkendelseskode: (\S+@\S+)")


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def pages(
    browser: Browser, stack: RunningStack, viewport: str, request: pytest.FixtureRequest
) -> Iterator[tuple[Page, Page]]:
    """The representative's browser (not signed in) and the administrator's, each a context of its own."""
    width, height = VIEWPORTS[viewport]
    contexts = [new_context(browser, stack.console_url) for _ in range(2)]
    opened = []
    for context in contexts:
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        opened.append(page)
    yield opened[0], opened[1]
    finish_page(request, opened[0], "representative")
    finish_page(request, opened[1], "administrator")
    for context in contexts:
        context.close()


def validates(stack: RunningStack, code: str) -> bool:
    answer = requests.post(
        f"{stack.api}/v1/validations",
        headers={"Authorization": f"Bearer {stack.demo['vendor']['api_key']}"},
        json={"code": code},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return bool(answer.json()["valid"])


def test_a_reminders_link_makes_a_request_that_opdater_answers_with_a_new_code(
    pages: tuple[Page, Page], stack: RunningStack, viewport: str
):
    representative_page, admin_page = pages
    address = f"anna.{viewport}@example.org"
    last_name = f"Anmoder{'Skrivebord' if viewport == 'desktop' else 'Telefon'}"
    # Given a code the demo administrator made, 53 days into its life
    front = FrontEnd(stack)
    company = front.call("GET", "/v1/me", 200)["companies"][0]
    created = front.call(
        "POST",
        "/v1/codes",
        201,
        json={
            "first_name": "Anna",
            "last_name": last_name,
            "email": address,
            "company": company["cvr"],
            "account": company["accounts"][0]["number"],
        },
    )
    stack.mail_containing(f"Godkendelseskode: {created['code']}", to=address)
    code = move_back(stack, created, days=53)

    # When `make reminders` runs as of 7 days before it expires
    mails = make_reminders(stack, expiry_day(code) - timedelta(days=7))
    (reminder,) = [m for m in mails if address in m.to and "udløber" in m.subject]

    # Then the reminder carries the link, its secret in the fragment only
    link = LINK.search(reminder.text)
    assert link is not None, reminder.text
    parts = urlsplit(link.group(1))
    assert (parts.path, parts.query) == ("/anmodning", "")
    assert len(parts.fragment) >= 32
    assert "Bed om en ny kode" in reminder.text

    # When the representative opens it in the browser
    violations = watch_policy_violations(representative_page)
    representative_page.goto(link.group(1))
    expect(representative_page.get_by_role("heading", name="Bed om en ny kode")).to_be_visible()
    expect(representative_page.get_by_text("Hej Anna.")).to_be_visible()
    expect(
        representative_page.get_by_text("Din godkendelseskode fra Røde Kors Aarhus udløber")
    ).to_be_visible()
    # Then the secret is gone from the address bar, and the page shows no code value
    assert "#" not in representative_page.url
    assert code["code"] not in representative_page.content()
    assert_accessible(representative_page, f"Bed om en ny kode ({viewport})")
    # And in English on request
    representative_page.get_by_role("button", name="Skift sprog til engelsk").click()
    expect(representative_page.get_by_role("heading", name="Ask for a new code")).to_be_visible()
    english = representative_page.get_by_text("Your validation code from Røde Kors Aarhus expires on")
    expect(english).to_be_visible()
    assert_accessible(representative_page, f"Ask for a new code ({viewport})")
    representative_page.get_by_role("button", name="Switch language to Danish").click()

    # And one click (with a note) makes the request
    representative_page.get_by_label("Bemærkning til organisationen").fill("Min kode udløber snart")
    representative_page.get_by_role("button", name="Bed om en ny kode").click()
    expect(representative_page.get_by_text("Tak. Røde Kors Aarhus har fået besked.")).to_be_visible()
    assert_accessible(representative_page, f"Bed om en ny kode, sendt ({viewport})")
    assert violations == []

    # When the administrator signs in, the tab Anmodninger shows a count and the request, the note quoted
    admin_page.goto(stack.console_url)
    sign_in_as_demo(admin_page, stack.demo)
    tab = admin_page.get_by_role("tab", name=re.compile(r"^Anmodninger \(\d+\)$"))
    expect(tab).to_be_visible()
    tab.click()
    who = f"Anna {last_name}"
    row = admin_page.get_by_role("row").filter(has_text=who)
    expect(row).to_be_visible()
    expect(row.get_by_text("Anna skriver:")).to_be_visible()
    expect(row.get_by_text("Min kode udløber snart")).to_be_visible()
    assert_accessible(admin_page, f"Anmodninger ({viewport})")

    # And clicks Opdater
    row.get_by_role("button", name=f"Opdater: {who}").click()
    expect(admin_page.get_by_text(f"Koden er opdateret, og den nye kode er sendt til {who}.")).to_be_visible()
    expect(admin_page.get_by_role("row").filter(has_text=who)).to_have_count(0)

    # And the organisation's Log says so in words
    admin_page.get_by_role("tab", name="Log").click()
    expect(admin_page.get_by_text("Repræsentant bad om en ny kode").first).to_be_visible()
    expect(admin_page.get_by_text("Kode opdateret efter anmodning").first).to_be_visible()

    # Then the representative's mail holds a new code, and it validates
    renewed = stack.mail_containing("har opdateret din godkendelseskode", to=address)
    body = renewed.get_body(preferencelist=("plain",))
    assert body is not None
    found = NEW_CODE.search(body.get_content())
    assert found is not None
    assert found.group(1) != code["code"]
    assert validates(stack, found.group(1))
    # And the old link asks for nothing more (opened afresh: a fragment alone would not load the page again)
    representative_page.goto("about:blank")
    representative_page.goto(link.group(1))
    expect(
        representative_page.get_by_text("Linket kan ikke bruges til at bede om en ny kode.")
    ).to_be_visible()
