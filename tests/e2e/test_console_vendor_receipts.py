"""Kontroller and Hændelser in Leverandør, in Chromium: a vendor's person sees their vendor's checks, filters
them by Danish dates, is told in words when a period has none or a date does not exist, and downloads the
checks as CSV (through the API with the token in a header) and reads it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.axe import assert_accessible
from tests.e2e.browser import page_of_its_own, watch_policy_violations
from tests.e2e.conftest import RunningStack
from tests.e2e.test_console_vendor import (
    VIEWPORTS,
    a_demo_code,
    a_vendor_with_a_contact,
    accept_from_the_mail,
    enrol_and_sign_in,
    validate,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from page_of_its_own(browser, stack.console_url, request)


def danish(day: datetime) -> str:
    return day.strftime("%d.%m.%Y")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_vendor_person_filters_their_checks_and_downloads_them_as_csv(
    page: Page, stack: RunningStack, tmp_path: Path, viewport: dict[str, int]
):
    page.set_viewport_size({"width": viewport["width"], "height": viewport["height"]})
    refused = watch_policy_violations(page)
    # Given a vendor's contact, signed in to Leverandør, whose new key validated two codes today
    email = f"mette.kontroller.{viewport['width']}@leverandor.example"
    a_vendor_with_a_contact(stack, email, f"Kontrolhuset {viewport['width']} ApS")
    first, second = a_demo_code(stack), a_demo_code(stack)
    username = accept_from_the_mail(page, stack, email)
    enrol_and_sign_in(page, stack, username)
    expect(page.get_by_role("heading", name="Leverandør", exact=True)).to_be_visible()
    page.get_by_label("Navn på nøglen").fill("Kasse 1")
    page.get_by_role("button", name="Opret nøgle").click()
    api_key = page.get_by_label("Ny API-nøgle", exact=True).inner_text().strip()
    checked = [validate(stack, api_key, code).json() for code in (first, second)]
    assert all(answer["valid"] for answer in checked), checked
    today = datetime.now(ZoneInfo("Europe/Copenhagen"))

    # When they look at Kontroller for today (a new period: the list is asked for again)
    checks = page.get_by_role("region", name="Kontroller")
    checks.get_by_label("Fra dato").fill(danish(today))
    checks.get_by_label("Til dato").fill(danish(today))
    checks.get_by_role("button", name="Vis kontroller").click()

    # Then both checks are there, newest first, with the organisation and the representative
    table = checks.get_by_role("table", name="Kontroller")
    expect(table.get_by_role("row")).to_have_count(3)
    expect(table.get_by_role("row").nth(1)).to_contain_text(checked[1]["organisation"]["name"])
    expect(table.get_by_role("row").nth(1)).to_contain_text("Rasmus Frivillig")
    assert_accessible(page, f"Kontroller at {viewport['width']}")

    # When they choose a period after today
    checks.get_by_label("Fra dato").fill(danish(today + timedelta(days=1)))
    checks.get_by_label("Til dato").fill("")
    checks.get_by_role("button", name="Vis kontroller").click()

    # Then they are told in words that the period has none
    expect(checks.get_by_text("Der er ingen kontroller i den valgte periode.")).to_be_visible()

    # When they write a date that does not exist
    checks.get_by_label("Fra dato").fill("30.02.2026")
    checks.get_by_role("button", name="Vis kontroller").click()

    # Then the field says how to write it
    expect(checks.get_by_text("Skriv en dato, der findes, som dd.mm.åååå").first).to_be_visible()

    # When they download today's checks as CSV
    checks.get_by_label("Fra dato").fill(danish(today))
    with page.expect_download() as download_info:
        checks.get_by_role("button", name="Hent som CSV").click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    # Then the file has Danish headers and both checks, newest first, and its name says the period
    assert download.suggested_filename == f"godkend-kontroller-{today.date().isoformat()}-i-dag.csv"
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Kontrolleret (dansk tid)", "Organisation", "CVR", "Repræsentant"]
    assert [row[-1] for row in rows[1:]] == [checked[1]["validation_id"], checked[0]["validation_id"]]
    assert rows[1][3] == "Rasmus Frivillig"
    # And the token never left in a link: the file came from a Blob the page made
    assert download.url.startswith("blob:")

    # And Hændelser says in words that there are none yet
    events = page.get_by_role("region", name="Hændelser")
    expect(events.get_by_text("Der er ingen hændelser endnu.")).to_be_visible()
    assert refused == []
