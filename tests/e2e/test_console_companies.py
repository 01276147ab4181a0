"""Stamdata in a real browser, as the demo administrator: a company of the group is added, waits for proof,
and is proven with the code from the letter to its own official mailbox; a locked code gets a new letter.
Everything is found by its role and its label, as a person finds it."""

from __future__ import annotations

import email
import json
import re
from collections.abc import Iterator
from email.policy import default
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from infra.local.demo import DEMO_COMPANIES
from tests.e2e.browser import finish_page, new_context, sign_in_as_demo
from tests.e2e.conftest import PROJECT_DIR, RunningStack, stack_of_its_own

pytestmark = pytest.mark.e2e

REGISTER = PROJECT_DIR / "chalicelib" / "adapters" / "registry_sample.json"
# Sample companies of the local register that no demo organisation has and whose owner is not the demo's
# main company: each gets a letter of its own.
PROVEN_WITH_THE_LETTER = "21450006"
LOCKED_AND_LETTERED_AGAIN = "33560001"
CODE_LINE = "Bekræftelseskode"
DANISH_TIME = r"\d{1,2}\. \w+ \d{4} kl\. \d{2}:\d{2}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    # A stack of its own: the two companies proven here join the demo organisation, whose two companies of
    # two accounts the other modules read (and the colleague wizard offers).
    yield from stack_of_its_own(tmp_path_factory, "companies")


@pytest.fixture
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = new_context(browser, stack.console_url)
    opened = context.new_page()
    yield opened
    finish_page(request, opened, "companies")
    context.close()


def registered(cvr: str) -> dict[str, Any]:
    """The sample register's entry, checked to be one this test can add to the demo organisation."""
    entries: list[dict[str, Any]] = json.loads(REGISTER.read_text(encoding="utf-8"))["companies"]
    entry = next(e for e in entries if e["cvr"] == cvr)
    main = DEMO_COMPANIES[0].cvr
    assert cvr not in {c.cvr for c in DEMO_COMPANIES}, "the demo organisation already has it"
    assert main not in entry.get("owners", []), "the register would prove it without a letter"
    assert entry.get("status") != "ceased"
    return entry


def letters_to(stack: RunningStack, mailbox: str) -> list[str]:
    """The plain text of every mail sent to `mailbox` so far, oldest first."""
    found = []
    for path in sorted((stack.state_dir / "mail").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=default)
        body = message.get_body(preferencelist=("plain",))
        if body is not None and mailbox in str(message["To"]):
            found.append(str(body.get_content()).replace("\r\n", "\n"))
    return found


def next_letter(page: Page, stack: RunningStack, mailbox: str, already: int) -> str:
    """The letter after the first `already` ones to `mailbox`, waiting for the mail pipeline to send it."""
    for _ in range(150):
        letters = letters_to(stack, mailbox)
        if len(letters) > already:
            return letters[already]
        page.wait_for_timeout(200)
    raise AssertionError(f"no letter number {already + 1} to {mailbox} in {stack.state_dir / 'mail'}")


def code_in(letter: str) -> str:
    found = re.search(rf"^{CODE_LINE}: (\S+)\s*$", letter, re.MULTILINE)
    assert found, letter
    return found.group(1)


def expiry_in(letter: str) -> str:
    found = re.search(rf"udløber ({DANISH_TIME})", letter)
    assert found, letter
    return found.group(1)


def tries_in(letter: str) -> int:
    """How many wrong tries lock the code, as the letter tells the company."""
    found = re.search(r"Efter (\d+) forkerte forsøg spærres den", letter)
    assert found, letter
    return int(found.group(1))


def not_the(code: str) -> str:
    """A code as the letter prints it, but wrong: its last character changed."""
    return code[:-1] + ("2" if code[-1] != "2" else "3")


def open_stamdata(page: Page, stack: RunningStack) -> None:
    page.goto(stack.console_url)
    sign_in_as_demo(page, stack.demo, "admin")
    page.get_by_role("tab", name="Stamdata").click()
    expect(page.get_by_role("heading", name="Selskaber, der venter på bevis")).to_be_visible()


def add_company(page: Page, cvr: str, name: str) -> None:
    form_heading = page.get_by_role("heading", name="Tilføj et selskab")
    expect(form_heading).to_be_visible()
    page.get_by_label("CVR-nummer").fill(cvr)
    page.get_by_label("Selskabets navn").fill(name)
    page.get_by_role("button", name="Tilføj selskabet").click()


def waiting(page: Page, name: str, cvr: str) -> Locator:
    """A company waiting for proof, as the list shows it: a group named by its heading."""
    return page.get_by_role("group", name=f"{name} (CVR {cvr})")


def test_an_administrator_adds_a_company_and_proves_it_with_the_code_from_its_letter(
    page: Page, stack: RunningStack
):
    entry = registered(PROVEN_WITH_THE_LETTER)
    name = "Natteravnene i Vestjylland"  # the organisation's own name for it, not the register's
    already = len(letters_to(stack, entry["official_mailbox"]))

    # Given the demo administrator on the tab Stamdata, with no company waiting for proof
    open_stamdata(page, stack)
    expect(page.get_by_text("Ingen selskaber venter på bevis.")).to_be_visible()

    # When they add a company the register does not tie to their main company
    add_company(page, PROVEN_WITH_THE_LETTER, name)

    # Then the console says a letter is on its way to that company's official mailbox, and until when
    sent = page.get_by_role("status").filter(has_text="Der er sendt et brev med en bekræftelseskode")
    expect(sent).to_contain_text(f"{name} (CVR {PROVEN_WITH_THE_LETTER})")
    expect(sent).to_contain_text(re.compile(f"Koden kan bruges indtil {DANISH_TIME}"))
    # And the company is listed as waiting for proof, with the register's name for it
    company = waiting(page, name, PROVEN_WITH_THE_LETTER)
    expect(company).to_contain_text(
        re.compile(rf"Navn i CVR-registret\s*{re.escape(entry['name'])}"), use_inner_text=True
    )
    expect(company).to_contain_text("Afventer bevis")
    expect(page.get_by_text("Ingen selskaber venter på bevis.")).to_have_count(0)

    # When the letter arrives in the company's own official mailbox
    letter = next_letter(page, stack, entry["official_mailbox"], already)
    assert f"Til {entry['name']} (CVR {PROVEN_WITH_THE_LETTER})" in letter  # by the register's name
    code = code_in(letter)
    # Then the console gives the same expiry as the letter, in Danish time
    expect(company).to_contain_text(
        re.compile(rf"Koden i brevet udløber\s*{re.escape(expiry_in(letter))}"), use_inner_text=True
    )
    expect(sent).to_contain_text(f"indtil {expiry_in(letter)}.")

    # When a wrong code is entered
    field = company.get_by_label("Bekræftelseskode fra brevet")
    field.fill(not_the(code))
    company.get_by_role("button", name=f"Bekræft selskabet: {name}").click()

    # Then the field says so, and the error summary names it with a link to it
    summary = company.get_by_role("alert").filter(has_text="Der er problemer")
    link = summary.get_by_role("link", name=re.compile("^Bekræftelseskode fra brevet"))
    expect(link).to_contain_text("Koden er forkert.")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile("Koden er forkert."))
    link.click()
    expect(field).to_be_focused()

    # When the code from the letter is entered
    field.fill(code)
    company.get_by_role("button", name=f"Bekræft selskabet: {name}").click()

    # Then the company belongs to the organisation, with a default account, and waits no longer
    expect(page.get_by_role("status").filter(has_text="hører nu til organisationen")).to_contain_text(
        f"{name} (CVR {PROVEN_WITH_THE_LETTER})"
    )
    expect(company).to_have_count(0)
    expect(page.get_by_text("Ingen selskaber venter på bevis.")).to_be_visible()
    expect(
        page.get_by_role("heading", name=f"{name} (CVR {PROVEN_WITH_THE_LETTER})", level=4)
    ).to_be_visible()
    accounts = page.get_by_role("table", name=f"Selskaber og kontonumre: {name}")
    expect(accounts.get_by_role("row", name=re.compile("Hovedkonto"))).to_contain_text("Åben")

    # And its accounts are the administrator's to make codes under
    page.get_by_role("tab", name="Godkendelseskode").click()
    page.get_by_role("button", name="Tilføj en ny kode").click()
    expect(page.get_by_label("Selskab", exact=True).locator("option", has_text=name)).to_have_count(1)


def test_a_locked_code_gets_a_new_letter_with_a_new_code(page: Page, stack: RunningStack):
    entry = registered(LOCKED_AND_LETTERED_AGAIN)
    name = entry["name"]
    already = len(letters_to(stack, entry["official_mailbox"]))

    # Given a company waiting for proof, its letter arrived
    open_stamdata(page, stack)
    add_company(page, LOCKED_AND_LETTERED_AGAIN, name)
    company = waiting(page, name, LOCKED_AND_LETTERED_AGAIN)
    expect(company).to_contain_text("Afventer bevis")
    letter = next_letter(page, stack, entry["official_mailbox"], already)
    first = code_in(letter)

    # When a wrong code is entered as often as the letter allows
    field = company.get_by_label("Bekræftelseskode fra brevet")
    prove = company.get_by_role("button", name=f"Bekræft selskabet: {name}")
    for _ in range(tries_in(letter) - 1):
        field.fill(not_the(first))
        prove.click()
        expect(company.get_by_role("alert").filter(has_text="Koden er forkert.")).to_be_visible()
    field.fill(not_the(first))
    prove.click()

    # Then the company is listed as locked, with the way to a new letter instead of the code field
    expect(company).to_contain_text("Spærret")
    expect(company.get_by_label("Bekræftelseskode fra brevet")).to_have_count(0)

    # When a new letter is asked for
    company.get_by_role("button", name=f"Bed om et nyt brev: {name}").click()

    # Then the console says it is on its way, and the company waits for proof again
    expect(page.get_by_role("status").filter(has_text="Der er sendt et brev")).to_contain_text(
        f"{name} (CVR {LOCKED_AND_LETTERED_AGAIN})"
    )
    expect(company).to_contain_text("Afventer bevis")
    # And the new letter brings a new code, which proves the company
    second = code_in(next_letter(page, stack, entry["official_mailbox"], already + 1))
    assert second != first
    company.get_by_label("Bekræftelseskode fra brevet").fill(second)
    company.get_by_role("button", name=f"Bekræft selskabet: {name}").click()
    expect(company).to_have_count(0)
    expect(page.get_by_role("table", name=f"Selskaber og kontonumre: {name}")).to_be_visible()
