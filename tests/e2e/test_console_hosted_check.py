"""The hosted check end to end, in Chromium through the local stack: a vendor's person registers the shop's
origin in Leverandør; the vendor's key makes a check whose redirect_url is on a small listener on 127.0.0.1;
the representative opens the check's url, pastes a demo code, sees the organisation's and the vendor's names,
confirms, and lands at the listener with the check's id and a receipt in the fragment; the receipt verifies
with PyJWT against /.well-known/jwks.json, and GET /v1/checks/{check_id} reports the check completed. The page
also fits a phone (390x844) without sideways scrolling, speaks English when the person switches, and says why
a wrong code is not valid and lets the person try again."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.e2e.axe import assert_accessible
from tests.e2e.browser import new_context, page_of_its_own, sized_page, watch_policy_violations
from tests.e2e.conftest import RunningStack
from tests.e2e.test_console_vendor import (
    a_demo_code,
    accept_from_the_mail,
    api,
    enrol_and_sign_in,
    token_of,
)

pytestmark = pytest.mark.e2e

PHONE: ViewportSize = {"width": 390, "height": 844}

# The vendor's page at the listener: a page of its own, accessible, so the check ends somewhere real.
SHOP_PAGE = (
    b'<!doctype html><html lang="da"><head><meta charset="utf-8"><title>Butikken</title></head>'
    b"<body><main><h1>Tak for koden</h1></main></body></html>"
)


class ShopHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(SHOP_PAGE)))
        self.end_headers()
        self.wfile.write(SHOP_PAGE)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def shop() -> Iterator[str]:
    """The vendor's site on loopback; answers its origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), ShopHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from page_of_its_own(browser, stack.console_url, request)


@pytest.fixture
def sized(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from sized_page(browser, stack.console_url, request, "hosted-check")


@pytest.fixture(scope="module")
def shop_vendor(browser: Browser, stack: RunningStack, shop: str) -> dict[str, Any]:
    """A vendor whose contact registered the shop's origin in Leverandør (in a context of its own), for the
    tests of the representative's page alone."""
    vendor = a_vendor_with_a_contact(stack, "sider@leverandor.example", "Sidebutikken ApS")
    context = new_context(browser, stack.console_url)
    try:
        page = context.new_page()
        enrol_and_sign_in(page, stack, accept_from_the_mail(page, stack, "sider@leverandor.example"))
        page.get_by_label("Adresser", exact=True).fill(shop)
        page.get_by_role("button", name="Gem adresser").click()
        expect(page.get_by_text("Adresserne er gemt.")).to_be_visible()
    finally:
        context.close()
    return vendor


def a_check(stack: RunningStack, vendor: dict[str, Any], shop: str) -> dict[str, Any]:
    body = {"redirect_url": f"{shop}/tilbage"}
    made = api(stack, "POST", "/v1/checks", vendor["key"]["api_key"], json=body)
    assert made.status_code == 201, made.text
    check: dict[str, Any] = made.json()
    return check


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


def a_vendor_with_a_contact(stack: RunningStack, email: str, name: str) -> dict[str, Any]:
    contact = {"first_name": "Mette", "last_name": "Holm", "email": email, "mobile": "+45 20 30 40 50"}
    body = {"name": name, "contact_email": email, "contact": contact}
    created = api(stack, "POST", "/v1/staff/vendors", token_of(stack, "staff"), json=body)
    assert created.status_code == 201, created.text
    vendor: dict[str, Any] = created.json()
    return vendor


def test_a_hosted_check_ends_at_the_vendors_address_with_a_receipt_that_verifies(
    page: Page, stack: RunningStack, shop: str
):
    refused = watch_policy_violations(page)
    # Given a vendor whose contact registers the shop's origin in Leverandør, and a demo organisation's code
    vendor_name = "Kontrolbutikken ApS"
    vendor = a_vendor_with_a_contact(stack, "kontrol@leverandor.example", vendor_name)
    code = a_demo_code(stack)
    organisation = api(stack, "GET", "/v1/organisation", token_of(stack, "admin")).json()["name"]
    username = accept_from_the_mail(page, stack, "kontrol@leverandor.example")
    enrol_and_sign_in(page, stack, username)
    page.get_by_label("Adresser", exact=True).fill(shop)
    page.get_by_role("button", name="Gem adresser").click()
    expect(page.get_by_text("Adresserne er gemt.")).to_be_visible()

    # When the vendor's server makes a check that returns to the shop
    api_key = vendor["key"]["api_key"]
    made = api(stack, "POST", "/v1/checks", api_key, json={"redirect_url": f"{shop}/tilbage?ordre=7"})
    assert made.status_code == 201, made.text
    check = made.json()
    assert urlsplit(check["url"]).fragment == check["check_id"]

    # And the representative opens it, pastes the code and goes on
    page.goto(check["url"])
    expect(page.get_by_role("heading", name="Vis din godkendelseskode")).to_be_visible()
    expect(page.get_by_text(re.compile(f"^{re.escape(vendor_name)} vil gerne se"))).to_be_visible()
    assert check["check_id"] not in page.url  # the id leaves the address bar
    page.get_by_label("Godkendelseskode", exact=True).fill(code)
    page.get_by_role("button", name="Næste").click()

    # Then they see which organisation and representative the code is for, and whom it is shown to
    expect(page.get_by_role("heading", name="Er det rigtigt?")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text=organisation)).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="Rasmus Frivillig")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text=vendor_name)).to_be_visible()
    assert_accessible(page, "the hosted check's confirmation")

    # When they confirm
    page.get_by_role("button", name="Bekræft").click()

    # Then the browser lands at the shop with the check's id and the receipt in the fragment, never the code
    page.wait_for_url(re.compile(rf"^{re.escape(shop)}/tilbage\?ordre=7#"))
    expect(page.get_by_role("heading", name="Tak for koden")).to_be_visible()
    landed = urlsplit(page.url)
    fragment = parse_qs(landed.fragment)
    assert fragment["check_id"] == [check["check_id"]]
    assert code.split("@")[0].lower() not in page.url.lower()
    # And the receipt verifies against the published keys alone
    keys = jwt.PyJWKSet.from_dict(api(stack, "GET", "/.well-known/jwks.json", None).json())
    receipt = fragment["receipt"][0]
    kid = jwt.get_unverified_header(receipt)["kid"]
    claims = jwt.decode(
        receipt, keys[kid], algorithms=["EdDSA"], audience=vendor["vendor_id"], options={"verify_iss": False}
    )
    assert claims["organisation"]["name"] == organisation
    assert claims["representative"] == {"first_name": "Rasmus", "last_name": "Frivillig"}
    # And the vendor's GET reports the check completed, with that receipt
    outcome = api(stack, "GET", f"/v1/checks/{check['check_id']}", api_key)
    assert outcome.status_code == 200, outcome.text
    assert (outcome.json()["status"], outcome.json()["validation_id"]) == ("completed", claims["sub"])
    assert refused == []


@pytest.mark.parametrize("sized", [PHONE], indirect=True, ids=["390x844"])
def test_the_hosted_check_fits_a_phone_without_sideways_scrolling(
    sized: Page, stack: RunningStack, shop: str, shop_vendor: dict[str, Any]
):
    # Given a check and a demo organisation's code
    code = a_demo_code(stack)
    check = a_check(stack, shop_vendor, shop)

    # When the representative opens the check on a phone
    sized.goto(check["url"])

    # Then the page asks for the code without sideways scrolling
    expect(sized.get_by_role("heading", name="Vis din godkendelseskode")).to_be_visible()
    expect(sized.get_by_label("Godkendelseskode", exact=True)).to_be_visible()
    assert no_sideways_scroll(sized)

    # And when they give the code, whom it is for fits the phone too
    sized.get_by_label("Godkendelseskode", exact=True).fill(code)
    sized.get_by_role("button", name="Næste").click()
    expect(sized.get_by_role("heading", name="Er det rigtigt?")).to_be_visible()
    expect(sized.get_by_role("definition").filter(has_text="Sidebutikken ApS")).to_be_visible()
    expect(sized.get_by_role("button", name="Bekræft")).to_be_in_viewport()
    assert no_sideways_scroll(sized)


def test_the_hosted_check_speaks_english_when_the_person_switches(
    page: Page, stack: RunningStack, shop: str, shop_vendor: dict[str, Any]
):
    # Given a check, opened in Danish (the console's language until the person chooses)
    code = a_demo_code(stack)
    check = a_check(stack, shop_vendor, shop)
    page.goto(check["url"])
    expect(page.get_by_role("heading", name="Vis din godkendelseskode")).to_be_visible()

    # When the person switches to English
    page.get_by_role("button", name=re.compile("English")).first.click()

    # Then the page asks in English, for the same check
    expect(page.get_by_role("heading", name="Show your validation code")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text(re.compile(r"^Sidebutikken ApS would like to see"))).to_be_visible()

    # And when they give the code, the confirmation is in English too
    page.get_by_label("Validation code", exact=True).fill(code)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Is this right?")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="Rasmus Frivillig")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm")).to_be_visible()


def test_a_wrong_code_says_why_and_the_person_can_try_again(
    page: Page, stack: RunningStack, shop: str, shop_vendor: dict[str, Any]
):
    # Given a check, and a code typed with one character wrong
    code = a_demo_code(stack)
    value, handle = code.split("@")
    wrong = f"{'1' if value[0] == '0' else '0'}{value[1:]}@{handle}"
    check = a_check(stack, shop_vendor, shop)
    page.goto(check["url"])

    # When the person gives the wrong code
    page.get_by_label("Godkendelseskode", exact=True).fill(wrong)
    page.get_by_role("button", name="Næste").click()

    # Then the page says in words why, and keeps the field to try again
    # (one alert, not an alert within an alert, so a screen reader says it once)
    expect(page.get_by_role("alert")).to_have_count(1)
    expect(page.get_by_role("alert")).to_have_text(
        "Koden findes ikke. Tjek, at du har skrevet den præcis som i e-mailen."
    )
    expect(page.get_by_role("heading", name="Er det rigtigt?")).to_have_count(0)
    field = page.get_by_label("Godkendelseskode", exact=True)
    expect(field).to_be_editable()

    # And when they type it right, they are shown whom it is for, the complaint gone
    field.fill(code)
    page.get_by_role("button", name="Næste").click()
    expect(page.get_by_role("heading", name="Er det rigtigt?")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_role("button", name="Bekræft")).to_be_visible()


def test_a_check_given_too_many_wrong_codes_is_closed_and_sends_the_person_back_to_the_vendor(
    page: Page, stack: RunningStack, shop: str, shop_vendor: dict[str, Any]
):
    # Given a check, opened by someone who does not have a code
    check = a_check(stack, shop_vendor, shop)
    page.goto(check["url"])
    field = page.get_by_label("Godkendelseskode", exact=True)

    # When they give four codes that are not valid
    for n in range(4):
        field.fill(f"{n:08d}@Nobody")
        with page.expect_response(lambda r: r.url.endswith("/v1/hosted-check/code")):
            page.get_by_role("button", name="Næste").click()
        # Then each time the page says why and keeps the field
        expect(page.get_by_role("alert")).to_have_text(
            "Koden findes ikke. Tjek, at du har skrevet den præcis som i e-mailen."
        )
        expect(field).to_be_editable()

    # When they give a fifth
    field.fill("99999999@Nobody")
    page.get_by_role("button", name="Næste").click()

    # Then the page says in Danish that the check is closed and they must start again at the vendor's, and
    # asks for no more codes
    expect(page.get_by_role("alert")).to_have_text(
        "Kontrollen er lukket, fordi der er prøvet for mange koder, som ikke er gyldige. Gå tilbage til "
        "leverandørens side, og start forfra."
    )
    expect(page.get_by_label("Godkendelseskode", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Næste")).to_have_count(0)
    # And the vendor reads that the check failed, and why
    outcome = api(stack, "GET", f"/v1/checks/{check['check_id']}", shop_vendor["key"]["api_key"])
    assert (outcome.json()["status"], outcome.json()["failure_reason"]) == ("failed", "too_many_wrong_codes")
