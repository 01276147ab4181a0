"""The console's page frame in a real browser, at a computer's and a phone's size: the header with the
service's mark, the footer with the stage's support contact and the pages anyone may read, a window title
per page, a page for an address the console does not have, and focus that shows where the keyboard is and
nowhere else."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.browser import new_context, sign_in_as_demo, sized_page, watch_policy_violations
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

VIEWPORTS = [{"width": 1280, "height": 800}, {"width": 390, "height": 844}]
# make run's support contact (infra/local/console.py)
EMAIL = "support@godkend.example"
PHONE = "+45 70 00 00 00"


def title(page: str) -> str:
    """The window's title of a page, as the console writes it."""
    return f"{page} \N{EN DASH} Godkend"


# Where focus is, and how it is outlined there.
FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {tag: element.tagName.toLowerCase(), id: element.id, text: (element.textContent || "").trim(),
          outline: style.outlineStyle, width: style.outlineWidth};
}"""

GO_TO_UNKNOWN = """() => {
  history.pushState(null, "", "/min-side");
  dispatchEvent(new PopStateEvent("popstate"));
}"""


@pytest.fixture(params=VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from sized_page(browser, stack.console_url, request, "frame")


def footer_link(page: Page, name: str) -> Locator:
    return page.get_by_role("contentinfo").get_by_role("link", name=name, exact=True)


def tab_to(page: Page, name: str) -> None:
    """Presses Tab until the link or button called `name` has focus, as a keyboard user gets there."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED)["text"] == name:
            return
    pytest.fail(f"Tab never reached {name!r}")


def test_every_page_has_a_footer_with_whom_to_ask_and_the_pages_anyone_may_read(
    page: Page, stack: RunningStack
):
    violations = watch_policy_violations(page)
    # Given the sign-in
    page.goto(stack.console_url)
    expect(page.get_by_role("button", name="Log ind")).to_be_enabled()

    # Then its footer names the support's e-mail, telephone and opening hours
    footer = page.get_by_role("contentinfo")
    expect(footer.get_by_role("link", name=EMAIL)).to_have_attribute("href", f"mailto:{EMAIL}")
    expect(footer.get_by_role("link", name=PHONE)).to_have_attribute("href", "tel:+4570000000")
    expect(footer).to_contain_text("Åbent hverdage 9-16")

    # And it leads to the accessibility statement, the privacy policy and cookies, each a page of its own
    for link, heading, says in [
        ("Tilgængelighedserklæring", "Tilgængelighedserklæring", "Chromium"),
        ("Privatlivspolitik", "Privatlivspolitik", "13 måneder"),
        ("Cookies", "Cookies", "ingen cookies"),
    ]:
        footer_link(page, link).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.get_by_role("main")).to_contain_text(says)
        expect(page).to_have_title(title(heading))
    # The accessibility statement says how to report a problem: the support contact
    page.goto(stack.console_url + "/tilgaengelighed")
    expect(page.get_by_role("main").get_by_role("link", name=EMAIL)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("1280 \N{MULTIPLICATION SIGN} 800")

    # And in English on request
    page.get_by_role("button", name="Skift sprog til engelsk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement")
    expect(page).to_have_title(title("Accessibility statement"))
    expect(page.get_by_role("contentinfo")).to_contain_text("Open weekdays 9am-4pm")
    expect(footer_link(page, "Privacy policy")).to_be_visible()
    assert not violations


def test_each_page_has_a_title_of_its_own_and_the_service_its_mark(page: Page, stack: RunningStack):
    # Given the console's public pages, reached by their addresses
    for path, name in [
        ("/", "Log ind"),
        ("/ansoeg", "Ansøg om adgang"),
        ("/aktiver", "Aktivér din konto"),
        ("/privatliv", "Privatlivspolitik"),
        ("/cookies", "Cookies"),
    ]:
        page.goto(stack.console_url + path)
        # Then the window's title names the page
        expect(page).to_have_title(title(name))

    # And the page names the service's mark as its icon, which the console serves
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon
    answer = requests.get(stack.console_url + icon, timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "image/svg+xml"
    assert b"<svg" in answer.content
    # And the header shows it beside the service's name
    header = page.get_by_role("banner")
    expect(header.locator("img.logo-mark")).to_be_visible()
    expect(header.get_by_role("link", name="Godkend")).to_be_visible()


def test_an_unknown_address_says_the_page_does_not_exist_and_leads_on(page: Page, stack: RunningStack):
    # Given an address the console has no page for
    page.goto(stack.console_url + "/gammel-side")

    # Then it says so, not the sign-in
    expect(page.get_by_role("heading", level=1)).to_have_text("Siden findes ikke")
    expect(page).to_have_title(title("Siden findes ikke"))
    expect(page.get_by_label("Brugernavn", exact=True)).to_have_count(0)

    # And it leads on to the sign-in
    page.get_by_role("main").get_by_role("link", name="Gå til Log ind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log ind")
    assert page.url.rstrip("/") == stack.console_url


def test_a_page_change_outlines_nothing_but_keyboard_focus_stays_visible(page: Page, stack: RunningStack):
    # Given the sign-in, used with the keyboard only
    page.goto(stack.console_url)
    expect(page.get_by_role("button", name="Log ind")).to_be_enabled()

    # When the keyboard reaches the link to the application
    tab_to(page, "Ansøg om adgang")
    # Then the link shows DKFDS's focus outline
    link = page.evaluate(FOCUSED)
    assert (link["outline"], link["width"]) == ("solid", "3px"), link

    # When it follows it
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ansøg om adgang")

    # Then the page's main content has focus (a screen reader reads on from there), without an outline
    main = page.evaluate(FOCUSED)
    assert main["id"] == "main-content", main
    assert main["outline"] == "none", main

    # And the next Tab shows where the keyboard is again
    page.keyboard.press("Tab")
    after = page.evaluate(FOCUSED)
    assert after["tag"] in {"a", "button", "input"}, after
    assert (after["outline"], after["width"]) == ("solid", "3px"), after


def test_signed_in_the_frame_stays_and_the_footers_pages_are_there_too(page: Page, stack: RunningStack):
    # Given the demo organisation's administrator, signed in
    page.goto(stack.console_url)
    sign_in_as_demo(page, stack.demo)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Min konto")

    # Then Min konto has its title and the footer
    expect(page).to_have_title(title("Min konto"))
    expect(page.get_by_role("contentinfo").get_by_role("link", name=EMAIL)).to_be_visible()

    # When the administrator opens the cookie page from the footer
    footer_link(page, "Cookies").click()
    # Then it shows, still signed in, rather than leading back to Min konto
    expect(page.get_by_role("heading", level=1)).to_have_text("Cookies")
    expect(page.get_by_role("button", name="Log ud")).to_be_visible()
    # And what it says holds: no cookie and nothing in the browser's storage
    assert page.context.cookies() == []
    assert page.evaluate("() => localStorage.length + sessionStorage.length") == 0

    # When they go to an address the console does not have
    # (in the page: loading it anew would forget the tokens, which live in memory only)
    page.evaluate(GO_TO_UNKNOWN)
    # Then it says so and leads back to Min konto
    expect(page.get_by_role("heading", level=1)).to_have_text("Siden findes ikke")
    page.get_by_role("main").get_by_role("link", name="Gå til Min konto").click()
    expect(page).to_have_title(title("Min konto"))


def test_staff_pages_have_their_own_title(browser: Browser, stack: RunningStack):
    context = new_context(browser, stack.console_url)
    try:
        page = context.new_page()
        # Given a staff member, signed in
        page.goto(stack.console_url)
        sign_in_as_demo(page, stack.demo, "staff")
        # Then the window's title names Sagsbehandling
        expect(page.get_by_role("heading", level=1)).to_have_text("Sagsbehandling")
        expect(page).to_have_title(title("Sagsbehandling"))
    finally:
        context.close()
