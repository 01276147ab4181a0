"""Actions on Min konto that cannot be undone, in a real browser and by keyboard alone: a code in use is
renewed only when asked, a dialog before something destructive opens on Annuller, and after each action the
keyboard is where the result is (the new code, or a message saying what happened), never on the page's body.
Before its organisation is approved, an administrator is told when codes can be made instead of being
handed a form that is refused. At a desktop's and a phone's size."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect

from infra.local.client import Api, Credentials, add_colleague, signed_in
from tests.e2e.browser import finish_page, new_context, sign_in_as_demo
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

CODE = re.compile(r"^[a-z0-9]{8}@\S+$")
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
TAB_LIMIT = 120  # presses of Tab before a control counts as out of the keyboard's reach


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = new_context(browser, stack.console_url)
    opened = context.new_page()
    width, height = VIEWPORTS[request.param]
    opened.set_viewport_size({"width": width, "height": height})
    yield opened
    finish_page(request, opened, "safe-actions")
    opened.unroute_all(behavior="ignoreErrors")  # a test's fake answers may still be on their way
    context.close()


def is_focused(target: Locator) -> bool:
    return bool(target.evaluate("element => element === document.activeElement"))


def tab_to(page: Page, target: Locator) -> None:
    """Presses Tab until `target` has the focus, as someone without a mouse gets to a control."""
    target.wait_for()
    for _ in range(TAB_LIMIT):
        if is_focused(target):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} not reached with Tab")


def expect_focused(target: Locator) -> None:
    """`target` has the focus; if not, the failure names what has it instead."""
    try:
        expect(target).to_be_focused()
    except AssertionError as missed:
        holder = target.page.evaluate(
            "document.activeElement ? document.activeElement.outerHTML.slice(0, 300) : ''"
        )
        raise AssertionError(f"{missed}\nthe focus is on: {holder}") from None


def confirm_from_annuller(page: Page, dialog: Locator, confirm: str) -> None:
    """In a dialog that waits on Annuller: Shift+Tab to its `confirm` button, and Enter."""
    expect_focused(dialog.get_by_role("button", name="Annuller"))
    page.keyboard.press("Shift+Tab")
    expect_focused(dialog.get_by_role("button", name=confirm))
    page.keyboard.press("Enter")


def focused_text(page: Page) -> str:
    return str(page.evaluate("document.activeElement ? document.activeElement.innerText || '' : ''")).strip()


def who_for(page: Page) -> tuple[str, str, str]:
    """A representative of this test's own, by the viewport, so the two runs do not meet in the list."""
    size = page.viewport_size or {"width": 0}
    last = "Skærmsen" if size["width"] > 600 else "Telefonsen"
    return "Tastatur", last, f"tastatur.{last.lower().replace('æ', 'ae')}@example.org"


def test_a_code_is_made_copied_renewed_and_revoked_by_keyboard_alone(page: Page, stack: RunningStack):
    # Given the demo administrator, signed in
    page.goto(stack.console_url)
    sign_in_as_demo(page, stack.demo, "admin")
    first_name, last_name, email = who_for(page)
    who = f"{first_name} {last_name}"

    # When the tab Godkendelseskode is opened and "Tilføj en ny kode" chosen with the keyboard
    tab_to(page, page.get_by_role("tab", name="Godkendelseskode"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Tilføj en ny kode"))
    page.keyboard.press("Enter")

    # Then the keyboard is in the form's first field, and the form is filled in and sent from there
    expect_focused(page.get_by_label("Fornavn", exact=True))
    page.keyboard.type(first_name)
    page.keyboard.press("Tab")
    expect_focused(page.get_by_label("Efternavn", exact=True))
    page.keyboard.type(last_name)
    page.keyboard.press("Tab")
    expect_focused(page.get_by_label("E-mail", exact=True))
    page.keyboard.type(email)
    tab_to(page, page.get_by_role("button", name="Tilføj ny kode"))
    page.keyboard.press("Enter")

    # And the keyboard lands on the new code, one Tab from the button that copies it
    new_code = page.get_by_label("Din nye godkendelseskode", exact=True)
    expect_focused(new_code)
    first = new_code.inner_text().strip()
    assert CODE.match(first), first
    page.keyboard.press("Tab")
    expect_focused(page.get_by_role("button", name="Kopiér godkendelseskoden"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Koden er kopieret.").first).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == first

    # When "Opdater" is chosen on the code, which is in use
    renew = page.get_by_role("button", name=f"Opdater: {who}")
    tab_to(page, renew)
    page.keyboard.press("Enter")

    # Then it asks first, says the code stops working at once, and waits on Annuller
    asking = page.get_by_role("dialog", name="Opdater en kode, der er i brug?")
    expect(asking).to_be_visible()
    expect(asking).to_contain_text("holder op med at virke med det samme")
    expect_focused(asking.get_by_role("button", name="Annuller"))

    # And Escape leaves the code as it was, the keyboard back on "Opdater"
    page.keyboard.press("Escape")
    expect(asking).to_be_hidden()
    expect_focused(renew)
    expect(page.get_by_text(first, exact=True).first).to_be_visible()

    # When it is asked again and confirmed
    page.keyboard.press("Enter")
    confirm_from_annuller(page, asking, "Opdater")

    # Then the keyboard is on the new value, which replaced the old one
    renewed_code = page.get_by_label("Godkendelseskoden er opdateret", exact=True)
    expect_focused(renewed_code)
    renewed = renewed_code.inner_text().strip()
    assert CODE.match(renewed), renewed
    assert renewed != first

    # When "Tilbagekald" is chosen, the dialog waits on Annuller: Enter there cancels
    revoke = page.get_by_role("button", name=f"Tilbagekald: {who}")
    tab_to(page, revoke)
    page.keyboard.press("Enter")
    revoking = page.get_by_role("dialog", name="Tilbagekald godkendelseskoden?")
    expect_focused(revoking.get_by_role("button", name="Annuller"))
    page.keyboard.press("Enter")
    expect(revoking).to_be_hidden()
    expect_focused(revoke)

    # And confirmed, the revocation says what happened, where the keyboard is
    page.keyboard.press("Space")
    confirm_from_annuller(page, revoking, "Tilbagekald")
    said = page.get_by_role("status").filter(has_text="Koden er tilbagekaldt. Den kan ikke længere bruges.")
    expect_focused(said)
    expect(revoke).to_have_count(0)
    assert focused_text(page) == "Koden er tilbagekaldt. Den kan ikke længere bruges."


def listed_as_expired(route: Route) -> None:
    """The API's list of codes with every code expired, as the list looks 60 days on."""
    answer = route.fetch()
    listed = answer.json()
    for code in listed["items"]:
        code["status"] = "expired"
    route.fulfill(response=answer, body=json.dumps(listed))


def test_an_expired_code_is_renewed_in_one_step_and_a_cancelled_form_gives_the_keyboard_back(
    page: Page, stack: RunningStack
):
    # Given the demo administrator on the tab Godkendelseskode, with a code of the administrator's own
    page.goto(stack.console_url)
    sign_in_as_demo(page, stack.demo, "admin")
    first_name, last_name, email = who_for(page)
    first_name = "Udløbet"
    page.get_by_role("tab", name="Godkendelseskode").click()
    add = page.get_by_role("button", name="Tilføj en ny kode")
    add.click()
    page.get_by_label("Fornavn", exact=True).fill(first_name)
    page.get_by_label("Efternavn", exact=True).fill(last_name)
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_role("button", name="Tilføj ny kode").click()
    first = page.get_by_label("Din nye godkendelseskode", exact=True).inner_text().strip()

    # When the form is opened again and cancelled with the keyboard
    add.click()
    expect_focused(page.get_by_label("Fornavn", exact=True))
    page.get_by_role("button", name="Annuller").focus()
    page.keyboard.press("Enter")

    # Then the keyboard is back on the button that opened it
    expect_focused(add)

    # When the code has expired (the list says so) and "Opdater" is chosen
    page.route(re.compile(r"/v1/codes(\?.*)?$"), listed_as_expired)
    page.get_by_label("Vis koder").select_option("active")  # asks the list again, through the route
    page.get_by_role("button", name=f"Opdater: {first_name} {last_name}").click()

    # Then it is renewed at once, as the help pages describe, the keyboard on the new value
    renewed_code = page.get_by_label("Godkendelseskoden er opdateret", exact=True)
    expect_focused(renewed_code)
    assert renewed_code.inner_text().strip() != first
    expect(page.get_by_role("dialog")).to_have_count(0)


def pending_review(route: Route) -> None:
    """The API's answer about the signed-in person, as it is while staff have not yet approved the
    organisation."""
    answer = route.fetch()
    me = answer.json()
    me["organisation"]["status"] = "pending_review"
    route.fulfill(response=answer, body=json.dumps(me))


def test_before_approval_the_codes_tab_explains_instead_of_offering_a_form(page: Page, stack: RunningStack):
    # Given an administrator whose organisation staff have not approved yet
    page.route(re.compile(r"/v1/me(\?.*)?$"), pending_review)
    page.goto(stack.console_url)
    sign_in_as_demo(page, stack.demo, "admin")

    # When the tab Godkendelseskode is opened
    page.get_by_role("tab", name="Godkendelseskode").click()

    # Then it says when codes can be made, and offers no form to fill in first
    explained = page.get_by_text("Når jeres organisation er godkendt, kan I oprette godkendelseskoder")
    expect(explained).to_be_visible()
    expect(page.get_by_role("button", name="Tilføj en ny kode")).to_have_count(0)
    expect(page.get_by_label("Fornavn", exact=True)).to_have_count(0)


def a_colleague(stack: RunningStack, page: Page) -> str:
    """An active colleague of the demo organisation, made through the API as an administrator makes one;
    answers the name the console lists."""
    demo, cognito = stack.demo, stack.cognito()
    client_id = demo["cognito"]["client_id"]
    admin = demo["users"]["admin"]
    api: Api = signed_in(
        stack.api, cognito, client_id, Credentials(admin["username"], admin["password"], admin["totp_secret"])
    )
    cvr = api.call("GET", "/v1/me")["companies"][0]["cvr"]
    phone = (page.viewport_size or {"width": 0})["width"] < 600
    last = "Telefonsen" if phone else "Skærmsen"
    body = {
        "first_name": "Bodil",
        "last_name": last,
        "email": f"bodil.{last.lower().replace('æ', 'ae')}@roedekors-aarhus.example",
        "mobile": "+4531313131" if phone else "+4532323232",
        "functions": ["codes"],
        "companies": [{"cvr": cvr, "access": "full"}],
    }
    add_colleague(api, cognito, client_id, stack.state_dir / "mail", body, "Bodils-Adgang-2026")
    return f"Bodil {last}"


def test_deactivating_and_deleting_a_colleague_open_on_annuller_and_say_what_happened(
    page: Page, stack: RunningStack
):
    # Given an active colleague, and the demo administrator on the tab Selvbetjeningsbrugere
    who = a_colleague(stack, page)
    page.goto(stack.console_url)
    sign_in_as_demo(page, stack.demo, "admin")
    page.get_by_role("tab", name="Selvbetjeningsbrugere").click()

    # When the form for a new colleague is opened with the keyboard, the keyboard is in its first field
    create = page.get_by_role("button", name="Opret selvbetjeningsbruger")
    create.focus()
    page.keyboard.press("Enter")
    expect_focused(page.get_by_label("Fornavn", exact=True))
    page.get_by_role("button", name="Annuller").click()

    # When "Deaktiver" is chosen, the dialog waits on Annuller, and Escape gives the keyboard back
    deactivate = page.get_by_role("button", name=f"Deaktiver: {who}")
    deactivate.focus()
    page.keyboard.press("Enter")
    asking = page.get_by_role("dialog", name="Deaktiver brugeren?")
    expect_focused(asking.get_by_role("button", name="Annuller"))
    page.keyboard.press("Escape")
    expect(asking).to_be_hidden()
    expect_focused(deactivate)

    # And confirmed, the console says what happened to whom, where the keyboard is
    page.keyboard.press("Enter")
    asking.get_by_role("button", name="Deaktiver").click()
    said = page.get_by_role("status").filter(has_text=f"{who} er deaktiveret")
    expect_focused(said)
    expect(said).to_contain_text("kan ikke logge ind")

    # When "Slet" is chosen, Enter on the way in cancels
    delete = page.get_by_role("button", name=f"Slet: {who}")
    delete.focus()
    page.keyboard.press("Enter")
    deleting = page.get_by_role("dialog", name="Slet brugeren?")
    expect_focused(deleting.get_by_role("button", name="Annuller"))
    page.keyboard.press("Enter")
    expect(deleting).to_be_hidden()
    expect_focused(delete)

    # And confirmed, the deletion is said, where the keyboard is
    page.keyboard.press("Enter")
    deleting.get_by_role("button", name="Slet").click()
    gone = page.get_by_role("status").filter(has_text=f"{who} er slettet")
    expect_focused(gone)
    expect(page.get_by_role("button", name=f"Slet: {who}")).to_have_count(0)


def test_spaer_noegle_opens_on_annuller_and_says_the_key_is_revoked(page: Page, stack: RunningStack):
    # Given staff on the tab Leverandører, a new key issued to the demo vendor
    page.goto(stack.console_url)
    sign_in_as_demo(page, stack.demo, "staff")
    page.get_by_role("link", name="Sagsbehandling").click()
    page.get_by_role("tab", name="Leverandører").click()
    page.get_by_role("button", name="Udsted ny nøgle: TechShop Demo ApS").click()
    shown = page.get_by_label("Den nye API-nøgle", exact=True)
    expect_focused(shown)
    _, _, key_id, _ = shown.inner_text().strip().split("_")

    # When "Spær nøgle" is chosen, the dialog waits on Annuller, and Enter there cancels
    revoke = page.get_by_role("button", name=f"Spær nøgle: TechShop Demo ApS {key_id}")
    revoke.focus()
    page.keyboard.press("Enter")
    asking = page.get_by_role("dialog", name="Spær API-nøglen")
    expect_focused(asking.get_by_role("button", name="Annuller"))
    page.keyboard.press("Enter")
    expect(asking).to_be_hidden()
    expect_focused(revoke)

    # And confirmed, it says what happened, where the keyboard is
    page.keyboard.press("Enter")
    confirm_from_annuller(page, asking, "Spær nøgle")
    said = page.get_by_role("status").filter(has_text="Nøglen er spærret.")
    expect_focused(said)
    expect(revoke).to_have_count(0)
