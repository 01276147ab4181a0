"""The hosted check through the API on the emulator: the vendor's people register where a check may send the
browser back; the vendor's server makes a check; the representative's page learns what it is, sees whom the
code is for and confirms; the browser goes back with the check's id and a receipt that verifies; the vendor
reads the outcome and hears of it. Single use, an hour, the vendor's failure limit, and never the code."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.clock import Clock, StepClock
from chalicelib.container import Container, use_container
from chalicelib.container import container as current_container
from chalicelib.errors import CheckClosed, CheckUnavailable
from chalicelib.models.audit import STAFF_TRAIL, AuditModel
from chalicelib.models.check import CheckModel
from chalicelib.models.validation import FailureWindowModel, ReceiptModel
from chalicelib.models.webhook import VendorEventModel
from chalicelib.services.vendors.hosted_checks import HostedCheckService
from chalicelib.services.webhooks.signatures import verify
from tests.integration.access.test_authentication import assert_problem
from tests.integration.codes.test_codes import revoke
from tests.integration.vendors.test_receipts import published, verified
from tests.integration.vendors.test_validations import a_code
from tests.integration.webhooks.test_vendor_console_webhooks import set_endpoint
from tests.integration.webhooks.test_webhooks import Pipeline, feed
from tests.people import People, Person, VendorCaller, json_of
from tests.webhook_listener import listening

JSON = {"content-type": "application/json"}
CONSOLE = "https://console.godkend.example"
SHOP = "https://shop.example"
RETURN = f"{SHOP}/checkout/ngo?order=42"
# The documented defaults (docs/configuration.md): 20 failed checks in a sliding 5 minutes, then 429.
LIMIT = 20
# Codes that are not valid one check takes before it is closed (docs/configuration.md).
WRONG_CODES = 5


@pytest.fixture
def clock(container: Container) -> StepClock:
    clock = StepClock()
    use_container(
        Container(settings=container.settings.model_copy(update={"console_origins": (CONSOLE,)}), clock=clock)
    )
    return clock


def put_origins(client: Any, person: Person, origins: list[str]) -> Any:
    return client.http.put(
        "/v1/vendor/redirect-origins",
        headers={**person.auth, **JSON},
        body=json.dumps({"origins": origins}).encode(),
    )


def registered(client: Any, people: People, vendor: VendorCaller, *origins: str) -> Person:
    person = people.vendor_person(vendor.vendor_id)
    response = put_origins(client, person, list(origins or (SHOP,)))
    assert response.status_code == 200, response.body
    return person


def make_check(client: Any, vendor: VendorCaller, redirect_url: str = RETURN, **body: Any) -> Any:
    return client.http.post(
        "/v1/checks",
        headers={**vendor.auth, **JSON},
        body=json.dumps({"redirect_url": redirect_url, **body}).encode(),
    )


def new_check(client: Any, vendor: VendorCaller, **body: Any) -> dict[str, Any]:
    response = make_check(client, vendor, **body)
    assert response.status_code == 201, response.body
    made: dict[str, Any] = json_of(response)
    return made


def page(client: Any, path: str, body: dict[str, Any], language: str = "da") -> Any:
    return client.http.post(
        f"/v1/hosted-check{path}",
        headers={**JSON, "accept-language": language},
        body=json.dumps(body).encode(),
    )


def check_of(client: Any, vendor: VendorCaller, check_id: str) -> Any:
    return client.http.get(f"/v1/checks/{check_id}", headers=vendor.auth)


def failures_of(vendor: VendorCaller) -> int:
    return sum(int(w.failures) for w in FailureWindowModel.query(vendor.vendor_id))


# The whole way


def test_a_hosted_check_ends_at_the_registered_address_with_a_receipt_that_verifies(client, people, clock):
    # Given an approved organisation's code, and a vendor that registered its shop's origin
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    registered(client, people, vendor)

    # When the vendor's server makes a check
    made = new_check(client, vendor, reference="ordre-42")

    # Then it answers a page of the console, the check's id in the fragment only, good for an hour
    url = urlsplit(made["url"])
    assert (f"{url.scheme}://{url.netloc}", url.path, url.query, url.fragment) == (
        CONSOLE,
        "/kontrol",
        "",
        made["check_id"],
    )
    assert len(made["check_id"]) >= 22  # at least 128 random bits, URL-safe
    # And the page learns which vendor it is for
    described = page(client, "", {"check_id": made["check_id"]})
    assert described.status_code == 200, described.body
    assert json_of(described) == {
        "vendor_name": vendor.name,
        "expires_at": made["expires_at"],
        "livemode": True,
    }

    # When the representative pastes the code, the page shows whom it is for; nothing is kept yet
    shown = page(client, "/code", {"check_id": made["check_id"], "code": code["code"]})
    assert shown.status_code == 200, shown.body
    assert json_of(shown)["valid"] is True
    assert json_of(shown)["representative"] == {"first_name": "Mette", "last_name": "Hansen"}
    assert list(ReceiptModel.scan()) == []

    # And when they confirm
    confirmed = page(client, "/confirm", {"check_id": made["check_id"], "code": code["code"]})
    assert confirmed.status_code == 200, confirmed.body
    redirect = urlsplit(json_of(confirmed)["redirect_to"])

    # Then the browser goes to the vendor's address with the check's id and the signed receipt in the fragment
    assert redirect._replace(fragment="").geturl() == RETURN
    fragment = parse_qs(redirect.fragment)
    assert set(fragment) == {"check_id", "receipt"}
    assert fragment["check_id"] == [made["check_id"]]
    claims = verified(fragment["receipt"][0], published(client), vendor.vendor_id)
    assert claims["livemode"] is True
    assert claims["organisation"]["name"] == json_of(shown)["organisation"]["name"]
    # And never the code
    assert code["code"].split("@")[0] not in json_of(confirmed)["redirect_to"].lower()

    # And the vendor's GET reports it completed, with the same receipt's answer
    outcome = check_of(client, vendor, made["check_id"])
    assert outcome.status_code == 200, outcome.body
    status = json_of(outcome)
    assert (status["status"], status["reference"], status["validation_id"]) == (
        "completed",
        "ordre-42",
        claims["sub"],
    )
    assert status["result"]["representative"] == {"first_name": "Mette", "last_name": "Hansen"}
    assert verified(status["result"]["receipt"], published(client), vendor.vendor_id)["sub"] == claims["sub"]
    # And the receipt is the vendor's like any check's
    assert ReceiptModel.get(claims["sub"]).vendor_id == vendor.vendor_id

    # And a `check.completed` event waits for the vendor, with the check, the reference and the receipt
    [event] = [e for e in VendorEventModel.scan() if e.vendor_id == vendor.vendor_id]
    assert event.type == "check.completed"
    body = event.body()
    assert (body["data"]["check_id"], body["data"]["reference"], body["data"]["validation_id"]) == (
        made["check_id"],
        "ordre-42",
        claims["sub"],
    )
    assert code["code"].split("@")[0] not in json.dumps(body).lower()
    # And the feed shows it, once it has settled
    clock.step(timedelta(minutes=1))
    feed = client.http.get("/v1/events", headers=vendor.auth)
    assert feed.status_code == 200, feed.body
    assert [e["type"] for e in json_of(feed)["items"]] == ["check.completed"]


def test_nothing_of_the_code_is_kept_on_the_check(client, people, clock):
    # Given a completed check
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    registered(client, people, vendor)
    made = new_check(client, vendor)
    page(client, "/code", {"check_id": made["check_id"], "code": "abcdefgh@Nobody"})
    assert page(client, "/confirm", {"check_id": made["check_id"], "code": code["code"]}).status_code == 200

    # Then the check's item holds neither the code nor its random part
    stored = json.dumps(CheckModel.get(made["check_id"]).to_simple_dict()).lower()
    assert code["code"].split("@")[0] not in stored
    assert "abcdefgh" not in stored


# Where the browser may be sent


@pytest.mark.parametrize(
    "redirect_url",
    [
        "https://shop.example.evil.example/checkout",  # the registered origin as a prefix of another host
        "https://evil.example/https://shop.example/",
        "https://shop.example:8443/checkout",  # another port
    ],
)
def test_a_redirect_url_off_a_registered_origin_is_refused_with_a_field_error(
    client, people, clock, redirect_url
):
    vendor = people.vendor()
    registered(client, people, vendor)

    response = make_check(client, vendor, redirect_url)

    body = assert_problem(response, 400, "invalid-input")
    assert [e["field"] for e in body["errors"]] == ["redirect_url"]
    assert "register" in body["errors"][0]["message"]
    assert list(CheckModel.scan()) == []


@pytest.mark.parametrize(
    "redirect_url",
    [
        "https://shop.example@evil.example/",  # user info: the host is evil.example
        "https://shop.example/checkout#step",  # a fragment: the answer goes there
        "http://shop.example/checkout",  # plain http off loopback
        "javascript:alert(1)",
        "//shop.example/checkout",
        "shop.example/checkout",
    ],
)
def test_a_redirect_url_that_is_no_plain_address_is_refused(client, people, clock, redirect_url):
    vendor = people.vendor()
    registered(client, people, vendor)

    body = assert_problem(make_check(client, vendor, redirect_url), 400, "invalid-input")

    assert [e["field"] for e in body["errors"]] == ["redirect_url"]


def test_a_vendor_without_registered_origins_is_told_to_register_one(client, people, clock):
    body = assert_problem(make_check(client, people.vendor()), 400, "invalid-input")
    assert "PUT /v1/vendor/redirect-origins" in body["errors"][0]["message"]


def test_origins_are_kept_normalised_and_the_change_is_audited(client, people, clock):
    # Given a vendor's person
    vendor = people.vendor()
    person = people.vendor_person(vendor.vendor_id)

    # When they register origins, one twice in other letters, one with its default port, one on loopback
    response = put_origins(
        client, person, ["https://Shop.Example", "https://shop.example:443/", "http://127.0.0.1:8765"]
    )

    # Then they are kept normalised, each once
    assert response.status_code == 200, response.body
    assert json_of(response) == {"origins": ["https://shop.example", "http://127.0.0.1:8765"]}
    got = client.http.get("/v1/vendor/redirect-origins", headers=person.auth)
    assert json_of(got) == json_of(response)
    # And the staff trail says who changed them
    [entry] = [a for a in AuditModel.query(STAFF_TRAIL) if a.action == "vendor.redirect_origins_set"]
    assert (entry.actor_id, entry.targets["vendor_id"]) == (person.user_id, vendor.vendor_id)


@pytest.mark.parametrize(
    "origin",
    [
        "http://shop.example",  # http off loopback
        "https://shop.example/checkout",  # a path
        "https://shop.example?x=1",
        "https://shop.example#x",
        "https://user@shop.example",
        "ftp://shop.example",
        "shop.example",
        "https://",
    ],
)
def test_an_origin_must_be_bare_https_or_http_on_loopback(client, people, clock, origin):
    vendor = people.vendor()
    person = people.vendor_person(vendor.vendor_id)

    body = assert_problem(put_origins(client, person, [SHOP, origin]), 400, "invalid-input")

    assert [e["field"] for e in body["errors"]] == ["origins.1"]
    assert json_of(client.http.get("/v1/vendor/redirect-origins", headers=person.auth)) == {"origins": []}


def test_at_most_a_few_origins(client, people, clock):
    person = people.vendor_person(people.vendor().vendor_id)
    many = [f"https://shop{n}.example" for n in range(6)]
    assert_problem(put_origins(client, person, many), 400, "invalid-input")


def test_an_api_key_cannot_set_origins(client, people, clock):
    vendor = people.vendor()
    response = client.http.put(
        "/v1/vendor/redirect-origins", headers={**vendor.auth, **JSON}, body=b'{"origins": []}'
    )
    assert response.status_code == 401


# Single use, an hour


def test_a_check_is_used_once(client, people, clock):
    # Given a check confirmed with a valid code
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    registered(client, people, vendor)
    made = new_check(client, vendor)
    body = {"check_id": made["check_id"], "code": code["code"]}
    assert page(client, "/confirm", body).status_code == 200

    # When it is confirmed again, or opened again
    again = page(client, "/confirm", body)
    opened = page(client, "", {"check_id": made["check_id"]})

    # Then both are refused, in Danish words that send the representative back to the vendor
    for response in (again, opened):
        problem = assert_problem(response, 404, "check-unavailable")
        assert "Gå tilbage til leverandørens side" in problem["detail"]
    # And there is one receipt
    assert len(list(ReceiptModel.scan())) == 1


def test_a_check_expires_after_an_hour(client, people, clock):
    # Given a check an hour old
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    registered(client, people, vendor)
    made = new_check(client, vendor)
    clock.step(timedelta(hours=1))

    # Then the page cannot use it, and the vendor sees it expired
    assert_problem(page(client, "", {"check_id": made["check_id"]}), 404, "check-unavailable")
    confirm = page(client, "/confirm", {"check_id": made["check_id"], "code": code["code"]}, "en")
    assert "Go back to the vendor's page" in assert_problem(confirm, 404, "check-unavailable")["detail"]
    assert json_of(check_of(client, vendor, made["check_id"]))["status"] == "expired"
    assert list(ReceiptModel.scan()) == []


def test_an_unknown_check_is_unavailable(client, people, clock):
    for check_id in ("A" * 32, "nope", "../../etc"):
        assert_problem(page(client, "", {"check_id": check_id}), 404, "check-unavailable")


def test_a_check_whose_key_was_revoked_cannot_be_completed(client, people, clock):
    # Given a check made with a key its vendor's person then revokes
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    person = registered(client, people, vendor)
    made = new_check(client, vendor)
    key_id = vendor.api_key.split("_")[2]
    assert client.http.delete(f"/v1/vendor/keys/{key_id}", headers=person.auth).status_code == 200

    # Then the check cannot be confirmed
    confirm = page(client, "/confirm", {"check_id": made["check_id"], "code": code["code"]})
    assert_problem(confirm, 404, "check-unavailable")
    assert list(ReceiptModel.scan()) == []


# Codes that are not valid


def test_a_code_that_is_not_valid_says_why_and_counts_against_the_vendors_limit(client, people, clock):
    # Given a check, and a revoked code
    _, admin, code = a_code(client, people)
    revoke(client, admin, code["code_id"])
    vendor = people.vendor()
    registered(client, people, vendor)
    made = new_check(client, vendor)

    # When the page is given the revoked code, then a made-up one
    shown = page(client, "/code", {"check_id": made["check_id"], "code": code["code"]})
    confirmed = page(client, "/confirm", {"check_id": made["check_id"], "code": "zzzzzzzz@Nobody"})

    # Then it says why, keeps nothing, and each counted as a failed check of the vendor
    assert (json_of(shown)["valid"], json_of(shown)["reason"], json_of(shown)["organisation"]) == (
        False,
        "revoked",
        None,
    )
    assert (json_of(confirmed)["valid"], json_of(confirmed)["reason"], json_of(confirmed)["redirect_to"]) == (
        False,
        "unknown",
        None,
    )
    assert failures_of(vendor) == 2
    assert list(ReceiptModel.scan()) == []
    # And the check is still pending
    assert json_of(check_of(client, vendor, made["check_id"]))["status"] == "pending"


def test_the_page_is_refused_once_the_vendor_is_over_its_failure_limit(client, people, clock):
    # Given a vendor whose hosted checks failed as often as its limit allows, from many callers (a new check
    # before each one would close)
    vendor = people.vendor()
    registered(client, people, vendor)
    hosted = current_container().hosted_checks
    for n in range(LIMIT):
        if n % (WRONG_CODES - 1) == 0:
            made = new_check(client, vendor)
        tried = hosted.preview(made["check_id"], f"{n:08d}@Nobody", source_ip=f"198.51.100.{n}")
        assert tried.valid is False

    # Then the page is answered 429, as the vendor's own check is: the page is no way round the limit
    refused = page(client, "/code", {"check_id": made["check_id"], "code": "aaaaaaaa@Nobody"})
    assert_problem(refused, 429, "too-many-requests")
    direct = client.http.post(
        "/v1/validations", headers={**vendor.auth, **JSON}, body=b'{"code": "aaaaaaaa@Nobody"}'
    )
    assert direct.status_code == 429


def test_one_caller_cannot_use_up_the_vendors_failures_through_the_page(client, people, clock):
    # Given a stranger holding the vendor's checks who tries code after code (a new check before each one
    # would close)
    vendor = people.vendor()
    registered(client, people, vendor)
    tries = current_container().settings.hosted_check_codes_per_caller_per_hour
    assert tries < LIMIT
    for n in range(tries):
        if n % (WRONG_CODES - 1) == 0:
            made = new_check(client, vendor)
        answer = page(client, "/code", {"check_id": made["check_id"], "code": f"{n:08d}@Nobody"})
        assert json_of(answer)["valid"] is False

    # When they try one more, on the preview or the confirmation
    for path in ("/code", "/confirm"):
        refused = page(client, path, {"check_id": made["check_id"], "code": "aaaaaaaa@Nobody"})

        # Then they are refused before the code is looked at
        assert_problem(refused, 429, "too-many-requests")
        assert refused.headers["Retry-After"]

    # And the vendor's own checks still go on: the stranger used up no more than their own share
    direct = client.http.post(
        "/v1/validations", headers={**vendor.auth, **JSON}, body=b'{"code": "aaaaaaaa@Nobody"}'
    )
    assert direct.status_code == 200, direct.body
    assert json_of(direct)["valid"] is False


# Wrong codes per check


def test_a_check_closes_after_five_wrong_codes_from_callers_that_change_address(client, people, clock):
    # Given a vendor's check, and a caller who changes address before every try
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    registered(client, people, vendor)
    made = new_check(client, vendor, reference="ordre-7")
    hosted = current_container().hosted_checks

    # When they give four codes that are not valid, on the preview and the confirmation
    for n in range(WRONG_CODES - 1):
        tries = (hosted.preview, hosted.confirm)
        answer = tries[n % 2](made["check_id"], f"{n:08d}@Nobody", source_ip=f"203.0.113.{n}")
        # Then each is answered not valid, and the check stays open
        assert answer.valid is False
    assert json_of(check_of(client, vendor, made["check_id"]))["status"] == "pending"

    # When they give a fifth, from yet another address
    fifth = page(client, "/code", {"check_id": made["check_id"], "code": "zzzzzzzz@Nobody"})

    # Then the check is closed, in Danish words that send the person back to the vendor
    problem = assert_problem(fifth, 404, "check-closed")
    assert problem["title"] == "Kontrollen er lukket"
    assert "for mange koder" in problem["detail"]
    assert "Gå tilbage til leverandørens side, og start forfra" in problem["detail"]
    # And the page can no longer open it, nor confirm even the right code with it
    assert_problem(page(client, "", {"check_id": made["check_id"]}), 404, "check-closed")
    right = page(client, "/confirm", {"check_id": made["check_id"], "code": code["code"]}, "en")
    assert "start again" in assert_problem(right, 404, "check-closed")["detail"]
    assert list(ReceiptModel.scan()) == []
    # And the vendor reads that it failed, and why
    status = json_of(check_of(client, vendor, made["check_id"]))
    assert (status["status"], status["failure_reason"], status["reference"]) == (
        "failed",
        "too_many_wrong_codes",
        "ordre-7",
    )
    assert status["created_at"] <= status["failed_at"] <= status["expires_at"]
    assert (status["completed_at"], status["validation_id"], status["result"]) == (None, None, None)


def test_the_cap_is_a_setting(client, people, clock):
    # Given a stage that lets a check take two codes that are not valid
    use_container(
        Container(
            settings=current_container().settings.model_copy(
                update={"hosted_check_wrong_codes_per_check": 2}
            ),
            clock=clock,
        )
    )
    vendor = people.vendor()
    registered(client, people, vendor)
    made = new_check(client, vendor)

    # When two are given
    first = page(client, "/code", {"check_id": made["check_id"], "code": "aaaaaaaa@Nobody"})
    second = page(client, "/confirm", {"check_id": made["check_id"], "code": "bbbbbbbb@Nobody"})

    # Then the second closes it
    assert json_of(first)["valid"] is False
    assert_problem(second, 404, "check-closed")
    assert json_of(check_of(client, vendor, made["check_id"]))["status"] == "failed"


def test_two_wrong_codes_at_once_cannot_both_slip_under_the_cap(client, people, clock):
    # Given a check one wrong code short of its cap, and a page whose wrong code is overtaken, between its
    # read of the check and its count, by another wrong code for the same check
    vendor = people.vendor()
    registered(client, people, vendor)
    made = new_check(client, vendor)
    hosted = current_container().hosted_checks
    for n in range(WRONG_CODES - 2):
        assert hosted.preview(made["check_id"], f"{n:08d}@Nobody", source_ip="198.51.100.1").valid is False
    real = current_container().validations
    overtaken: list[bool] = []

    class Overtaken:
        def decide_for(self, caller: Any, raw: str) -> Any:
            decided = real.decide_for(caller, raw)
            if not overtaken:
                overtaken.append(True)
                assert (
                    service.preview(made["check_id"], "yyyyyyyy@Nobody", source_ip="198.51.100.2").valid
                    is False
                )
            return decided

    service = overtaken_by(Overtaken(), clock)

    # When the overtaken one goes on to count its wrong code
    with pytest.raises(CheckClosed):
        service.preview(made["check_id"], "xxxxxxxx@Nobody", source_ip="198.51.100.3")

    # Then both were counted, the second of them closing the check: neither slipped under the cap
    stored = CheckModel.get(made["check_id"], consistent_read=True)
    assert (stored.status, int(stored.wrong_codes)) == ("failed", WRONG_CODES)
    assert json_of(check_of(client, vendor, made["check_id"]))["status"] == "failed"


# Whose check


def test_another_vendors_check_does_not_exist_for_it(client, people, clock):
    vendor, other = people.vendor(), people.vendor()
    registered(client, people, vendor)
    made = new_check(client, vendor)

    assert_problem(check_of(client, other, made["check_id"]), 404, "not-found")
    assert_problem(check_of(client, vendor, "A" * 32), 404, "not-found")


def test_a_test_keys_check_takes_a_test_code_and_answers_livemode_false(client, people, clock):
    # Given a vendor's test key, and its registered origin
    vendor = people.vendor()
    person = registered(client, people, vendor)
    issued = client.http.post(
        "/v1/vendor/keys",
        headers={**person.auth, **JSON},
        body=json.dumps({"label": "Test", "mode": "test"}).encode(),
    )
    test = VendorCaller(vendor.vendor_id, vendor.name, json_of(issued)["api_key"])
    made = new_check(client, test)

    # When the page confirms the documented valid test code
    described = json_of(page(client, "", {"check_id": made["check_id"]}))
    confirmed = page(client, "/confirm", {"check_id": made["check_id"], "code": "valid000@GodkendTest"})

    # Then the receipt is a test receipt, and the live key does not see the test check
    assert described["livemode"] is False
    receipt = parse_qs(urlsplit(json_of(confirmed)["redirect_to"]).fragment)["receipt"][0]
    assert verified(receipt, published(client), vendor.vendor_id)["livemode"] is False
    assert json_of(check_of(client, test, made["check_id"]))["status"] == "completed"
    assert check_of(client, vendor, made["check_id"]).status_code == 404
    # And no event in the live feed: the vendor's tries are not its business
    clock.step(timedelta(minutes=1))
    assert feed(client, vendor)["items"] == []


def a_test_key(client: Any, person: Person, vendor: VendorCaller) -> VendorCaller:
    issued = client.http.post(
        "/v1/vendor/keys",
        headers={**person.auth, **JSON},
        body=json.dumps({"label": "Test", "mode": "test"}).encode(),
    )
    assert issued.status_code == 201, issued.body
    return VendorCaller(vendor.vendor_id, vendor.name, json_of(issued)["api_key"])


def test_a_test_keys_check_delivers_check_completed_marked_as_test_and_kept_out_of_the_feed(
    client, people, clock
):
    # Given a vendor whose endpoint is a listener, and a hosted check made with its test key
    vendor = people.vendor()
    person = registered(client, people, vendor)
    with listening() as listener:
        secret = json_of(set_endpoint(client, person, listener.url))["secret"]
        test = a_test_key(client, person, vendor)
        made = new_check(client, test, reference="prøve-1")

        # When the representative confirms the documented valid test code and the event side runs
        confirmed = page(client, "/confirm", {"check_id": made["check_id"], "code": "valid000@GodkendTest"})
        assert confirmed.status_code == 200, confirmed.body
        Pipeline().run()

    # Then the listener got one `check.completed`, signed, saying livemode false as the receipt does
    receipt = parse_qs(urlsplit(json_of(confirmed)["redirect_to"]).fragment)["receipt"][0]
    claims = verified(receipt, published(client), vendor.vendor_id)
    [request] = listener.received
    body = json.loads(request.body)
    assert request.headers["Godkend-Event-Type"] == "check.completed"
    assert verify(
        request.headers["Godkend-Signature"], request.body, secret, now=int(clock.now().timestamp())
    )
    assert (body["type"], body["data"]["livemode"], claims["livemode"]) == ("check.completed", False, False)
    assert (body["data"]["check_id"], body["data"]["reference"], body["data"]["validation_id"]) == (
        made["check_id"],
        "prøve-1",
        claims["sub"],
    )
    # ... the console lists it delivered, marked as a test
    listed = json_of(client.http.get("/v1/vendor/webhook/deliveries", headers=person.auth))["items"]
    assert [(i["id"], i["type"], i["test"], i["status"]) for i in listed] == [
        (body["id"], "check.completed", True, "delivered")
    ]
    # ... and the live feed never tells it, once settled
    clock.step(timedelta(minutes=1))
    assert feed(client, vendor)["items"] == []


def test_a_live_check_delivers_check_completed_with_livemode_true_and_is_in_the_feed(client, people, clock):
    # Given an approved organisation's code, and a vendor whose endpoint is a listener
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    person = registered(client, people, vendor)
    with listening() as listener:
        set_endpoint(client, person, listener.url)
        made = new_check(client, vendor)

        # When the representative confirms the code and the event side runs
        confirmed = page(client, "/confirm", {"check_id": made["check_id"], "code": code["code"]})
        assert confirmed.status_code == 200, confirmed.body
        Pipeline().run()

    # Then the listener got the `check.completed`, livemode true
    [request] = listener.received
    body = json.loads(request.body)
    assert (body["type"], body["data"]["livemode"]) == ("check.completed", True)
    # ... the console lists it, not as a test
    listed = json_of(client.http.get("/v1/vendor/webhook/deliveries", headers=person.auth))["items"]
    assert [(i["id"], i["test"]) for i in listed] == [(body["id"], False)]
    # ... and the feed tells it, as it was sent
    clock.step(timedelta(minutes=1))
    [told] = feed(client, vendor)["items"]
    assert (told["id"], told["data"]["livemode"]) == (body["id"], True)


def test_a_test_keys_checks_post_their_events_only_up_to_the_vendors_hourly_cap(client, people, clock):
    # Given a stage that posts two test-mode check events per vendor an hour, and a vendor whose endpoint is
    # a listener and who has a test key
    use_container(
        Container(
            settings=current_container().settings.model_copy(
                update={"test_check_events_per_vendor_per_hour": 2}
            ),
            clock=clock,
        )
    )
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    person = registered(client, people, vendor)
    with listening() as listener:
        set_endpoint(client, person, listener.url)
        test = a_test_key(client, person, vendor)

        # When three of its test checks are confirmed within the hour, then a live one
        made = [new_check(client, test, reference=f"prøve-{n}") for n in range(3)]
        for check in made:
            body = {"check_id": check["check_id"], "code": "valid000@GodkendTest"}
            confirmed = page(client, "/confirm", body)
            # Then each completes for the person, who is sent back to the vendor with the receipt
            assert confirmed.status_code == 200, confirmed.body
            assert "receipt=" in json_of(confirmed)["redirect_to"]
        live = new_check(client, vendor, reference="ordre-1")
        body = {"check_id": live["check_id"], "code": code["code"]}
        assert page(client, "/confirm", body).status_code == 200
        Pipeline().run()

    # Then the endpoint got the first two test events and the live one: the third test event was not sent
    told = [json.loads(request.body)["data"] for request in listener.received]
    assert sorted((data["reference"], data["livemode"]) for data in told) == [
        ("ordre-1", True),
        ("prøve-0", False),
        ("prøve-1", False),
    ]
    # And the vendor still reads every test check completed, with its receipt
    for check in made:
        status = json_of(check_of(client, test, check["check_id"]))
        assert (status["status"], status["result"]["valid"]) == ("completed", True)


class Unlimited:
    def admit(self, source_ip: str) -> None:
        pass


def overtaken_by(validations: object, clock: Clock) -> HostedCheckService:
    """The hosted check's service over `validations` (a fake that lets another request overtake this one),
    without any limit on callers, code tries or test events."""
    return HostedCheckService(
        clock=clock,
        validations=cast("Any", validations),
        console_url=CONSOLE,
        callers=Unlimited(),
        code_tries=Unlimited(),
        test_events=Unlimited(),
    )


def test_two_confirmations_racing_complete_the_check_once(client, people, clock):
    # Given a check, and a page whose confirmation is overtaken, between its read of the check and its write,
    # by another confirmation of the same check
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    registered(client, people, vendor)
    made = new_check(client, vendor)
    real = current_container().validations
    overtaken: list[bool] = []

    class Overtaken:
        def decide_for(self, caller: Any, raw: str) -> Any:
            decided = real.decide_for(caller, raw)
            if not overtaken:
                overtaken.append(True)
                service.confirm(made["check_id"], raw, source_ip="198.51.100.7")
            return decided

        def signed_answer(self, receipt: Any) -> Any:
            return real.signed_answer(receipt)

        def keep_with(self, receipt: Any) -> Any:
            return real.keep_with(receipt)

    service = overtaken_by(Overtaken(), clock)

    # When the overtaken confirmation goes on to complete the check
    with pytest.raises(CheckUnavailable):
        service.confirm(made["check_id"], code["code"], source_ip="198.51.100.8")

    # Then the check was completed once, with one receipt: the other confirmation's
    status = json_of(check_of(client, vendor, made["check_id"]))
    [receipt] = list(ReceiptModel.scan())
    assert (status["status"], status["validation_id"]) == ("completed", receipt.validation_id)
