"""The webhook in the vendor console: a vendor's person (signed in, no API key) sets, rotates and removes
their vendor's endpoint, sends a test event that is signed and delivered like any, reads the last deliveries
with their attempts, and replays a failed one; another vendor's events are not theirs; every change is in the
staff trail with the person's name."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.clock import StepClock
from chalicelib.container import Container, use_container
from chalicelib.models.webhook import DeliveryStatus, EventType, VendorEventModel, WebhookModel
from chalicelib.services.webhooks.signatures import verify
from tests.integration.access.test_authentication import assert_problem
from tests.integration.webhooks.test_webhooks import Pipeline, feed
from tests.people import People, Person, VendorCaller, json_of
from tests.webhook_listener import Listener, listening

JSON = {"content-type": "application/json"}
TESTS_PER_HOUR = 3


@pytest.fixture
def quick(container: Container) -> Container:
    """Retries five seconds apart in a retry window of one second: a failed first attempt is parked at
    once, which is what a replay needs. The feed shows events as soon as they are written."""
    settings = container.settings.model_copy(
        update={
            "webhook_retry_base_seconds": 5,
            "webhook_retry_window_seconds": 1,
            "webhook_feed_settle_seconds": 0,
            "webhook_tests_per_vendor_per_hour": TESTS_PER_HOUR,
        }
    )
    built = Container(settings=settings, clock=StepClock())
    use_container(built)
    return built


@pytest.fixture
def pipeline(quick: Container) -> Pipeline:
    return Pipeline()


@pytest.fixture
def listener() -> Iterator[Listener]:
    with listening() as running:
        yield running


def set_endpoint(client: Any, person: Person, url: str) -> Any:
    return client.http.put(
        "/v1/vendor/webhook", headers={**person.auth, **JSON}, body=json.dumps({"url": url}).encode()
    )


def send_test(client: Any, person: Person) -> Any:
    return client.http.post("/v1/vendor/webhook/test", headers=person.auth)


def deliveries(client: Any, person: Person, query: str = "") -> dict[str, Any]:
    response = client.http.get(f"/v1/vendor/webhook/deliveries{query}", headers=person.auth)
    assert response.status_code == 200, response.body
    answer: dict[str, Any] = json_of(response)
    return answer


def retry(client: Any, person: Person, event_id: str) -> Any:
    return client.http.post(f"/v1/vendor/webhook/deliveries/{event_id}/retry", headers=person.auth)


def staff_trail(client: Any, people: People, person: Person) -> list[tuple[str, str]]:
    staff = people.staff()
    items = json_of(client.http.get("/v1/staff/audit?limit=100", headers=staff.auth))["items"]
    return sorted(
        (entry["action"], entry["actor"]["name"])
        for entry in items
        if entry["action"].startswith("vendor.webhook") and entry["actor"]["id"] == person.user_id
    )


def a_vendor_with_its_person(people: People) -> tuple[VendorCaller, Person]:
    vendor = people.vendor()
    return vendor, people.vendor_person(vendor.vendor_id)


def test_a_test_event_is_signed_delivered_and_listed_but_not_in_the_feed(
    client, people: People, pipeline: Pipeline, listener: Listener
):
    # Given a vendor's person who sets the endpoint to a listener on loopback, in the console
    vendor, person = a_vendor_with_its_person(people)
    response = set_endpoint(client, person, listener.url)
    assert response.status_code == 200, response.body
    secret = json_of(response)["secret"]

    # When they send a test event and the event side runs
    response = send_test(client, person)
    assert response.status_code == 202, response.body
    sent = json_of(response)
    assert (sent["type"], sent["test"], sent["status"]) == ("webhook.test", True, "pending")
    pipeline.run()

    # Then the listener got it once, signed with the secret, saying it is a test
    assert len(listener.received) == 1
    request = listener.received[0]
    body = json.loads(request.body)
    assert (body["id"], body["type"], body["data"]) == (sent["id"], "webhook.test", {"test": True})
    assert request.headers["Godkend-Event-Id"] == sent["id"]
    assert verify(request.headers["Godkend-Signature"], request.body, secret, now=int(time.time()))
    # ... the console lists it delivered, with its one attempt and the listener's status
    (item,) = deliveries(client, person)["items"]
    assert (item["id"], item["status"], item["replayable"]) == (sent["id"], "delivered", False)
    assert [(a["attempt"], a["status_code"], a["error"]) for a in item["attempts"]] == [(1, 200, None)]
    assert item["organisation"] is None
    # ... the vendor's feed does not tell it: nothing happened to a receipt
    assert feed(client, vendor)["items"] == []
    # ... and the endpoint's health shows the success, never the secret
    shown = json_of(client.http.get("/v1/vendor/webhook", headers=person.auth))
    assert shown["health"]["last_success_at"] is not None
    assert "secret" not in shown
    # And the staff trail names the person for setting the endpoint and for the test
    assert staff_trail(client, people, person) == [
        ("vendor.webhook_set", "Test Person"),
        ("vendor.webhook_tested", "Test Person"),
    ]


def test_a_failed_delivery_shows_its_attempt_and_is_replayed_once_the_endpoint_is_fixed(
    client, people: People, pipeline: Pipeline
):
    with listening([500]) as listener:
        # Given a vendor whose endpoint answers 500 to a test event, parked at once (a one-second window)
        _, person = a_vendor_with_its_person(people)
        assert set_endpoint(client, person, listener.url).status_code == 200
        sent = json_of(send_test(client, person))
        pipeline.run()
        (item,) = deliveries(client, person)["items"]
        assert (item["status"], item["replayable"]) == ("failed", True)
        assert [(a["attempt"], a["status_code"]) for a in item["attempts"]] == [(1, 500)]
        assert item["attempts"][0]["at"]
        # ... and the endpoint is paused, as after any parked delivery
        assert json_of(client.http.get("/v1/vendor/webhook", headers=person.auth))["status"] == "paused"

        # When the endpoint is fixed (it answers 200 now) and the person replays the delivery
        response = retry(client, person, sent["id"])
        assert response.status_code == 200, response.body
        assert json_of(response)["status"] == "pending"
        pipeline.run()

        # Then it is delivered, as a new generation, after the failed attempt
        (item,) = deliveries(client, person)["items"]
        assert item["status"] == "delivered"
        assert [(a["generation"], a["status_code"]) for a in item["attempts"]] == [(0, 500), (1, 200)]
        assert len(listener.received) == 2
        # ... the replay resumed the endpoint
        assert json_of(client.http.get("/v1/vendor/webhook", headers=person.auth))["status"] == "active"
        # ... and a delivered one cannot be replayed again
        assert_problem(retry(client, person, sent["id"]), 409, "conflict")
    assert ("vendor.webhook_replayed", "Test Person") in staff_trail(client, people, person)


def test_another_vendors_delivery_is_not_found_and_not_listed(
    client, people: People, pipeline: Pipeline, listener: Listener
):
    # Given a test event of one vendor's
    _, person = a_vendor_with_its_person(people)
    set_endpoint(client, person, listener.url)
    sent = json_of(send_test(client, person))
    _, other = a_vendor_with_its_person(people)

    # When a person of another vendor lists deliveries and replays that one
    listed = deliveries(client, other)
    response = retry(client, other, sent["id"])

    # Then they see none of it, and the replay is a 404 as if it did not exist
    assert listed["items"] == []
    assert_problem(response, 404, "not-found")
    assert not [e for e in staff_trail(client, people, other) if e[0] == "vendor.webhook_replayed"]


@pytest.mark.parametrize("url", ["http://10.0.0.1/hook", "https://169.254.169.254/latest", "ftp://x.dk/"])
def test_an_address_the_key_routes_refuse_is_refused_in_the_console_and_nothing_is_written(
    client, people: People, url: str
):
    # Given a vendor's person
    vendor, person = a_vendor_with_its_person(people)

    # When they set an endpoint on an address the webhook rules refuse
    response = set_endpoint(client, person, url)

    # Then it is a field error on the url, and neither the endpoint nor a trail entry is written
    problem = assert_problem(response, 400, "invalid-input")
    assert [error["field"] for error in problem["errors"]] == ["url"]
    assert WebhookModel.count(vendor.vendor_id) == 0
    assert staff_trail(client, people, person) == []


def test_the_secret_is_shown_once_rotated_and_the_endpoint_removed(
    client, people: People, listener: Listener
):
    # Given a vendor's endpoint set in the console
    vendor, person = a_vendor_with_its_person(people)
    first = json_of(set_endpoint(client, person, listener.url))["secret"]

    # When the person rotates the secret, looks at the endpoint, then removes it
    rotated = client.http.post("/v1/vendor/webhook/secret", headers=person.auth)
    shown = client.http.get("/v1/vendor/webhook", headers=person.auth)
    removed = client.http.delete("/v1/vendor/webhook", headers=person.auth)

    # Then the rotation answers a new secret, once, and the old one still signs for the overlap
    assert rotated.status_code == 200, rotated.body
    assert json_of(rotated)["secret"] not in {first, ""}
    assert json_of(rotated)["previous_secret_valid_until"] is not None
    assert "secret" not in json_of(shown)
    # ... the removal leaves no endpoint, and removing again or rotating then are harmless / not found
    assert removed.status_code == 204
    assert_problem(client.http.get("/v1/vendor/webhook", headers=person.auth), 404, "not-found")
    assert client.http.delete("/v1/vendor/webhook", headers=person.auth).status_code == 204
    assert_problem(client.http.post("/v1/vendor/webhook/secret", headers=person.auth), 404, "not-found")
    # ... and the trail has each change once, with the person's name
    assert staff_trail(client, people, person) == [
        ("vendor.webhook_removed", "Test Person"),
        ("vendor.webhook_secret_rotated", "Test Person"),
        ("vendor.webhook_set", "Test Person"),
    ]
    assert WebhookModel.count(vendor.vendor_id) == 0


def test_a_test_event_needs_an_endpoint(client, people: People, quick: Container):
    # Given a vendor without an endpoint
    _, person = a_vendor_with_its_person(people)

    # When its person sends a test event
    response = send_test(client, person)

    # Then it is a 404 that says to set one, and no event is written
    assert_problem(response, 404, "not-found")
    assert deliveries(client, person)["items"] == []


def test_test_events_are_limited_per_vendor(client, people: People, quick: Container, listener: Listener):
    # Given a vendor with an endpoint, and a colleague at the same vendor
    vendor, person = a_vendor_with_its_person(people)
    colleague = people.vendor_person(vendor.vendor_id)
    set_endpoint(client, person, listener.url)

    # When its people send more test events in an hour than the limit
    sent = [send_test(client, person).status_code for _ in range(TESTS_PER_HOUR)]
    refused = send_test(client, colleague)

    # Then the ones beyond it are refused with Retry-After, whoever of the vendor's people sends them
    assert sent == [202] * TESTS_PER_HOUR
    assert_problem(refused, 429, "too-many-requests")
    assert int(refused.headers["Retry-After"]) > 0
    assert len(deliveries(client, person)["items"]) == TESTS_PER_HOUR
    # ... and another vendor is not held back by them
    _, other = a_vendor_with_its_person(people)
    set_endpoint(client, other, listener.url)
    assert send_test(client, other).status_code == 202


def test_deliveries_are_paged_newest_first(client, people: People, quick: Container, listener: Listener):
    # Given three test events of a vendor's, a second apart
    _, person = a_vendor_with_its_person(people)
    set_endpoint(client, person, listener.url)
    clock = quick.clock
    assert isinstance(clock, StepClock)
    sent = []
    for _ in range(3):
        sent.append(json_of(send_test(client, person))["id"])
        clock.step(timedelta(seconds=1))

    # When the person pages the deliveries two at a time
    first = deliveries(client, person, "?limit=2")
    second = deliveries(client, person, f"?limit=2&cursor={first['next_cursor']}")

    # Then they come newest first, each once, and a feed's cursor is not one of this list's
    assert [i["id"] for i in first["items"] + second["items"]] == sent[::-1]
    assert second["next_cursor"] is None
    response = client.http.get(
        f"/v1/vendor/webhook/deliveries?cursor={first['next_cursor']}x", headers=person.auth
    )
    assert_problem(response, 400, "invalid-input")


def test_an_events_attempt_log_keeps_only_the_latest_attempts(client, people: People, quick: Container):
    from chalicelib.adapters.webhook_http import PostResult
    from chalicelib.services.webhooks.delivery import (
        ATTEMPT_LOG_LIMIT,
        Job,
        RetryPolicy,
        WebhookDelivery,
    )

    # Given a test event replayed so often that its log is full
    _, person = a_vendor_with_its_person(people)
    set_endpoint(client, person, "http://127.0.0.1:9/hook")
    sent = json_of(send_test(client, person))
    event = VendorEventModel.get(sent["id"])
    full = [
        {"generation": n, "attempt": 1, "at": "2026-01-01T00:00:00Z", "status_code": 500, "error": "HTTP 500"}
        for n in range(ATTEMPT_LOG_LIMIT)
    ]
    event.update(actions=[VendorEventModel.attempt_log.set(full), VendorEventModel.generation.set(60)])

    # When one more attempt is made and recorded
    class Answering:
        def post(self, target: Any, body: bytes, headers: dict[str, str]) -> PostResult:
            return PostResult(status_code=200, error=None)

    class NoQueue:
        def send(self, body: str, delay_seconds: int) -> None:
            raise AssertionError("a delivered event queues nothing")

    delivery = WebhookDelivery(
        poster=Answering(),
        queue=NoQueue(),
        clock=quick.clock,
        allow_loopback=True,
        policy=RetryPolicy(),
        timeout_seconds=5,
    )
    assert delivery.run(Job(sent["id"], 60, 1)) == "delivered"

    # Then the log holds the limit's number of attempts, the oldest dropped and the new one last
    log = VendorEventModel.get(sent["id"]).attempt_log
    assert len(log) == ATTEMPT_LOG_LIMIT
    assert log[0]["generation"] == 1
    assert (log[-1]["generation"], log[-1]["status_code"]) == (60, 200)


def test_the_key_routes_show_a_test_event_and_the_feed_skips_it_without_losing_its_place(
    client, people: People, quick: Container, listener: Listener
):
    # Given a vendor with a real event written after a test event
    vendor, person = a_vendor_with_its_person(people)
    set_endpoint(client, person, listener.url)
    sent = json_of(send_test(client, person))
    now = datetime.now(UTC)
    real = a_live_event(vendor, now, feed_at=now + timedelta(seconds=5))
    quick.clock.step(timedelta(seconds=10))  # type: ignore[attr-defined]

    # When the vendor reads the feed one at a time and its test event with its key
    page = feed(client, vendor, "?limit=1")
    detail = client.http.get(f"/v1/events/{sent['id']}", headers=vendor.auth)

    # Then the feed's first page is the real event; the test event is shown by id, marked as a test
    assert [item["id"] for item in page["items"]] == [real.event_id]
    assert detail.status_code == 200, detail.body
    assert json_of(detail)["data"] == {"test": True}
    # ... and the console lists both, newest first, the real one with its organisation's name
    listed = deliveries(client, person)["items"]
    assert [(i["id"], i["test"]) for i in listed] == [(real.event_id, False), (sent["id"], True)]
    assert listed[0]["organisation"] == {"name": "Frivillig", "cvr": "12345674"}
    assert listed[0]["replayable"] is True


def a_live_event(vendor: VendorCaller, now: datetime, *, feed_at: datetime | None = None) -> VendorEventModel:
    """A `code.revoked` event for the vendor, written at `now` (as the stream's expansion writes one), in the
    feed at `feed_at` (by default `now`)."""
    event = VendorEventModel(
        uuid.uuid4().hex,
        vendor_id=vendor.vendor_id,
        type=EventType.CODE_REVOKED.value,
        cause_id=f"code.revoked:{uuid.uuid4().hex}",
        created_at=now,
        feed_key=f"{(feed_at or now).astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{uuid.uuid4().hex}",
        data={
            "created_at": now.isoformat(),
            "validation_id": uuid.uuid4().hex,
            "validated_at": now.isoformat(),
            "code_id": uuid.uuid4().hex,
            "organisation": {
                "name": "Frivillig",
                "legal_name": "Frivillig",
                "cvr": "12345674",
                "handle": "F",
            },
        },
        delivery_status=DeliveryStatus.NO_ENDPOINT.value,
        window_started_at=now,
        expires_at=now + timedelta(days=1),
    )
    event.save()
    return event


def test_a_poll_moves_the_cursor_past_test_events_so_they_are_not_read_again(
    client, people: People, quick: Container, listener: Listener
):
    # Given a vendor that read its feed up to its one live event, and then sent two test events: its newest
    vendor, person = a_vendor_with_its_person(people)
    set_endpoint(client, person, listener.url)
    told = a_live_event(vendor, quick.clock.now()).event_id
    first = feed(client, vendor)
    assert [item["id"] for item in first["items"]] == [told]
    for _ in range(2):
        assert send_test(client, person).status_code == 202
    quick.clock.step(timedelta(seconds=1))  # type: ignore[attr-defined]

    # When it polls with the cursor it kept
    second = feed(client, vendor, f"?cursor={first['next_cursor']}")

    # Then it is told nothing, and given a cursor past the test events
    assert second["items"] == []
    assert second["next_cursor"]
    assert second["next_cursor"] != first["next_cursor"]
    # And the poll after it, with that cursor, reads nothing new
    assert feed(client, vendor, f"?cursor={second['next_cursor']}") == {"items": [], "next_cursor": None}
    # And a live event written later is told from that cursor, alone
    later = a_live_event(vendor, quick.clock.now()).event_id
    quick.clock.step(timedelta(seconds=1))  # type: ignore[attr-defined]
    third = feed(client, vendor, f"?cursor={second['next_cursor']}")
    assert [item["id"] for item in third["items"]] == [later]


def test_a_page_of_the_feed_passes_over_test_events_to_fill_itself_with_live_ones(
    client, people: People, quick: Container, listener: Listener
):
    # Given a vendor whose live events are separated by test events
    vendor, person = a_vendor_with_its_person(people)
    set_endpoint(client, person, listener.url)
    one = a_live_event(vendor, quick.clock.now()).event_id
    for _ in range(2):
        assert send_test(client, person).status_code == 202
    two = a_live_event(vendor, quick.clock.now()).event_id
    assert send_test(client, person).status_code == 202
    quick.clock.step(timedelta(seconds=1))  # type: ignore[attr-defined]

    # When it reads two at a time
    page = feed(client, vendor, "?limit=2")

    # Then the page holds both live events
    assert [item["id"] for item in page["items"]] == [one, two]
    # And the next page passes over the last test event, after which the feed ends for now
    rest = feed(client, vendor, f"?limit=2&cursor={page['next_cursor']}")
    assert rest["items"] == []
    assert feed(client, vendor, f"?limit=2&cursor={rest['next_cursor']}") == {
        "items": [],
        "next_cursor": None,
    }
