"""Kontakt support that reaches someone, in a real browser at 1280x800 and 390x844: the footer's "Kontakt
support" opens a form; a person writes that their administrator has left; they are shown a case number; staff
find the case under Sagsbehandling -> Henvendelser with the organisation its CVR belongs to, answer it (the
answer arrives in the local mail folder, with the case number and none of the sender's words) and close it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.e2e.browser import finish_page, new_context, sign_in_as_demo, watch_policy_violations
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

VIEWPORTS: list[ViewportSize] = [{"width": 1280, "height": 800}, {"width": 390, "height": 844}]
# The demo organisation of `make run` (infra/local/demo.py)
DEMO_CVR, DEMO_NAME = "29180008", "Røde Kors Aarhus"
SEED = "Vores administrator er stoppet, og ingen kender login'et. Kan I slette det gamle login?"
ANSWER = "Vi har slettet det gamle login. Ansøg igen, så får I et nyt brev i e-Boks."
REFERENCE = re.compile(r"S-[0-9A-Z]{4}-[0-9A-Z]{4}")


@pytest.fixture(params=VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def viewport(request: pytest.FixtureRequest) -> ViewportSize:
    size: ViewportSize = request.param
    return size


@pytest.fixture
def pages(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[list[Page]]:
    """Two people's browsers: whoever writes to support, and staff."""
    contexts = [new_context(browser, stack.console_url) for _ in range(2)]
    opened = [context.new_page() for context in contexts]
    yield opened
    for number, page in enumerate(opened):
        finish_page(request, page, str(number))
    for context in contexts:
        context.close()


def tab_until_focused(page: Page, name: str) -> None:
    """Presses Tab until the element called `name` has focus, as a keyboard user gets there."""
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => (document.activeElement?.textContent || '').trim()") == name:
            return
    pytest.fail(f"Tab never reached {name!r}")


def test_a_person_writes_to_support_and_staff_answer_by_mail_and_close_the_case(
    pages: list[Page], stack: RunningStack, viewport: ViewportSize
):
    person, staff = pages
    for page in pages:
        page.set_viewport_size(viewport)
    violations = watch_policy_violations(person) + watch_policy_violations(staff)
    email = f"mette.{uuid.uuid4().hex[:8]}@example.org"

    # Given the sign-in page, whose footer has "Kontakt support"
    person.goto(stack.console_url)
    # When a person reaches it with the keyboard and follows it
    tab_until_focused(person, "Kontakt support")
    person.keyboard.press("Enter")

    # Then the form opens, and they write that their administrator has left
    expect(person.get_by_role("heading", name="Kontakt support", level=1)).to_be_visible()
    person.get_by_label("Organisationens navn").fill(DEMO_NAME)
    person.get_by_label("CVR-nummer (hvis du kender det)").fill(DEMO_CVR)
    person.get_by_label("Dit navn").fill("Mette Hansen")
    person.get_by_label("E-mail").fill(email)
    expect(
        person.get_by_role("radio", name="Vores administrator er stoppet, og ingen kender login'et")
    ).to_be_checked()
    person.get_by_label("Beskriv kort, hvad vi kan hjælpe med").fill(SEED)
    person.get_by_role("button", name="Send til support").click()

    # And they are shown a case number to quote
    expect(person.get_by_role("heading", name="Tak, vi har fået din henvendelse")).to_be_visible()
    reference = person.locator(".support-reference").inner_text()
    assert REFERENCE.fullmatch(reference), reference
    # where the keyboard is: on the case number's message, not left on the page's body
    expect(person.get_by_role("status").filter(has_text=reference)).to_be_focused()

    # When staff open Sagsbehandling -> Henvendelser (the cases Kontakt support makes)
    staff.goto(stack.console_url)
    sign_in_as_demo(staff, stack.demo, "staff")
    staff.get_by_role("link", name="Sagsbehandling").click()
    staff.get_by_role("tab", name="Henvendelser").click()

    # Then the case is there, newest first, and opens with what was written and the organisation of its CVR
    row = staff.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Administratoren er stoppet")
    row.get_by_role("button", name=f"Åbn: {reference}").click()
    case = staff.locator(".support-case")
    expect(case.get_by_text(SEED)).to_be_visible()
    expect(case.locator(".support-linked")).to_have_text(DEMO_NAME)
    expect(case.get_by_role("link", name=re.compile("^Find organisationen"))).to_be_visible()

    # When staff answer it
    case.get_by_label("Svar").fill(ANSWER)
    case.get_by_role("button", name="Send svar").click()

    # Then the answer is sent to the person, with the case number and none of their own words
    expect(case.get_by_role("status").filter(has_text="Svaret er sendt.")).to_be_focused()
    mail = stack.mail_containing(reference, to=email, seconds=30)
    text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert ANSWER in text
    assert "Mette" not in text
    assert "administrator er stoppet" not in text
    assert reference in str(mail["Subject"])

    # When staff close the case
    case.get_by_role("button", name="Luk sagen").click()

    # Then it is closed: no longer among the open cases, and among the closed
    expect(case.get_by_text("Sagen er lukket.")).to_be_visible()
    expect(staff.get_by_role("row").filter(has_text=reference)).to_have_count(0)
    staff.get_by_label("Vis").select_option("closed")
    expect(staff.get_by_role("row").filter(has_text=reference)).to_be_visible()
    assert violations == []
