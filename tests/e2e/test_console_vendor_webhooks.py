"""Leverandør's Webhook section in Chromium: a vendor's person sets the endpoint to a listener on loopback
(the secret shown once), sends a test event and sees it delivered with the listener's answer in words; a
listener answering 500 shows the failure, and Send igen after it is fixed shows it delivered."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import page_of_its_own
from tests.e2e.conftest import RunningStack, stack_of_its_own
from tests.e2e.test_console_lists import no_sideways_scroll
from tests.e2e.test_console_vendor import a_vendor_with_a_contact, accept_from_the_mail, enrol_and_sign_in
from tests.webhook_listener import listening

pytestmark = pytest.mark.e2e

# A failed attempt is parked at once: the first retry (5 s on) would fall after the 3-second window, so a
# failure shows as Fejlet and can be sent again without waiting a day.
QUICK_PARKING = {
    "GODKEND_WEBHOOK_RETRY_BASE_SECONDS": "5",
    "GODKEND_WEBHOOK_RETRY_WINDOW_SECONDS": "3",
}
# The event side (streams, queue) delivers within seconds; a minute leaves room on a busy machine.
DELIVERED_WITHIN_MS = 60_000


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    # A stack of its own: failures parked at once, which other modules' deliveries must not be.
    yield from stack_of_its_own(tmp_path_factory, "vendor-webhooks", QUICK_PARKING)


@pytest.fixture
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from page_of_its_own(browser, stack.console_url, request)


def test_a_vendor_person_sets_the_webhook_sends_a_test_event_and_replays_a_failed_one(
    page: Page, stack: RunningStack
):
    # The listener answers the first test event 200, the second 500, and 200 again from then on
    with listening([200, 500]) as listener:
        # Given a vendor's contact signed in to Leverandør
        email = "sofie@webhook.example"
        a_vendor_with_a_contact(stack, email, "Hooksted ApS")
        username = accept_from_the_mail(page, stack, email)
        enrol_and_sign_in(page, stack, username)
        section = page.get_by_role("region", name="Webhook")
        expect(section.get_by_text("I har ikke sat et endpoint.")).to_be_visible()

        # When they set the endpoint to the listener on loopback
        section.get_by_label("Endpointets adresse").fill(listener.url)
        section.get_by_role("button", name="Gem endpoint").click()

        # Then the new secret is shown once, with Kopiér, and the endpoint is active
        shown = section.get_by_role("region", name="Nyt secret")
        expect(shown.get_by_text(re.compile(r"^whsec_[0-9a-f]{64}$"))).to_be_visible()
        shown.get_by_role("button", name="Kopiér").click()
        expect(shown.get_by_text("Secret er kopieret.")).to_be_visible()
        shown.get_by_role("button", name="Luk").click()
        expect(section.get_by_role("region", name="Nyt secret")).to_have_count(0)
        expect(section.get_by_text("Aktivt", exact=True)).to_be_visible()

        # When they send a test event
        section.get_by_role("button", name="Send testhændelse").click()
        expect(section.get_by_text("Testhændelsen er sendt.")).to_be_visible()

        # Then it is listed as delivered, the listener's answer in words next to its number
        rows = section.get_by_role("row").filter(has_text="Testhændelse")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Leveret", timeout=DELIVERED_WITHIN_MS)
        expect(rows.first).to_contain_text("Svarede 200 (modtaget)")
        assert json.loads(listener.received[0].body)["type"] == "webhook.test"

        # When a second test event meets the listener answering 500
        section.get_by_role("button", name="Send testhændelse").click()

        # Then it shows the failure, in words, with Send igen
        failed = section.get_by_role("row").filter(has_text="Svarede 500 (fejl hos jer)")
        expect(failed).to_have_count(1, timeout=DELIVERED_WITHIN_MS)
        expect(failed).to_contain_text("Fejlet")

        # When the listener is fixed (it answers 200 now) and they send the failed one again
        failed.get_by_role("button", name=re.compile("^Send igen")).click()
        expect(section.get_by_text("Leveringen sendes igen.")).to_be_visible()

        # Then it is delivered, its failed attempt still shown before the one that succeeded
        replayed = section.get_by_role("row").filter(has_text="Svarede 500 (fejl hos jer)")
        expect(replayed).to_contain_text("Leveret", timeout=DELIVERED_WITHIN_MS)
        expect(replayed).to_contain_text("Svarede 200 (modtaget) (genudsendelse 1)")
        expect(section.get_by_role("button", name=re.compile("^Send igen"))).to_have_count(0)
        assert len(listener.received) == 3

    # And at a phone's size the section, its endpoint's address and its deliveries do not scroll sideways
    page.set_viewport_size({"width": 390, "height": 844})
    expect(section.get_by_role("heading", name="Seneste leveringer")).to_be_visible()
    no_sideways_scroll(page)
