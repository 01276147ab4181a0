"""Debian's Chromium, driven by Playwright, for the console's browser tests.

Playwright's own browser download cannot work here, so the tests launch `/usr/bin/chromium` (`make test`
installs it, or says how). Headless, as root, with what this machine's closed network needs.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from infra.local.totp import fresh_totp
from tests.e2e.axe import describe, violations

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "e2e-screenshots"
TIMEOUT_MS = 20_000  # the machine is shared: a busy emulator can take seconds to answer

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the session (tests/e2e/conftest.py offers it to every module); each test opens a
    context of its own (`new_context`), which shares nothing with another's."""
    if shutil.which("chromium") is None and not Path(CHROMIUM).exists():
        pytest.fail("The browser tests need Chromium: sudo apt-get install -y chromium", pytrace=False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


def new_context(browser: Browser, origin: str) -> BrowserContext:
    context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def settle(page: Page) -> None:
    """Waits (briefly) for what the test set off to have come: no request under way for half a second, and
    the page's heading drawn, so that axe-core sees the page a person would and not its "Henter …" moment.
    A page that never settles is checked as it is."""
    try:
        page.wait_for_load_state("networkidle", timeout=5_000)
        page.locator("main h1").first.wait_for(state="attached", timeout=5_000)
    except PlaywrightTimeoutError:
        pass


def page_of_its_own(browser: Browser, origin: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """For a module's `page` fixture: a page in a context of its own; when the test is done, every page the
    context opened (the test's, and any a link opened) is finished by `finish_page`. Use with `yield from`."""
    context = new_context(browser, origin)
    opened = context.new_page()
    yield opened
    for number, each in enumerate(context.pages):
        finish_page(request, each, str(number))
    context.close()


def sized_page(
    browser: Browser,
    origin: str,
    request: pytest.FixtureRequest,
    name: str,
    *,
    known: frozenset[str] = frozenset(),
) -> Iterator[Page]:
    """For a module's `page` fixture: a page in a context of its own at the viewport size the fixture's
    parameter names (`request.param`), finished by `finish_page` (a screenshot, or axe-core) when the test is
    done. Use with `yield from`."""
    context = new_context(browser, origin)
    opened = context.new_page()
    opened.set_viewport_size(request.param)
    yield opened
    finish_page(request, opened, name, known=known)
    context.close()


def finish_page(
    request: pytest.FixtureRequest, page: Page, name: str, *, known: frozenset[str] = frozenset()
) -> None:
    """After a browser test, from its page fixture: when the test failed, a full-page screenshot under
    build/e2e-screenshots/; when it passed, axe-core on the page as the test left it, so that every state a
    test ends in is checked too, not only those tests/e2e/test_console_axe.py walks. A violation fails the
    test (as an error in its teardown), naming the rule and the element. `known` names rules a page is
    known to break for a reason its module states (a third party's markup), and only those."""
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{request.node.name}-{name}")
        page.screenshot(path=str(SCREENSHOTS / f"{safe}.png"), full_page=True)
    elif report is not None and report.passed and not page.is_closed():
        settle(page)
        found = [violation for violation in violations(page) if violation["id"] not in known]
        if found:
            where = request.node.name
            pytest.fail(f"axe-core on the page {where} ended on:\n{describe(found)}", pytrace=False)


def watch_policy_violations(page: Page) -> list[str]:
    """Messages of the Content-Security-Policy refusing something on the page, as they come: the console
    must work under the strict policy the hosting sends."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: found.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return found


def sign_in_as_demo(page: Page, demo: dict[str, Any], who: str = "admin", *, in_dialog: bool = False) -> None:
    """Signs in as a demo user of `make run` (password, then the authenticator's code)."""
    user = demo["users"][who]
    scope = page.get_by_role("dialog") if in_dialog else page
    scope.get_by_label("Brugernavn", exact=True).fill(user["username"])
    scope.get_by_label("Adgangskode", exact=True).fill(user["password"])
    scope.get_by_role("button", name="Log ind").click()
    scope.get_by_label("Engangskode").fill(fresh_totp(user["totp_secret"]))
    scope.get_by_role("button", name="Log ind").click()
