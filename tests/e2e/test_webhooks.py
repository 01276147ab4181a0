"""The demo vendor's webhook through the local stack (`make run`): a listener on loopback receives signed
events as the event side delivers them, and the same events are in the vendor's feed."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.e2e.conftest import RunningStack, stack_of_its_own
from tests.e2e.test_codes import FrontEnd
from tests.integration.webhooks.test_webhooks import vendor_guide_verifier
from tests.webhook_listener import Listener, listening

pytestmark = pytest.mark.e2e

# Retries a second, four seconds, sixteen seconds apart: the test of three failures then a success waits
# about 21 s rather than the 10 minutes the default waits would take.
QUICK_RETRIES = {"GODKEND_WEBHOOK_RETRY_BASE_SECONDS": "1"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    # A stack of its own: quick retries, and the demo vendor's webhook pointed at this module's listeners,
    # which would receive the events of every other module's codes the demo vendor validated.
    yield from stack_of_its_own(tmp_path_factory, "webhooks", QUICK_RETRIES)


class DemoVendor:
    def __init__(self, stack: RunningStack) -> None:
        self.api = stack.api
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {stack.demo['vendor']['api_key']}"

    def call(self, method: str, path: str, status: int, **kwargs: Any) -> Any:
        response = self.session.request(method, f"{self.api}{path}", timeout=10, **kwargs)
        assert response.status_code == status, response.text
        return response.json() if response.content else None


def a_validated_code(stack: RunningStack, vendor: DemoVendor) -> tuple[FrontEnd, dict[str, Any], str]:
    front = FrontEnd(stack)
    company = front.call("GET", "/v1/me", 200)["companies"][0]
    code = front.call(
        "POST",
        "/v1/codes",
        201,
        json={
            "first_name": "Mette",
            "last_name": "Frivillig",
            "email": "mette@example.org",
            "company": company["cvr"],
            "account": company["accounts"][0]["number"],
            "notify": False,
        },
    )
    answer = vendor.call("POST", "/v1/validations", 200, json={"code": code["code"]})
    assert answer["valid"] is True
    return front, code, str(answer["validation_id"])


def wait_for(listener: Listener, count: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while len(listener.received) < count and time.monotonic() < deadline:
        time.sleep(0.2)


def feed_event(vendor: DemoVendor, event_id: str, seconds: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        events = vendor.call("GET", "/v1/events?limit=100", 200)["items"]
        found = [e for e in events if e["id"] == event_id]
        if found or time.monotonic() > deadline:
            assert found, f"event {event_id} not in the feed within {seconds} s"
            return dict(found[0])
        time.sleep(0.5)


def test_a_revoked_code_reaches_the_demo_vendors_listener_signed_and_is_in_its_feed(stack: RunningStack):
    with listening() as listener:
        # Given the demo vendor's webhook pointed at a listener on loopback, and a code it validated
        vendor = DemoVendor(stack)
        secret = vendor.call("PUT", "/v1/webhook", 200, json={"url": listener.url})["secret"]
        front, code, validation_id = a_validated_code(stack, vendor)

        # When the organisation revokes the code
        front.call("DELETE", f"/v1/codes/{code['code_id']}", 200)

        # Then within a minute the listener receives one code.revoked event, signed with the secret
        wait_for(listener, 1, 60)
        assert len(listener.received) == 1, "no delivery within a minute"
        request = listener.received[0]
        body = json.loads(request.body)
        assert body["type"] == "code.revoked"
        assert body["data"]["validation_id"] == validation_id
        assert vendor_guide_verifier()(secret, request.headers["Godkend-Signature"], request.body)

        # And the same event is in GET /v1/events (once it has settled there, a moment later)
        assert feed_event(vendor, body["id"])["data"] == body["data"]

        # And it is not sent again. Real time is the behaviour here: three seconds in which nothing more may
        # arrive (with these settings a retry would wait a second)
        time.sleep(3)
        assert len(listener.received) == 1


def test_a_listener_answering_500_three_times_gets_the_event_on_the_fourth_attempt(stack: RunningStack):
    with listening([500, 500, 500, 200]) as listener:
        # Given the demo vendor's webhook at a listener that fails three times before it answers 200
        vendor = DemoVendor(stack)
        vendor.call("PUT", "/v1/webhook", 200, json={"url": listener.url})
        front, code, _ = a_validated_code(stack, vendor)

        # When the code is revoked
        front.call("DELETE", f"/v1/codes/{code['code_id']}", 200)

        # Then the fourth attempt delivers it (retries 1 s, 4 s and 16 s apart), and nothing comes after
        wait_for(listener, 4, 90)
        assert len(listener.received) == 4
        # Real time is the behaviour here: five seconds after the 200 in which nothing more may arrive
        time.sleep(5)
        assert len(listener.received) == 4
        event_ids = {r.headers["Godkend-Event-Id"] for r in listener.received}
        assert len(event_ids) == 1

    # And the delivery log shows the four attempts
    (event_id,) = event_ids
    detail = vendor.call("GET", f"/v1/events/{event_id}", 200)
    assert detail["delivery"]["status"] == "delivered"
    assert [(a["attempt"], a["status_code"]) for a in detail["delivery"]["attempts"]] == [
        (1, 500),
        (2, 500),
        (3, 500),
        (4, 200),
    ]
