"""Vendors hear when an approval they gave stops being true: the endpoint routes, the events a revocation,
a renewal or a decision makes for every vendor holding a receipt, the signed delivery to a listener on
loopback through the app's real handlers (streams and queue on the emulator), retries, the delivery log,
parking and pausing, replays, and the feed."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from app import app
from chalicelib.clock import FixedClock, StepClock, SystemClock
from chalicelib.container import Container, use_container
from chalicelib.models.outbox import MailKind, OutboxModel
from chalicelib.models.webhook import EventCauseModel, VendorEventModel, WebhookModel
from chalicelib.services.webhooks.signatures import verify
from chalicelib.settings import Settings, resource_name
from infra.local.events import QueueConsumer, StreamConsumer
from infra.local.provision import stream_environment
from tests import docs
from tests.integration.codes.test_codes import created, renew, representative, revoke
from tests.onboarding import staff_decide
from tests.people import Org, People, Person, VendorCaller, json_of
from tests.webhook_listener import Listener, listening

JSON = {"content-type": "application/json"}
VENDOR_GUIDE = docs.DOCS / "vendor-guide.md"


class Pipeline:
    """The webhook handlers driven from the emulated streams and queue, as Lambda would drive them."""

    def __init__(self) -> None:
        arns = stream_environment(boto3.client("dynamodb", region_name="eu-west-1"))
        streams = boto3.client("dynamodbstreams", region_name="eu-west-1")
        sqs = boto3.client("sqs", region_name="eu-west-1")
        url = sqs.get_queue_url(QueueName=resource_name("webhook-deliveries"))["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.consumers: list[StreamConsumer | QueueConsumer] = [
            StreamConsumer(
                streams,
                "expand_event_causes",
                arns["GODKEND_EVENT_CAUSES_STREAM_ARN"],
                app.handler_map["expand_event_causes"],
                10,
            ),
            StreamConsumer(
                streams,
                "queue_webhook_deliveries",
                arns["GODKEND_VENDOR_EVENTS_STREAM_ARN"],
                app.handler_map["queue_webhook_deliveries"],
                50,
            ),
            QueueConsumer(sqs, "deliver_webhooks", url, arn, app.handler_map["deliver_webhooks"], 5),
        ]

    def run(self, rounds: int = 40) -> None:
        """Until nothing more arrives; a handler's exception fails the test."""
        for _ in range(rounds):
            if sum(consumer.poll_once() for consumer in self.consumers) == 0:
                return
        raise AssertionError("the webhook pipeline did not settle")


@pytest.fixture
def quick(container: Container) -> Container:
    """Retries at once (each wait 0 s), and the feed shows events as soon as they are written: what is
    tested here is the order and the count of attempts, and what the feed holds."""
    settings = container.settings.model_copy(
        update={"webhook_retry_base_seconds": 0, "webhook_feed_settle_seconds": 0}
    )
    built = Container(settings=settings, clock=StepClock())
    use_container(built)
    return built


def a_second_later(container: Container) -> None:
    """Changes are timed to the second: the service's clock steps on to the next one, rather than the test
    waiting for it."""
    assert isinstance(container.clock, StepClock)
    container.clock.step(timedelta(seconds=1))


@pytest.fixture
def pipeline(quick: Container) -> Pipeline:
    return Pipeline()


@pytest.fixture
def listener() -> Iterator[Listener]:
    with listening() as running:
        yield running


def register(client: Any, vendor: VendorCaller, url: str) -> Any:
    return client.http.put(
        "/v1/webhook", headers={**vendor.auth, **JSON}, body=json.dumps({"url": url}).encode()
    )


def registered(client: Any, vendor: VendorCaller, url: str) -> dict[str, Any]:
    response = register(client, vendor, url)
    assert response.status_code == 200, response.body
    answer: dict[str, Any] = json_of(response)
    return answer


def validated(client: Any, vendor: VendorCaller, code: str) -> str:
    response = client.http.post(
        "/v1/validations", headers={**vendor.auth, **JSON}, body=json.dumps({"code": code}).encode()
    )
    assert response.status_code == 200, response.body
    answer = json_of(response)
    assert answer["valid"] is True, answer
    return str(answer["validation_id"])


def feed(client: Any, vendor: VendorCaller, query: str = "") -> dict[str, Any]:
    response = client.http.get(f"/v1/events{query}", headers=vendor.auth)
    assert response.status_code == 200, response.body
    answer: dict[str, Any] = json_of(response)
    return answer


def event_of(client: Any, vendor: VendorCaller, event_id: str) -> Any:
    return client.http.get(f"/v1/events/{event_id}", headers=vendor.auth)


def vendor_guide_verifier() -> Any:
    """The signature check exactly as the vendor's guide shows it."""
    code = docs.snippet(VENDOR_GUIDE, "verify-signature")
    namespace: dict[str, Any] = {}
    exec(compile(code, str(VENDOR_GUIDE), "exec"), namespace)  # noqa: S102 - the guide's own code
    return namespace["verify"]


def a_code(client: Any, admin: Person, org: Org) -> dict[str, Any]:
    return created(client, admin, representative(org))


def test_a_revocation_reaches_the_listener_signed_once_and_is_in_the_feed(
    client, people: People, pipeline: Pipeline, listener: Listener
):
    # Given a vendor whose webhook points at a listener on loopback, and a receipt of a code
    org = people.organisation()
    admin = people.member(org)
    vendor = people.vendor()
    secret = registered(client, vendor, listener.url)["secret"]
    code = a_code(client, admin, org)
    validation_id = validated(client, vendor, code["code"])

    # When the organisation revokes the code and the event side runs
    assert revoke(client, admin, code["code_id"]).status_code == 200
    pipeline.run()

    # Then the listener got one code.revoked event, signed with the secret, naming the receipt
    assert len(listener.received) == 1
    request = listener.received[0]
    assert request.path == "/hook"
    body = json.loads(request.body)
    assert body["type"] == "code.revoked"
    assert body["data"]["validation_id"] == validation_id
    assert body["data"]["code_id"] == code["code_id"]
    assert set(body) == {"id", "type", "created_at", "data"}
    # ... and the organisation as the check told it, the register's name of its main company included
    told = json_of(client.http.get(f"/v1/validations/{validation_id}", headers=vendor.auth))["organisation"]
    assert body["data"]["organisation"] == {k: told[k] for k in ("name", "legal_name", "cvr", "handle")}
    assert request.headers["Godkend-Event-Id"] == body["id"]
    assert verify(request.headers["Godkend-Signature"], request.body, secret, now=int(time.time()))
    # ... which the vendor's guide's snippet verifies too, and refuses with another secret or a changed body
    guide_verify = vendor_guide_verifier()
    assert guide_verify(secret, request.headers["Godkend-Signature"], request.body)
    assert not guide_verify(secret + "0", request.headers["Godkend-Signature"], request.body)
    assert not guide_verify(secret, request.headers["Godkend-Signature"], request.body + b" ")
    # ... with nothing secret in it: not the code's value
    assert code["code"] not in request.body.decode()
    assert code["code"].split("@")[0] not in request.body.decode()

    # And the same event is in the vendor's feed, delivered
    items = feed(client, vendor)["items"]
    assert [(item["id"], item["type"]) for item in items] == [(body["id"], "code.revoked")]
    assert items[0]["data"] == body["data"]
    assert items[0]["delivery"] == {"status": "delivered"}

    # And running the event side again sends nothing more
    pipeline.run()
    assert len(listener.received) == 1


def test_a_listener_failing_three_times_gets_the_event_on_the_fourth_attempt_and_never_again(
    client, people: People, pipeline: Pipeline
):
    with listening([500, 500, 500, 200]) as listener:
        # Given a vendor whose endpoint answers 500 three times, then 200, and a receipt of a code
        org = people.organisation()
        admin = people.member(org)
        vendor = people.vendor()
        registered(client, vendor, listener.url)
        code = a_code(client, admin, org)
        validated(client, vendor, code["code"])

        # When the code is revoked and the event side runs until it settles
        assert revoke(client, admin, code["code_id"]).status_code == 200
        pipeline.run()
        pipeline.run()

        # Then the listener received the same event four times, and nothing after the 200
        assert len(listener.received) == 4
        ids = {r.headers["Godkend-Event-Id"] for r in listener.received}
        assert len(ids) == 1

    # And the delivery log shows the four attempts
    (event_id,) = ids
    detail = json_of(event_of(client, vendor, event_id))
    assert detail["delivery"]["status"] == "delivered"
    attempts = detail["delivery"]["attempts"]
    assert [(a["attempt"], a["status_code"]) for a in attempts] == [(1, 500), (2, 500), (3, 500), (4, 200)]
    assert [a["error"] for a in attempts] == ["HTTP 500", "HTTP 500", "HTTP 500", None]
    # ... and the endpoint's health is good again
    health = json_of(client.http.get("/v1/webhook", headers=vendor.auth))["health"]
    assert health["consecutive_failures"] == 0
    assert health["last_error"] == "HTTP 500"


def test_a_renewal_tells_every_vendor_holding_a_receipt_and_no_other(
    client, people: People, pipeline: Pipeline, listener: Listener
):
    # Given two vendors who accepted a code (one of them twice) and a third who accepted another code
    org = people.organisation()
    admin = people.member(org)
    first, second, bystander = people.vendor(), people.vendor(), people.vendor()
    code, other = a_code(client, admin, org), a_code(client, admin, org)
    receipts = {
        validated(client, first, code["code"]),
        validated(client, first, code["code"]),
        validated(client, second, code["code"]),
    }
    validated(client, bystander, other["code"])

    # When the code is renewed
    assert renew(client, admin, code["code_id"]).status_code == 200
    pipeline.run()

    # Then each receipt of the code has its code.renewed event, in its vendor's feed; the bystander has none
    seen = {
        item["data"]["validation_id"]
        for vendor in (first, second)
        for item in feed(client, vendor)["items"]
        if item["type"] == "code.renewed"
    }
    assert seen == receipts
    assert feed(client, bystander) == {"items": [], "next_cursor": None}
    # ... without an endpoint, in the feed only
    assert {item["delivery"]["status"] for item in feed(client, first)["items"]} == {"no_endpoint"}


def test_each_value_s_receipts_are_told_once_when_that_value_dies(
    client, people: People, pipeline: Pipeline, quick: Container
):
    # Given a code validated, renewed, its new value validated, then revoked; a second apart, since changes
    # are timed to the second and a receipt in the same second as a change is told of it to be safe
    org = people.organisation()
    admin = people.member(org)
    vendor = people.vendor()
    code = a_code(client, admin, org)
    first = validated(client, vendor, code["code"])
    a_second_later(quick)
    renewed = renew(client, admin, code["code_id"])
    assert renewed.status_code == 200, renewed.body
    pipeline.run()
    a_second_later(quick)
    second = validated(client, vendor, json_of(renewed)["code"])
    assert revoke(client, admin, code["code_id"]).status_code == 200
    pipeline.run()

    # Then the first value's receipt was told it was renewed, the second's that it was revoked, once each
    told = [(item["type"], item["data"]["validation_id"]) for item in feed(client, vendor)["items"]]
    assert told == [("code.renewed", first), ("code.revoked", second)]


def test_a_suspension_with_more_receipts_than_a_transaction_holds_tells_each_once(
    client, people: People, pipeline: Pipeline
):
    # Given an organisation with 120 receipts of one vendor (a transaction holds at most 100 items)
    org = people.organisation()
    admin = people.member(org)
    vendor = people.vendor()
    staff = people.staff()
    code = a_code(client, admin, org)
    receipts = {validated(client, vendor, code["code"]) for _ in range(120)}

    # When staff suspend it
    response = staff_decide(client, staff, org.org_id, "suspend", "Under investigation")
    assert response.status_code == 200, response.body
    pipeline.run()

    # Then the vendor's feed has one organisation.suspended event per receipt, with the new status
    events = pages(client, vendor)
    assert {e["data"]["validation_id"] for e in events} == receipts
    assert len(events) == 120
    assert {e["type"] for e in events} == {"organisation.suspended"}
    assert {e["data"]["organisation"]["status"] for e in events} == {"suspended"}
    # ... and the reason given to the organisation is not in them
    assert "investigation" not in json.dumps(events)

    # And expanding the same cause again writes nothing new
    (cause,) = list(EventCauseModel.scan())
    EventCauseModel(cause.cause_id).update(actions=[EventCauseModel.expanded_at.remove()])
    assert Container(settings=Settings(stage="test")).event_expander.expand(cause.cause_id) == 0
    assert len(pages(client, vendor)) == 120

    # And reinstating it tells again, as organisation.reinstated
    response = staff_decide(client, staff, org.org_id, "approve")
    assert response.status_code == 200, response.body
    pipeline.run()
    assert [e["type"] for e in pages(client, vendor)].count("organisation.reinstated") == 120


def pages(client: Any, vendor: VendorCaller, limit: int = 50) -> list[dict[str, Any]]:
    """The whole feed, page by page, until a page has no cursor (it read nothing)."""
    found: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        suffix = f"&cursor={cursor}" if cursor else ""
        page = feed(client, vendor, f"?limit={limit}{suffix}")
        found += page["items"]
        if page["next_cursor"] is None:
            assert page["items"] == [], "a page with events always has a cursor"
            return found
        cursor = page["next_cursor"]
    raise AssertionError("the feed did not end")


def test_the_feed_is_in_order_and_a_kept_cursor_brings_only_what_came_since(
    client, people: People, pipeline: Pipeline
):
    # Given a vendor with receipts of two codes, one of them revoked
    org = people.organisation()
    admin = people.member(org)
    vendor = people.vendor()
    one, two = a_code(client, admin, org), a_code(client, admin, org)
    validated(client, vendor, one["code"])
    validated(client, vendor, two["code"])
    revoke(client, admin, one["code_id"])
    pipeline.run()
    first = feed(client, vendor)
    assert [item["data"]["code_id"] for item in first["items"]] == [one["code_id"]]

    # When the other is revoked later and the vendor asks with the cursor it kept
    revoke(client, admin, two["code_id"])
    pipeline.run()
    later = feed(client, vendor, f"?cursor={first['next_cursor']}")

    # Then only the new event comes, and the whole feed has both in order
    assert [item["data"]["code_id"] for item in later["items"]] == [two["code_id"]]
    assert [item["data"]["code_id"] for item in feed(client, vendor)["items"]] == [
        one["code_id"],
        two["code_id"],
    ]
    # And a cursor that is not the feed's is a 400, another vendor's event a 404
    assert client.http.get("/v1/events?cursor=bogus", headers=vendor.auth).status_code == 400
    other = people.vendor()
    event_id = later["items"][0]["id"]
    assert event_of(client, other, event_id).status_code == 404
    assert event_of(client, vendor, event_id).status_code == 200


def test_the_endpoint_shows_its_health_never_its_secret_and_can_be_removed(client, people: People):
    # Given a vendor that registered an endpoint
    vendor = people.vendor()
    answer = registered(client, vendor, "http://127.0.0.1:9/hook")
    assert answer["secret"].startswith("whsec_")
    assert len(answer["secret"]) == 70

    # When it looks at it
    shown = json_of(client.http.get("/v1/webhook", headers=vendor.auth))

    # Then the URL and health are there, the secret nowhere
    assert shown["url"] == "http://127.0.0.1:9/hook"
    assert shown["status"] == "active"
    assert "secret" not in shown
    assert answer["secret"] not in json.dumps(shown)

    # And after removing it (twice: harmless) there is none
    assert client.http.delete("/v1/webhook", headers=vendor.auth).status_code == 204
    assert client.http.delete("/v1/webhook", headers=vendor.auth).status_code == 204
    assert client.http.get("/v1/webhook", headers=vendor.auth).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/hook",  # http anywhere but 127.0.0.1
        "http://localhost:8000/hook",
        "https://10.0.0.1/hook",  # private
        "https://169.254.169.254/latest/meta-data",  # link-local: the metadata service
        "https://[fd00:ec2::254]/hook",  # unique-local: the IPv6 metadata service
        "https://[::1]/hook",
        "https://user:pw@93.184.215.14/hook",
        "ftp://93.184.215.14/hook",
        "not a url",
    ],
)
def test_an_endpoint_that_is_not_https_on_a_public_address_is_refused(client, people: People, url: str):
    vendor = people.vendor()
    response = register(client, vendor, url)
    assert response.status_code == 400, response.body
    assert json_of(response)["errors"][0]["field"] == "url"
    assert client.http.get("/v1/webhook", headers=vendor.auth).status_code == 404


def test_a_rotated_secret_and_the_old_one_both_sign_during_the_overlap(
    client, people: People, pipeline: Pipeline, listener: Listener
):
    # Given a vendor that rotated its secret after registering
    org = people.organisation()
    admin = people.member(org)
    vendor = people.vendor()
    old = registered(client, vendor, listener.url)["secret"]
    response = client.http.post("/v1/webhook/secret", headers=vendor.auth)
    assert response.status_code == 200, response.body
    rotated = json_of(response)
    new = rotated["secret"]
    assert new != old
    assert rotated["previous_secret_valid_until"] is not None

    # When an event is delivered
    code = a_code(client, admin, org)
    validated(client, vendor, code["code"])
    revoke(client, admin, code["code_id"])
    pipeline.run()

    # Then it carries two v1 signatures, and each secret verifies it
    (request,) = listener.received
    header = request.headers["Godkend-Signature"]
    assert header.count("v1=") == 2
    now = int(time.time())
    assert verify(header, request.body, new, now=now)
    assert verify(header, request.body, old, now=now)
    assert not verify(header, request.body, old, now=now + 301)  # and a replay later is refused


class AlwaysFailing:
    """An endpoint that is down: every post fails, and is counted."""

    def __init__(self) -> None:
        self.posts = 0

    def post(self, target: Any, body: bytes, headers: dict[str, str]) -> Any:
        from chalicelib.adapters.webhook_http import PostResult

        self.posts += 1
        return PostResult(status_code=None, error="timeout")


class HeldQueue:
    """The delivery queue, held in a list, so a test can jump the clock to each message's time."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, int]] = []

    def send(self, body: str, delay_seconds: int) -> None:
        self.messages.append((body, delay_seconds))


def test_an_endpoint_failing_for_24_hours_is_parked_paused_and_its_contact_mailed_then_replayed(
    client, people: People, container: Container, listener: Listener
):
    from chalicelib.services.webhooks.delivery import Job, RetryPolicy, WebhookDelivery

    # Given a vendor with a receipt of a code that was revoked, and the event written
    org = people.organisation()
    admin = people.member(org)
    vendor = people.vendor()
    registered(client, vendor, "http://127.0.0.1:9/hook")
    code = a_code(client, admin, org)
    validated(client, vendor, code["code"])
    revoke(client, admin, code["code_id"])
    (cause,) = list(EventCauseModel.scan())
    container.event_expander.expand(cause.cause_id)
    (event,) = list(VendorEventModel.scan())

    # When every attempt fails, each made when it is due, on a clock that jumps ahead to it
    clock = FixedClock(datetime.now(UTC))
    queue, poster = HeldQueue(), AlwaysFailing()
    delivery = WebhookDelivery(
        poster=poster,
        queue=queue,
        clock=clock,
        allow_loopback=True,
        policy=RetryPolicy(),
        timeout_seconds=5,
    )
    assert delivery.queue_first_attempts([event.event_id]) == 1
    for _ in range(200):
        if not queue.messages:
            break
        body, _ = queue.messages.pop(0)
        job = Job.from_json(body)
        assert job is not None
        clock.set(max(clock.now(), datetime.fromtimestamp(job.due_at, UTC)))
        delivery.run(job)

    # Then it was tried with growing waits for 24 hours, about a dozen times, then parked as failed
    parked = VendorEventModel.get(event.event_id)
    assert parked.delivery_status == "failed"
    assert 10 <= poster.posts <= 12
    times = [datetime.fromisoformat(a["at"]) for a in parked.attempt_log]
    waits = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert waits[:4] == [30, 120, 480, 1920]
    assert max(waits) == 4 * 3600
    assert times[-1] - times[0] < timedelta(hours=24)
    # ... the endpoint is paused, and its contact mailed once
    assert WebhookModel.get(vendor.vendor_id).status == "paused"
    mails = [m for m in OutboxModel.scan() if m.kind == MailKind.WEBHOOK_PAUSED.value]
    assert [m.to_address for m in mails] == [f"vendor-{vendor.name.split()[-1]}@example.org"]
    # ... and staff see the parked delivery, the vendor its log
    staff = people.staff()
    listed = json_of(client.http.get("/v1/staff/webhook-deliveries?status=failed", headers=staff.auth))
    assert [item["id"] for item in listed["items"]] == [event.event_id]
    assert listed["items"][0]["vendor_id"] == vendor.vendor_id
    assert len(json_of(event_of(client, vendor, event.event_id))["delivery"]["attempts"]) == poster.posts

    # When the vendor fixes its endpoint and replays the delivery
    registered(client, vendor, listener.url)
    response = client.http.post(f"/v1/webhook/deliveries/{event.event_id}/retry", headers=vendor.auth)
    assert response.status_code == 200, response.body
    Pipeline().run()

    # Then it is delivered, as a new generation, and no longer parked
    assert len(listener.received) == 1
    detail = json_of(event_of(client, vendor, event.event_id))
    assert detail["delivery"]["status"] == "delivered"
    assert detail["delivery"]["attempts"][-1]["generation"] == 1
    listed = json_of(client.http.get("/v1/staff/webhook-deliveries?status=failed", headers=staff.auth))
    assert listed["items"] == []
    # ... and replaying a delivered one is a conflict
    response = client.http.post(f"/v1/webhook/deliveries/{event.event_id}/retry", headers=vendor.auth)
    assert response.status_code == 409


def test_a_host_that_resolves_inside_at_delivery_time_is_not_connected_to(
    client, people: People, container: Container
):
    from chalicelib.services.webhooks.delivery import Job, RetryPolicy, WebhookDelivery

    # Given an endpoint whose name resolved to a public address when it was registered
    answers = {"hooks.example.org": ["93.184.215.14"]}

    def resolver(host: str, port: int) -> list[str]:
        return answers[host]

    use_container(Container(settings=container.settings, resolver=resolver))
    org = people.organisation()
    admin = people.member(org)
    vendor = people.vendor()
    registered(client, vendor, "https://hooks.example.org/godkend")
    code = a_code(client, admin, org)
    validated(client, vendor, code["code"])
    revoke(client, admin, code["code_id"])
    (cause,) = list(EventCauseModel.scan())
    container.event_expander.expand(cause.cause_id)
    (event,) = list(VendorEventModel.scan())

    # When it resolves to the metadata service by the time of the delivery (DNS rebinding)
    answers["hooks.example.org"] = ["169.254.169.254"]
    poster, queue = AlwaysFailing(), HeldQueue()
    delivery = WebhookDelivery(
        poster=poster,
        queue=queue,
        clock=SystemClock(),
        allow_loopback=False,
        policy=RetryPolicy(),
        timeout_seconds=5,
        resolver=resolver,
    )
    outcome = delivery.run(Job(event.event_id, 0, 1))

    # Then nothing is posted; the attempt is logged as refused and tried again later
    assert poster.posts == 0
    assert "not a public address" in outcome
    (entry,) = VendorEventModel.get(event.event_id).attempt_log
    assert entry["status_code"] is None
    assert "169.254.169.254" in entry["error"]
    assert len(queue.messages) == 1


def test_an_attempt_delivered_twice_posts_once(
    client, people: People, container: Container, listener: Listener
):
    from chalicelib.services.webhooks.delivery import Job

    # Given an event waiting for its first attempt
    org = people.organisation()
    admin = people.member(org)
    vendor = people.vendor()
    registered(client, vendor, listener.url)
    code = a_code(client, admin, org)
    validated(client, vendor, code["code"])
    revoke(client, admin, code["code_id"])
    (cause,) = list(EventCauseModel.scan())
    container.event_expander.expand(cause.cause_id)
    (event,) = list(VendorEventModel.scan())

    # When the same attempt's message comes twice
    job = Job(event.event_id, 0, 1)
    first = container.webhook_delivery.run(job)
    second = container.webhook_delivery.run(job)

    # Then one post was made
    assert (first, len(listener.received)) == ("delivered", 1)
    assert second.startswith("nothing to do")


def test_the_feed_shows_an_event_once_it_has_settled_in_the_index(
    client, people: People, container: Container
):
    from chalicelib.clock import FixedClock
    from chalicelib.services.vendors.api_keys import VendorIdentity
    from chalicelib.services.webhooks.endpoints import WebhookService

    # Given an event written just now
    org = people.organisation()
    admin = people.member(org)
    vendor = people.vendor()
    code = a_code(client, admin, org)
    validated(client, vendor, code["code"])
    revoke(client, admin, code["code_id"])
    (cause,) = list(EventCauseModel.scan())
    container.event_expander.expand(cause.cause_id)
    clock = FixedClock(datetime.now(UTC))
    service = WebhookService(
        clock=clock, allow_loopback=True, secret_overlap=timedelta(hours=24), feed_settle=timedelta(seconds=2)
    )
    identity = VendorIdentity(vendor.vendor_id, vendor.name, "key")

    # When the vendor reads its feed at once, and again two seconds later
    at_once = service.feed(identity, limit=10, cursor=None)
    clock.advance(timedelta(seconds=2))
    later = service.feed(identity, limit=10, cursor=None)

    # Then the event shows only the second time
    assert (at_once.items, at_once.next_cursor) == ([], None)
    assert [item.type for item in later.items] == ["code.revoked"]


def test_an_event_written_before_legal_names_were_told_is_shown_with_its_display_name_as_legal_name(
    client, people: People
):
    # Given a vendor's delivery parked after failing, of an event written before events told the register's
    # name (events live 90 days)
    vendor = people.vendor()
    registered(client, vendor, "http://127.0.0.1:9/hook")
    staff = people.staff()
    now = datetime.now(UTC)
    told = {"name": "Walker", "cvr": "12345674", "handle": "Walker"}
    event = VendorEventModel(
        uuid.uuid4().hex,
        vendor_id=vendor.vendor_id,
        type="code.revoked",
        cause_id=f"code.revoked:{uuid.uuid4().hex}",
        created_at=now,
        feed_key=f"{now.isoformat()}#old",
        data={
            "created_at": now.isoformat(),
            "validation_id": uuid.uuid4().hex,
            "validated_at": now.isoformat(),
            "code_id": uuid.uuid4().hex,
            "organisation": told,
        },
        delivery_status="failed",
        parked="failed",
        window_started_at=now,
        expires_at=now + timedelta(days=1),
    )
    event.save()

    # When the vendor looks at it, and staff deliver it again
    shown = event_of(client, vendor, event.event_id)
    retried = client.http.post(f"/v1/staff/webhook-deliveries/{event.event_id}/retry", headers=staff.auth)

    # Then both name the organisation with the display name as its legal name, as the receipts of that time do
    assert shown.status_code == 200, shown.body
    assert json_of(shown)["data"]["organisation"] == {**told, "legal_name": "Walker"}
    assert retried.status_code == 200, retried.body
    answer = json_of(retried)
    assert answer["data"]["organisation"] == {**told, "legal_name": "Walker"}
    # ... and staff's answer is the delivery as it stands now: pending again, for that vendor
    assert (answer["vendor_id"], answer["delivery"]["status"]) == (vendor.vendor_id, "pending")
