"""An invitation refused for today, in Chromium: past the API's daily bound on invitations (per inviting
person, per organisation or vendor) the organisation's wizard, "Send invitation igen" and the vendor's
colleague form say that too many invitations have been sent today and when to try again, where they show
their problems, and keep what was filled in. The stack's bounds are loose, so the form's POST is answered
with the API's own refusal."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from chalicelib.api.http.cors import EXPOSED_HEADERS
from chalicelib.api.http.problems import DANISH, from_domain_error
from chalicelib.errors import TooManyRequests
from chalicelib.services.people.invitation_limits import GROUP_REFUSED, PERSON_REFUSED
from tests.e2e.browser import finish_page, new_context, sign_in_as_demo
from tests.e2e.conftest import RunningStack
from tests.e2e.test_console_users import invite_through_the_wizard
from tests.e2e.test_console_vendor import a_vendor_with_a_contact, accept_from_the_mail, enrol_and_sign_in

pytestmark = pytest.mark.e2e

WAIT_SECONDS = 5 * 3600 + 17 * 60  # what Retry-After says: the whole seconds until one more would count
TOO_MANY_TODAY = "Der er sendt for mange invitationer i dag, så invitationen er ikke sendt."
TRY_AGAIN_AT = re.compile(r"Prøv igen efter \d{1,2}\. \w+ \d{4} kl\. \d{2}:\d{2}\.")


@pytest.fixture
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = new_context(browser, stack.console_url)
    opened = context.new_page()
    yield opened
    finish_page(request, opened, "invitation-limits")
    context.close()


def refuse_invitations(page: Page, stack: RunningStack, path: str, words: dict[str, str]) -> list[str]:
    """Answers the console's POST to `path` as the API does past a daily bound: its problem in Danish (the
    console asks in Danish), with Retry-After, as an allowed origin reads it. Answers what was answered."""
    refusal = TooManyRequests(words["en"], retry_after_seconds=WAIT_SECONDS, detail_da=words["da"])
    answer = from_domain_error(refusal, DANISH)
    origin = re.match(r"https?://[^/]+", stack.console_url)
    assert origin is not None
    headers = {
        **{name: str(value) for name, value in answer.headers.items()},
        "Access-Control-Allow-Origin": origin.group(0),
        "Access-Control-Expose-Headers": ", ".join(EXPOSED_HEADERS),
    }
    answered: list[str] = []

    def handle(route: Route) -> None:
        if route.request.method != "POST":
            route.fallback()  # the preflight: the stack's own answer
            return
        answered.append(route.request.method)
        route.fulfill(status=429, headers=headers, body=str(answer.body))

    page.route(stack.api.rstrip("/") + path, handle)
    assert json.loads(str(answer.body))["type"].endswith("/too-many-requests")
    assert headers["Content-Type"] == "application/problem+json"
    return answered


def test_the_organisations_wizard_says_too_many_invitations_today_and_keeps_what_was_filled_in(
    page: Page, stack: RunningStack
):
    # Given the demo administrator who has sent the day's invitations
    page.goto(stack.console_url)
    sign_in_as_demo(page, stack.demo, "admin")
    answered = refuse_invitations(page, stack, "/v1/users", PERSON_REFUSED)
    page.get_by_role("tab", name="Selvbetjeningsbrugere").click()

    # When they go through the wizard for one more colleague
    invite_through_the_wizard(page, "Asta", "Nielsen", "asta.nielsen@example.org", "+45 40 50 60 71")

    # Then the wizard's summary says too many invitations were sent today and when to try again
    summary = page.get_by_role("alert").filter(has_text="Der er problemer")
    expect(summary).to_contain_text(TOO_MANY_TODAY)
    expect(summary).to_contain_text(TRY_AGAIN_AT)
    expect(summary).to_contain_text("kontakt support")
    expect(summary).not_to_contain_text("For mange forsøg")
    assert answered == ["POST"]

    # And nothing filled in is lost: the choices on this step, and the details on the first
    expect(page.get_by_label("Godkendelseskoder")).to_be_checked()
    for _ in range(3):
        page.get_by_role("button", name="Tilbage", exact=True).click()
    expect(page.get_by_label("Fornavn", exact=True)).to_have_value("Asta")
    expect(page.get_by_label("Efternavn", exact=True)).to_have_value("Nielsen")
    expect(page.get_by_label("E-mail", exact=True)).to_have_value("asta.nielsen@example.org")
    expect(page.get_by_label("Mobilnummer", exact=True)).to_have_value("+45 40 50 60 71")


def test_the_vendors_colleague_form_says_too_many_invitations_today_and_keeps_the_fields(
    page: Page, stack: RunningStack
):
    # Given a vendor's contact, signed in to Leverandør, whose vendor has sent the day's invitations
    a_vendor_with_a_contact(stack, "lone@graenser.example", "Grænseland ApS")
    username = accept_from_the_mail(page, stack, "lone@graenser.example")
    enrol_and_sign_in(page, stack, username)
    answered = refuse_invitations(page, stack, "/v1/vendor/users", GROUP_REFUSED)

    # When they invite one more colleague
    form = page.get_by_role("form", name="Invitér kollega")
    form.get_by_label("Fornavn").fill("Jens")
    form.get_by_label("Efternavn").fill("Bang")
    form.get_by_label("E-mail").fill("jens@graenser.example")
    form.get_by_label("Mobilnummer").fill("22334466")
    form.get_by_role("button", name="Invitér kollega").click()

    # Then the form's summary says too many invitations were sent today and when to try again
    summary = form.get_by_role("alert")
    expect(summary).to_contain_text(TOO_MANY_TODAY)
    expect(summary).to_contain_text(TRY_AGAIN_AT)
    expect(summary).not_to_contain_text("For mange forsøg")
    assert answered == ["POST"]

    # And the fields keep what was typed
    expect(form.get_by_label("Fornavn")).to_have_value("Jens")
    expect(form.get_by_label("Efternavn")).to_have_value("Bang")
    expect(form.get_by_label("E-mail")).to_have_value("jens@graenser.example")
    expect(form.get_by_label("Mobilnummer")).to_have_value("22334466")


def test_sending_an_invitation_again_past_the_bound_says_too_many_invitations_today(
    page: Page, stack: RunningStack
):
    # Given the demo administrator with an invited colleague, who then sends the day's invitations
    page.goto(stack.console_url)
    sign_in_as_demo(page, stack.demo, "admin")
    page.get_by_role("tab", name="Selvbetjeningsbrugere").click()
    invite_through_the_wizard(page, "Karl", "Gjellerup", "karl.gjellerup@example.org", "+45 40 50 60 72")
    expect(page.get_by_role("row", name=re.compile("Karl Gjellerup"))).to_contain_text("Inviteret")
    answered = refuse_invitations(page, stack, "/v1/users/*/invitation", PERSON_REFUSED)

    # When they send the colleague's invitation again
    page.get_by_role("button", name="Send invitation igen: Karl Gjellerup").click()

    # Then the page says too many invitations were sent today and when to try again
    said = page.get_by_role("alert").filter(has_text=TOO_MANY_TODAY)
    expect(said).to_contain_text(TRY_AGAIN_AT)
    expect(said).not_to_contain_text("For mange forsøg")
    assert answered == ["POST"]
