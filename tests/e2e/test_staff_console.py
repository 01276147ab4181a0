"""Sagsbehandling in a real browser: the demo staff user of `make run` reviews organisations, issues and
revokes a vendor's key, and sends a parked mail again. Everything is found by its role and its label, as a
person finds it; what the console did is then checked through the API, the mail folder and the vendor's
URL."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from infra.local.provision import verify_sender
from tests.e2e.browser import (
    page_of_its_own,
    sign_in_as_demo,
    watch_policy_violations,
)
from tests.e2e.conftest import RunningStack
from tests.e2e.register import APPROVED_FROM_THE_QUEUE, LOGIN_REMOVED_BY_SUPPORT, REJECTED_WITH_A_REASON
from tests.e2e.test_codes import FrontEnd
from tests.e2e.test_onboarding import activation_letter
from tests.e2e.test_trust_chain import activate_and_sign_in
from tests.e2e.test_validations import Vendor, staff_session

pytestmark = pytest.mark.e2e

SENDER = "Godkend <noreply@godkend.dk>"  # the local stack's sender (Settings.mail_sender)
MAIL_SECONDS = 30


@pytest.fixture
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from page_of_its_own(browser, stack.console_url, request)


def company(stack: RunningStack, cvr: str) -> dict[str, Any]:
    return next(entry for entry in stack.demo["registry"] if entry["cvr"] == cvr)


def apply(stack: RunningStack, cvr: str, name: str, email: str) -> None:
    """An application for a company of the sample register, through the API as the console sends it."""
    answer = requests.post(
        f"{stack.api}/v1/applications",
        json={
            "cvr": cvr,
            "name": name,
            "accounts": [{"cvr": cvr, "number": "1001", "name": "Hovedkonto"}],
            "applicant": {
                "first_name": "Ida",
                "last_name": "Holm",
                "email": email,
                "mobile": "+45 22 33 44 55",
            },
        },
        timeout=10,
    )
    assert answer.status_code == 202, answer.text


def waiting_for_review(stack: RunningStack, cvr: str, name: str, email: str) -> None:
    """An organisation in the review queue: applied for, and activated with the letter's code."""
    apply(stack, cvr, name, email)
    username, code = activation_letter(stack, company(stack, cvr)["official_mailbox"])
    activated = requests.post(
        f"{stack.api}/v1/activations",
        json={"username": username, "activation_code": code, "password": "Sag-Test-2026-Aa1!"},
        timeout=10,
    )
    assert activated.status_code == 201, activated.text


def status_by_cvr(stack: RunningStack, cvr: str) -> str:
    found = staff_session(stack).get(
        f"{stack.api}/v1/staff/search/organisations", params={"q": cvr}, timeout=10
    )
    assert found.status_code == 200, found.text
    items = found.json()["items"]
    assert len(items) == 1, items
    return str(items[0]["status"])


def open_sagsbehandling(page: Page, stack: RunningStack) -> None:
    page.goto(stack.console_url)
    sign_in_as_demo(page, stack.demo, "staff")
    page.get_by_role("link", name="Sagsbehandling").click()
    expect(page.get_by_role("heading", name="Sagsbehandling", level=1)).to_be_visible()


def test_staff_approve_an_organisation_from_the_queue_and_reject_another_with_a_mailed_reason(
    page: Page, stack: RunningStack
):
    # Given two organisations waiting for review
    first, other_one = APPROVED_FROM_THE_QUEUE, REJECTED_WITH_A_REASON
    waiting_for_review(stack, first.cvr, first.name, "ida.madhjaelp@example.org")
    waiting_for_review(stack, other_one.cvr, other_one.name, "ida.lektiecafe@example.org")
    refused = watch_policy_violations(page)

    # When the demo staff user signs in and opens Sagsbehandling, its queue first
    open_sagsbehandling(page, stack)
    expect(page.get_by_role("tab", name="Til godkendelse")).to_have_attribute("aria-selected", "true")

    # And finds the first by its name and approves it, confirming in the dialog with the same word
    waiting = page.get_by_role("article", name=first.name)
    # with its company: the typed name, the register's name and the proof the letter gave
    companies = waiting.get_by_role("table", name=f"Selskaber: {first.name}")
    expect(companies.get_by_role("row").filter(has_text=first.cvr)).to_contain_text("Bevist (brev)")
    expect(waiting.get_by_text("Ida Holm (ida.madhjaelp@example.org)")).to_be_visible()
    waiting.get_by_role("button", name=re.compile("^Godkend")).click()
    dialog = page.get_by_role("dialog", name="Godkend organisationen")
    dialog.get_by_role("button", name="Godkend", exact=True).click()

    # Then the console says so, the organisation leaves the queue, and the API has it approved
    expect(page.get_by_text(f"{first.name} er godkendt.")).to_be_visible()
    expect(page.get_by_role("article", name=first.name)).to_have_count(0)
    assert status_by_cvr(stack, first.cvr) == "approved"

    # When staff reject the other: the dialog refuses an empty reason, then takes one
    other = page.get_by_role("article", name=other_one.name)
    other.get_by_role("button", name=re.compile("^Afvis")).click()
    dialog = page.get_by_role("dialog", name="Afvis organisationen")
    dialog.get_by_role("button", name="Afvis", exact=True).click()
    expect(dialog.get_by_text("Skriv en begrundelse.")).to_be_visible()
    reason = "Foreningen er ikke en NGO efter vores regler (sag 4711)."
    dialog.get_by_label("Begrundelse").fill(reason)
    dialog.get_by_role("button", name="Afvis", exact=True).click()
    expect(page.get_by_text(f"{other_one.name} er afvist.")).to_be_visible()

    # Then it is rejected, and the reason reaches its administrator's mail
    assert status_by_cvr(stack, other_one.cvr) == "rejected"
    mail = stack.mail_containing(reason, seconds=MAIL_SECONDS)
    assert "ida.lektiecafe@example.org" in str(mail["To"])

    # And the lists to look back on show each under its status, the rejection with its reason
    page.get_by_label("Vis", exact=True).select_option("approved")
    expect(page.get_by_role("article", name=first.name)).to_be_visible()
    expect(page.get_by_role("button", name=f"Suspendér: {first.name}")).to_be_visible()
    page.get_by_label("Vis", exact=True).select_option("rejected")
    expect(page.get_by_role("article", name=other_one.name).get_by_text(reason)).to_be_visible()
    assert refused == []


def test_an_organisation_renamed_after_staff_opened_it_is_shown_again_before_it_is_approved(
    page: Page, stack: RunningStack
):
    # Given an organisation waiting for review, whose administrator can change its name
    apply(stack, "31670004", "Café Ørsted", "ida.cafe@example.org")
    admin = activate_and_sign_in(stack, "31670004", {"email": "ida.cafe@example.org"})
    refused = watch_policy_violations(page)

    # And staff have it open in the review queue
    open_sagsbehandling(page, stack)
    expect(page.get_by_role("article", name="Café Ørsted")).to_be_visible()

    # When the organisation renames itself through the API, after staff opened it
    renamed = requests.patch(
        f"{stack.api}/v1/organisation",
        headers={"Authorization": f"Bearer {admin}"},
        json={"name": "Café Ørsted Fond"},
        timeout=10,
    )
    assert renamed.status_code == 200, renamed.text

    # And staff approve what they saw
    page.get_by_role("button", name="Godkend: Café Ørsted").click()
    dialog = page.get_by_role("dialog", name="Godkend organisationen")
    dialog.get_by_role("button", name="Godkend", exact=True).click()

    # Then the console says it changed, shows it as it is now, and asks again; nothing was approved
    expect(
        dialog.get_by_text("Organisationen er ændret, siden du åbnede den. Se ændringerne og beslut igen.")
    ).to_be_visible()
    expect(dialog.get_by_text("Café Ørsted Fond")).to_be_visible()
    expect(page.get_by_role("article", name="Café Ørsted Fond")).to_be_visible()
    assert status_by_cvr(stack, "31670004") == "pending_review"

    # When staff approve the organisation as it is now
    dialog.get_by_role("button", name="Godkend", exact=True).click()

    # Then it is approved under the name staff saw
    expect(page.get_by_text("Café Ørsted Fond er godkendt.")).to_be_visible()
    assert status_by_cvr(stack, "31670004") == "approved"
    assert refused == []


def test_support_finds_an_organisation_by_cvr_and_removes_its_administrators_login_with_a_reason(
    page: Page, stack: RunningStack
):
    # Given an organisation whose only administrator has lost access
    gone = LOGIN_REMOVED_BY_SUPPORT
    waiting_for_review(stack, gone.cvr, gone.name, "ida.lokalhjaelp@example.org")

    # When support search for its CVR number on the tab Support
    open_sagsbehandling(page, stack)
    page.get_by_role("tab", name="Support").click()
    page.get_by_label("CVR-nummer, navn i koder eller organisationens navn").fill(gone.cvr)
    page.get_by_role("button", name="Søg").click()

    # Then its logins are listed, the administrator marked so
    logins = page.get_by_role("table", name="Logins")
    row = logins.get_by_role("row").filter(has_text="ida.lokalhjaelp@example.org")
    expect(row.get_by_role("cell", name="Ja").first).to_be_visible()

    # When support remove the login, giving the reason the dialog asks for
    row.get_by_role("button", name="Fjern login: Ida Holm").click()
    dialog = page.get_by_role("dialog", name="Fjern login")
    dialog.get_by_label("Begrundelse").fill("Administratoren er fratrådt; ny ansøgning via brev (sag 815).")
    dialog.get_by_role("button", name="Fjern login", exact=True).click()

    # Then the login is gone, the organisation may apply again, and its trail holds the removal
    expect(page.get_by_text("Login er fjernet.")).to_be_visible()
    expect(page.get_by_text(re.compile("ingen aktiv administrator"))).to_be_visible()
    expect(logins.get_by_role("row").filter(has_text="ida.lokalhjaelp@example.org")).to_have_count(0)
    expect(page.get_by_role("cell", name="Søren Sagsbehandler fjernede Ida Holms login")).to_be_visible()


def test_a_key_issued_in_the_console_validates_at_once_and_is_refused_once_revoked(
    page: Page, stack: RunningStack
):
    # Given a fresh code of the demo organisation
    front = FrontEnd(stack)
    me = front.call("GET", "/v1/me", 200)
    own = me["companies"][0]
    code = front.call(
        "POST",
        "/v1/codes",
        201,
        json={
            "first_name": "Mette",
            "last_name": "Frivillig",
            "email": "mette@example.org",
            "company": own["cvr"],
            "account": own["accounts"][0]["number"],
            "notify": False,
        },
    )["code"]

    # When staff create a vendor on the tab Leverandører
    open_sagsbehandling(page, stack)
    page.get_by_role("tab", name="Leverandører").click()
    page.get_by_role("button", name="Opret leverandør").click()
    page.get_by_label("Leverandørens navn").fill("Konsol Kassesystemer ApS")
    page.get_by_label("Kontakt-e-mail").fill("drift@kassesystemer.example")
    # (with its contact person, who is invited to the vendor console)
    contact = page.get_by_role("group", name="Kontaktperson")
    contact.get_by_label("Fornavn").fill("Mette")
    contact.get_by_label("Efternavn").fill("Holm")
    contact.get_by_label("E-mail", exact=True).fill("mette@kassesystemer.example")
    contact.get_by_label("Mobilnummer").fill("12")
    page.get_by_role("button", name="Opret leverandør").click()
    # (a bad mobile is said at the field in the API's own words, before anything is sent)
    expect(contact.get_by_text("Skriv et dansk mobilnummer", exact=False).first).to_be_visible()
    contact.get_by_label("Mobilnummer").fill("20 30 40 50")
    page.get_by_role("button", name="Opret leverandør").click()

    # Then its key is shown once, with a copy button and words that it will not be shown again
    shown = page.get_by_role("region", name=re.compile("^Den nye API-nøgle"))
    expect(shown.get_by_text("Du vil ikke kunne se den igen")).to_be_visible()
    api_key = shown.get_by_label("Den nye API-nøgle").inner_text().strip()
    assert re.fullmatch(r"gkv_[0-9a-f]{32}_[0-9a-f]{20}_[0-9a-f]{48}", api_key), api_key
    shown.get_by_role("button", name="Kopiér API-nøglen").click()
    expect(shown.get_by_text("Nøglen er kopieret.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == api_key

    # And the contact person is mailed an invitation to the vendor console
    stack.mail_containing("leverandørkonsol", seconds=30, to="mette@kassesystemer.example")

    # And the key validates the code at once
    vendor = Vendor(stack, api_key)
    assert vendor.validate(code)["valid"] is True

    # When staff revoke it, confirming in the dialog
    _, vendor_id, key_id, _ = api_key.split("_")
    expect(page.get_by_text(f"gkv_{vendor_id}_{key_id}_…").first).to_be_visible()
    page.get_by_role("button", name=f"Spær nøgle: Konsol Kassesystemer ApS {key_id}").click()
    page.get_by_role("dialog", name="Spær API-nøglen").get_by_role("button", name="Spær nøgle").click()
    expect(page.get_by_text("Nøglen er spærret.")).to_be_visible()

    # Then the next validation with it is refused
    assert vendor.check(code).status_code == 401

    # And the staff log shows the vendor created and the key revoked
    page.get_by_role("tab", name="Log").click()
    expect(page.get_by_role("cell", name="Søren Sagsbehandler oprettede en leverandør").first).to_be_visible()
    expect(page.get_by_role("cell", name="Søren Sagsbehandler spærrede en API-nøgle").first).to_be_visible()


def test_a_letter_parked_while_the_sender_was_unverified_is_sent_again_from_the_console(
    page: Page, stack: RunningStack
):
    # Given the sender's identity is not verified in (emulated) SES, as after a broken DNS change
    ses = boto3.client(
        "ses",
        endpoint_url=stack.demo["aws_endpoint_url"],
        region_name=stack.demo["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    for identity in ("noreply@godkend.dk", "godkend.dk"):
        ses.delete_identity(Identity=identity)
    try:
        # And an application whose letter SES therefore refuses, so that it is parked as failed
        mailbox = company(stack, "33560001")["official_mailbox"]
        apply(stack, "33560001", "Mødrehjælpen Sønderjylland", "ida.moedre@example.org")
        staff = staff_session(stack)
        deadline = time.monotonic() + MAIL_SECONDS
        parked: list[dict[str, Any]] = []
        while not parked and time.monotonic() < deadline:
            listed = staff.get(f"{stack.api}/v1/staff/mail", params={"status": "failed"}, timeout=10).json()
            parked = [m for m in listed["items"] if m["to_address"] == mailbox]
            time.sleep(0.3)
        assert parked, "the letter was not parked"
    finally:
        # And the sender is verified again
        verify_sender(ses, SENDER)

    # When staff open Post, see the parked letter with its error and click Send igen
    open_sagsbehandling(page, stack)
    page.get_by_role("tab", name="Post").click()
    row = page.get_by_role("row").filter(has_text=mailbox)
    expect(row.get_by_text(re.compile("SES MessageRejected"))).to_be_visible()
    row.get_by_role("button", name=re.compile("^Send igen")).click()

    # Then the console says it is sent again, and the letter arrives in the company's official mailbox
    expect(page.get_by_text(re.compile("E-mailen er sendt igen"))).to_be_visible()
    username, _ = activation_letter(stack, mailbox)
    assert username
    expect(page.get_by_role("row").filter(has_text=mailbox)).to_have_count(0)
