"""Offboarding in the console: staff see the operator's staff under Sagsbehandling -> Medarbejdere and remove
one who leaves, saying why; the token the removed member still holds is refused at once. At a computer's and
a phone's size, axe-core clean."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.axe import assert_accessible
from tests.e2e.browser import sign_in_as_demo, sized_page
from tests.e2e.conftest import RunningStack
from tests.e2e.staff import call, new_staff_member

pytestmark = pytest.mark.e2e

VIEWPORTS = [{"width": 1280, "height": 800}, {"width": 390, "height": 844}]


@pytest.fixture(params=VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from sized_page(browser, stack.console_url, request, "staff-members")


def test_staff_remove_a_colleague_who_leaves_and_the_colleagues_token_stops_working(
    page: Page, stack: RunningStack
):
    # Given a staff member who signed in and works
    width = page.viewport_size["width"] if page.viewport_size else 0
    leaving = new_staff_member(stack, f"jens.leaving{width}@godkend.example", name=f"Jens Fratræder{width}")
    assert call(stack, "GET", "/v1/staff/vendors", leaving).status_code == 200

    # When another staff member opens Sagsbehandling -> Medarbejdere
    page.goto(stack.console_url)
    sign_in_as_demo(page, stack.demo, "staff")
    page.get_by_role("link", name="Sagsbehandling").click()
    page.get_by_role("tab", name="Medarbejdere").click()

    # Then the staff are listed by name, and nobody is offered to remove themselves
    table = page.get_by_role("table", name="Medarbejdere")
    row = table.get_by_role("row").filter(has_text=f"Jens Fratræder{width}")
    expect(row.get_by_role("cell", name="Aktiv")).to_be_visible()
    own = table.get_by_role("row").filter(has_text="(dig)")
    expect(own).to_have_count(1)
    expect(own.get_by_role("button")).to_have_count(0)
    assert_accessible(page, "Medarbejdere")

    # When they remove the leaving colleague, giving the reason the dialog asks for
    row.get_by_role("button", name=f"Fjern medarbejder: Jens Fratræder{width}").click()
    dialog = page.get_by_role("dialog", name="Fjern medarbejder")
    expect(dialog.get_by_label("Begrundelse")).to_be_focused()
    assert_accessible(page, "Fjern medarbejder, dialog")
    dialog.get_by_label("Begrundelse").fill("Fratrådt 30. november")
    dialog.get_by_role("button", name="Fjern medarbejder", exact=True).click()

    # Then the console says so where the keyboard is, and lists them as removed
    outcome = page.get_by_role("status").filter(has_text=f"Jens Fratræder{width}: fjernet")
    expect(outcome).to_be_focused()
    expect(row.get_by_role("cell", name="Fjernet")).to_be_visible()
    expect(row.get_by_role("button")).to_have_count(0)

    # And the token the removed member still holds is refused at once
    assert call(stack, "GET", "/v1/staff/vendors", leaving).status_code == 401
