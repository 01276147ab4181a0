"""People, not ids, in a real browser at 1280x800 and 390x844: the Log says in Danish who did what for whom
("Anne Østergaard oprettede en kode til Karen Blixen"), staff decisions are in the staff Log with names,
Valideringshistorik names the company, the account and the representative, staff find an organisation by
part of its name, and the staff pages hold no untranslated word, no id and no machine text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import sign_in_as_demo, sized_page, watch_policy_violations
from tests.e2e.conftest import RunningStack
from tests.e2e.test_codes import FrontEnd
from tests.e2e.test_validations import Vendor, staff_session

pytestmark = pytest.mark.e2e

VIEWPORTS = [{"width": 1280, "height": 800}, {"width": 390, "height": 844}]
ADMIN = "Anne Østergaard"  # the demo administrator (infra/local/demo.py)
STAFF = "Søren Sagsbehandler"  # the demo staff member
ORGANISATION = "Røde Kors Aarhus"
# A representative per viewport, so that each run finds its own sentences.
REPRESENTATIVES = {1280: ("Karen", "Blixen"), 390: ("Tove", "Ditlevsen")}
# What people met before: machine text and ids where names belong.
MACHINE_TEXT = re.compile(
    r"user: |anonymous: |staff: |org_id|application_id|code_id|demo-admin|demo-staff|org-demo"
)
# English words the staff pages showed in a Danish page.
UNTRANSLATED = re.compile(r"\b(Handle|handle|Logins?|Vendor|Key|Status code)\b")


@pytest.fixture(params=VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from sized_page(browser, stack.console_url, request, "people")


def width(page: Page) -> int:
    size = page.viewport_size
    assert size is not None
    return int(size["width"])


def code_for(front: FrontEnd, first: str, last: str, account: str = "1001") -> dict[str, Any]:
    body = {
        "first_name": first,
        "last_name": last,
        "email": f"{first.lower()}@example.org",
        "company": "29180008",
        "account": account,
        "notify": False,
    }
    created: dict[str, Any] = front.call("POST", "/v1/codes", 201, json=body)
    return created


def open_tab(page: Page, stack: RunningStack, who: str, tab: str) -> None:
    page.goto(stack.console_url)
    sign_in_as_demo(page, stack.demo, who)
    if who == "staff":
        page.get_by_role("link", name="Sagsbehandling").click()
    page.get_by_role("tab", name=tab, exact=True).click()


def staff_decide(
    stack: RunningStack, session: requests.Session, org_id: str, decision: str, **body: Any
) -> None:
    seen = session.get(f"{stack.api}/v1/staff/organisations/{org_id}", timeout=10)
    assert seen.status_code == 200, seen.text
    answer = session.post(
        f"{stack.api}/v1/staff/organisations/{org_id}/{decision}",
        headers={"If-Match": seen.headers["ETag"]},
        json=body or None,
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def test_log_says_in_danish_who_created_renewed_and_revoked_a_code_for_whom(page: Page, stack: RunningStack):
    # Given the demo administrator created a code for a representative, renewed it and revoked it
    first, last = REPRESENTATIVES[width(page)]
    front = FrontEnd(stack)
    code = code_for(front, first, last)
    front.call("POST", f"/v1/codes/{code['code_id']}/renew", 200)
    front.call("DELETE", f"/v1/codes/{code['code_id']}", 200)
    refused = watch_policy_violations(page)

    # When they open Log
    open_tab(page, stack, "admin", "Log")

    # Then three Danish sentences name them and the representative
    log = page.get_by_role("region", name="Log over ændringer")
    for verb in ("oprettede en kode til", "opdaterede koden til", "tilbagekaldte koden til"):
        # (the text, not the cell's name: on a phone the cell is also named by its column)
        expect(log.get_by_text(f"{ADMIN} {verb} {first} {last}", exact=True)).to_be_visible()
    # And no id or machine text anywhere in it
    assert not MACHINE_TEXT.search(log.inner_text())
    assert refused == []


def test_a_staff_approval_is_in_the_staff_log_with_names(page: Page, stack: RunningStack):
    # Given staff suspended the demo organisation and approved it again
    session = staff_session(stack)
    staff_decide(stack, session, "org-demo", "suspend", reason="Kontrol af vedtægter")
    staff_decide(stack, session, "org-demo", "approve")

    # When the staff member opens the staff Log
    open_tab(page, stack, "staff", "Log")

    # Then both decisions are there in Danish, naming the staff member and the organisation
    log = page.get_by_role("region", name="Sagsbehandlernes log")
    expect(log.get_by_text(f"{STAFF} godkendte {ORGANISATION} som NGO", exact=True).first).to_be_visible()
    expect(log.get_by_text(f"{STAFF} suspenderede {ORGANISATION}", exact=True).first).to_be_visible()
    assert not MACHINE_TEXT.search(log.inner_text())


def test_the_validation_history_names_the_company_the_account_and_the_representative(
    page: Page, stack: RunningStack
):
    # Given a code under the account Genbrugsbutikker, checked by the demo vendor
    first, last = REPRESENTATIVES[width(page)]
    code = code_for(FrontEnd(stack), first, f"{last}-Historik", account="1002")
    assert Vendor(stack, stack.demo["vendor"]["api_key"]).validate(code["code"])["valid"] is True

    # When the administrator opens Valideringshistorik
    open_tab(page, stack, "admin", "Valideringshistorik")

    # Then the check's row names the vendor, the representative, the company and the account
    row = page.get_by_role("row").filter(has_text=f"{first} {last}-Historik")
    expect(row).to_contain_text("TechShop Demo ApS")
    expect(row.get_by_text(ORGANISATION, exact=True)).to_be_visible()
    expect(row.get_by_text("Genbrugsbutikker (1002)", exact=True)).to_be_visible()
    assert "29180008 / 1002" not in row.inner_text()


def test_staff_find_an_organisation_by_part_of_its_name(page: Page, stack: RunningStack):
    # Given the staff member on Support
    open_tab(page, stack, "staff", "Support")

    # When they search for the beginning of the organisation's name, in lower case
    page.get_by_label("CVR-nummer, navn i koder eller organisationens navn").fill("røde k")
    page.get_by_role("button", name="Søg", exact=True).click()

    # Then the organisation opens, its facts set out as Min konto sets out master data, in Danish
    facts = page.locator("dl").filter(has_text="Navn i koder")
    expect(facts).to_contain_text(ORGANISATION)
    expect(facts).to_contain_text("RoedeKorsAarhus")
    assert facts.locator("dt").first.evaluate("e => getComputedStyle(e).fontWeight") == "600"
    # And its Log reads in sentences too
    trail = page.get_by_role("region", name=f"Organisationens log: {ORGANISATION}")
    expect(trail.get_by_text(re.compile(f"^{ADMIN} ")).first).to_be_visible()
    assert not MACHINE_TEXT.search(trail.inner_text())


def test_the_staff_pages_hold_no_untranslated_word_and_captions_sit_at_the_left(
    page: Page, stack: RunningStack
):
    # Given the staff member in Sagsbehandling
    open_tab(page, stack, "staff", "Til godkendelse")
    page.get_by_label("Vis").select_option(label="Godkendte")
    expect(page.get_by_role("article", name=ORGANISATION)).to_be_visible()

    # Then a visible caption sits at the left, as a heading does
    caption = page.get_by_role("article", name=ORGANISATION).locator("caption")
    assert caption.evaluate("e => getComputedStyle(e).textAlign") in {"left", "start"}

    # And every staff tab is in Danish, without an English word or an id
    for tab in ("Til godkendelse", "Support", "Post", "Leverandører", "Log"):
        page.get_by_role("tab", name=tab, exact=True).click()
        panel = page.get_by_role("tabpanel")
        expect(panel).to_be_visible()
        page.wait_for_load_state("networkidle")
        text = panel.inner_text()
        assert not UNTRANSLATED.search(text), (tab, UNTRANSLATED.search(text))
        assert not MACHINE_TEXT.search(text), (tab, MACHINE_TEXT.search(text))
