"""The mail pipeline, with faults injected: sent if and only if its cause committed, exactly once, retried,
parked when it keeps failing, replayable by staff, and never sent to a suppressed address."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from chalice.local import LambdaContext
from pynamodb.exceptions import TransactWriteError

from app import app
from chalicelib.adapters.ses import TransientSendError, tag_value
from chalicelib.container import Container
from chalicelib.models.base import transaction
from chalicelib.models.organisation import OrganisationModel
from chalicelib.models.outbox import Language, MailKind, MailStatus, OutboxModel, Recipient, outgoing
from chalicelib.models.suppression import SuppressionModel, suppression_of
from chalicelib.services.outbox.delivery import Sender
from chalicelib.settings import resource_name
from infra.local.events import QueueConsumer, StreamConsumer
from infra.local.provision import outbox_stream_arn
from tests.mailbox import sent_mail
from tests.people import People, json_of

ADDRESS = "mette@example.org"
CODE = "7k2m9xq4@RoedeKorsAarhus"


class Pipeline:
    """Drives the app's real handlers from the emulated stream and retry queue, as Lambda would."""

    def __init__(self) -> None:
        dynamodb = boto3.client("dynamodb", region_name="eu-west-1")
        sqs = boto3.client("sqs", region_name="eu-west-1")
        streams = boto3.client("dynamodbstreams", region_name="eu-west-1")
        self.stream = StreamConsumer(
            streams, "deliver_outbox", outbox_stream_arn(dynamodb), app.handler_map["deliver_outbox"], 25
        )
        url = sqs.get_queue_url(QueueName=resource_name("mail-retry"))["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.retries = QueueConsumer(sqs, "redeliver_mail", url, arn, app.handler_map["redeliver_mail"], 10)

    def run(self) -> None:
        """Until nothing more arrives; a handler's exception fails the test."""
        for _ in range(20):
            if self.stream.poll_once() + self.retries.poll_once() == 0:
                return
        raise AssertionError("the pipeline did not settle")


def lambda_context(name: str) -> LambdaContext:
    return LambdaContext(name, memory_size=512)


class FlakySender:
    """SES as it sometimes is: failing the next `failures` sends (all of them when None)."""

    def __init__(self, real: Sender, failures: int | None) -> None:
        self._real = real
        self.failures = failures
        self.calls = 0

    def send(self, *, message_id: str, to_address: str, raw: bytes) -> str:
        self.calls += 1
        if self.failures is None or self.failures > 0:
            if self.failures is not None:
                self.failures -= 1
            raise TransientSendError("SES Throttling")
        return self._real.send(message_id=message_id, to_address=to_address, raw=raw)


@pytest.fixture
def pipeline(container: Container) -> Pipeline:
    return Pipeline()


def flaky(container: Container, failures: int | None) -> FlakySender:
    sender = FlakySender(container.mail_sender, failures)
    container.mail_delivery = container.build_mail_delivery(sender)
    return sender


def queue_mail(
    message_id: str = "code_issued-1", address: str = ADDRESS, kind: str = MailKind.CODE_ISSUED
) -> None:
    message, condition = outgoing(
        MailKind.CODE_ISSUED,
        to=Recipient(address, "Mette Hansen"),
        language=Language.DA,
        context={
            "organisation_name": "Røde Kors Aarhus",
            "expires_at": "2027-01-20T12:00:00Z",
            "renewed": False,
        },
        secrets={"code": CODE},
        now=datetime.now(UTC),
        message_id=message_id,
    )
    message.kind = kind
    with transaction() as tx:
        tx.save(message, condition=condition)


def status_of(message_id: str) -> OutboxModel:
    return OutboxModel.get(message_id, consistent_read=True)


def test_a_committed_mail_is_sent_once_with_text_and_html_and_its_secret_is_removed(pipeline: Pipeline):
    # Given a mail written to the outbox
    queue_mail()

    # When the stream delivers it
    pipeline.run()

    # Then exactly one mail went out, in Danish, with the code in the body and not in the subject
    [mail] = sent_mail()
    assert mail.to == [ADDRESS]
    assert "Mette Hansen" in str(mail.message["To"])
    assert mail.subject == "Din godkendelseskode fra Røde Kors Aarhus"
    assert f"Godkendelseskode: {CODE}" in mail.text
    assert CODE in mail.html
    assert CODE not in mail.subject
    # And the outbox says so, without the code any more
    message = status_of("code_issued-1")
    assert message.status == MailStatus.SENT.value
    assert message.secrets is None
    assert message.provider_message_id


def test_a_change_that_fails_to_commit_mails_nothing(pipeline: Pipeline, people: People):
    # Given an existing organisation, and a transaction that would create it again together with a mail
    org = people.organisation()
    message, condition = outgoing(
        MailKind.CODE_ISSUED, to=Recipient(ADDRESS, "X"), language="da", context={}, now=datetime.now(UTC)
    )
    duplicate = OrganisationModel(
        org.org_id, name="x", handle="x", primary_cvr="29180008", created_at=datetime.now(UTC)
    )

    # When it fails on its condition
    def commit() -> None:
        with transaction() as tx:
            tx.save(duplicate, condition=OrganisationModel.org_id.does_not_exist())
            tx.save(message, condition=condition)

    with pytest.raises(TransactWriteError):
        commit()
    pipeline.run()

    # Then there is no mail, and nothing in the outbox
    assert sent_mail() == []
    assert list(OutboxModel.scan()) == []


def test_a_duplicated_stream_record_mails_once(pipeline: Pipeline, container: Container):
    # Given the stream records of one queued mail
    queue_mail()
    streams = boto3.client("dynamodbstreams", region_name="eu-west-1")
    arn = outbox_stream_arn(boto3.client("dynamodb", region_name="eu-west-1"))
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    delivered: list[dict[str, Any]] = []
    consumer = StreamConsumer(streams, "deliver_outbox", arn, lambda event, ctx: delivered.append(event), 25)
    consumer.poll_once()
    assert iterator
    [event] = delivered

    # When the handler gets the same batch twice (Lambda retried it, or the stream repeated it)
    app.handler_map["deliver_outbox"](event, lambda_context("deliver_outbox"))
    app.handler_map["deliver_outbox"](event, lambda_context("deliver_outbox"))

    # Then one mail went out
    assert len(sent_mail()) == 1


def test_the_same_generation_is_never_sent_twice_even_if_its_status_is_lost(pipeline: Pipeline):
    # Given a mail that was sent, but whose 'sent' status was lost (the invocation died after SES answered)
    queue_mail()
    pipeline.run()
    message = status_of("code_issued-1")
    message.update(actions=[OutboxModel.status.set(MailStatus.QUEUED.value)])

    # When it is delivered again from the retry queue
    app.handler_map["redeliver_mail"](
        {
            "Records": [
                {
                    "body": json.dumps({"message_id": "code_issued-1", "generation": 0}),
                    "messageId": "m1",
                    "receiptHandle": "r",
                    "attributes": {},
                    "messageAttributes": {},
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:q",
                    "awsRegion": "eu-west-1",
                }
            ]
        },
        lambda_context("redeliver_mail"),
    )

    # Then the idempotency record answers for SES: still one mail, and the message is marked sent
    assert len(sent_mail()) == 1
    assert status_of("code_issued-1").status == MailStatus.SENT.value


def test_ses_failing_twice_then_succeeding_sends_one_mail(pipeline: Pipeline, container: Container):
    # Given SES that throttles the next two sends
    sender = flaky(container, failures=2)

    # When a mail is queued and the pipeline runs (stream, then the retry queue)
    queue_mail()
    pipeline.run()

    # Then it took three attempts and exactly one mail went out
    assert sender.calls == 3
    assert len(sent_mail()) == 1
    message = status_of("code_issued-1")
    assert message.status == MailStatus.SENT.value
    assert message.attempts == 3
    assert message.last_error is None


def test_ses_down_parks_the_mail_and_a_staff_retry_sends_it_once(
    pipeline: Pipeline, container: Container, client, people: People
):
    # Given SES is down for as long as the attempts last
    sender = flaky(container, failures=None)
    queue_mail()
    pipeline.run()

    # Then the mail is parked with its error after the bounded number of attempts, and nothing was sent
    parked = status_of("code_issued-1")
    assert parked.status == MailStatus.FAILED.value
    assert parked.attempts == container.settings.mail_max_attempts
    assert "Throttling" in (parked.last_error or "")
    assert sent_mail() == []

    # And staff see it
    staff = people.staff()
    listed = json_of(client.http.get("/v1/staff/mail?status=failed", headers=staff.auth))
    assert [m["message_id"] for m in listed["items"]] == ["code_issued-1"]
    assert "secrets" not in listed["items"][0]
    assert CODE not in json.dumps(listed)

    # When SES is back and staff retry it
    sender.failures = 0
    retried = client.http.post("/v1/staff/mail/code_issued-1/retry", headers=staff.auth)
    assert retried.status_code == 200
    assert json_of(retried)["status"] == "queued"
    pipeline.run()

    # Then it is sent exactly once, and cannot be retried again
    assert len(sent_mail()) == 1
    assert status_of("code_issued-1").status == MailStatus.SENT.value
    again = client.http.post("/v1/staff/mail/code_issued-1/retry", headers=staff.auth)
    assert again.status_code == 409
    # And the replay is in the staff trail, once, naming the message and who replayed it
    trail = json_of(client.http.get("/v1/staff/audit", headers=staff.auth))["items"]
    assert [(i["action"], i["targets"], i["actor"]["id"]) for i in trail] == [
        ("mail.retried", {"message_id": "code_issued-1"}, staff.user_id)
    ]


def test_a_bad_mail_does_not_block_the_ones_behind_it(pipeline: Pipeline):
    # Given a mail that cannot be rendered, followed by a good one
    queue_mail("broken-1", kind="no_such_template")
    queue_mail("good-1")

    # When the stream delivers both in one batch
    pipeline.run()

    # Then the bad one is parked with its reason and the good one is sent
    broken = status_of("broken-1")
    assert broken.status == MailStatus.FAILED.value
    assert broken.last_error
    assert status_of("good-1").status == MailStatus.SENT.value
    assert len(sent_mail()) == 1


def test_a_suppressed_address_gets_no_mail_and_the_status_says_why(pipeline: Pipeline):
    SuppressionModel(ADDRESS, reason="bounce", suppressed_at=datetime.now(UTC)).save()
    queue_mail()

    pipeline.run()

    assert sent_mail() == []
    message = status_of("code_issued-1")
    assert message.status == MailStatus.SUPPRESSED.value
    assert "bounce" in (message.last_error or "")
    assert message.secrets is None


def ses_notification(kind: str, message_id: str, address: str, bounce_type: str = "Permanent") -> str:
    body: dict[str, Any] = {
        "notificationType": kind,
        "mail": {"messageId": "ses-1", "tags": {"message_id": [tag_value(message_id)]}},
    }
    if kind == "Bounce":
        body["bounce"] = {"bounceType": bounce_type, "bouncedRecipients": [{"emailAddress": address}]}
    else:
        body["complaint"] = {"complainedRecipients": [{"emailAddress": address}]}
    return json.dumps(body)


def sns_event(message: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": "n1",
                    "TopicArn": "arn:aws:sns:eu-west-1:123456789012:ses-feedback",
                    "Subject": None,
                    "Message": message,
                    "Timestamp": "2026-11-21T00:00:00.000Z",
                    "MessageAttributes": {},
                },
            }
        ]
    }


@pytest.mark.parametrize(
    ("kind", "status"), [("Bounce", MailStatus.BOUNCED), ("Complaint", MailStatus.COMPLAINED)]
)
def test_a_permanent_bounce_or_complaint_stops_further_mail_to_that_address(pipeline: Pipeline, kind, status):
    # Given a mail that was sent
    queue_mail("first")
    pipeline.run()

    # When SES reports a bounce or complaint for it
    app.handler_map["mail_feedback"](
        sns_event(ses_notification(kind, "first", ADDRESS.upper())), lambda_context("mail_feedback")
    )

    # Then the address is suppressed, the message says what happened, and the next mail is not sent
    assert suppression_of(ADDRESS) is not None
    assert status_of("first").status == status.value
    queue_mail("second")
    pipeline.run()
    assert status_of("second").status == MailStatus.SUPPRESSED.value
    assert len(sent_mail()) == 1


@pytest.mark.parametrize(
    "message",
    [
        ses_notification("Bounce", "first", ADDRESS, bounce_type="Transient"),
        "not json",
        "[]",
        "{}",
        json.dumps(
            {"notificationType": "Bounce", "bounce": {"bounceType": "Permanent", "bouncedRecipients": "x"}}
        ),
        json.dumps({"notificationType": "Delivery"}),
    ],
)
def test_feedback_that_is_transient_or_unreadable_suppresses_nothing(container: Container, message):
    app.handler_map["mail_feedback"](sns_event(message), lambda_context("mail_feedback"))
    assert list(SuppressionModel.scan()) == []


def test_garbage_on_the_retry_queue_is_dropped(container: Container):
    for body in ("not json", "{}", '{"message_id": "x"}', '{"message_id": "nope", "generation": 0}'):
        event: dict[str, Any] = {
            "Records": [
                {
                    "body": body,
                    "messageId": "m",
                    "receiptHandle": "r",
                    "attributes": {},
                    "messageAttributes": {},
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:x",
                    "awsRegion": "eu-west-1",
                }
            ]
        }
        app.handler_map["redeliver_mail"](event, lambda_context("redeliver_mail"))
    assert sent_mail() == []


def test_staff_mail_routes_are_for_staff_and_check_their_input(client, people: People):
    member = people.member(people.organisation())
    staff = people.staff()
    assert client.http.get("/v1/staff/mail").status_code == 401
    assert client.http.get("/v1/staff/mail", headers=member.auth).status_code == 403
    assert client.http.post("/v1/staff/mail/x/retry", headers=member.auth).status_code == 403
    assert client.http.get("/v1/staff/mail?status=lost", headers=staff.auth).status_code == 400
    assert client.http.get("/v1/staff/mail?limit=0", headers=staff.auth).status_code == 400
    assert client.http.get("/v1/staff/mail?cursor=bm9wZQ", headers=staff.auth).status_code == 400
    assert client.http.post("/v1/staff/mail/unknown/retry", headers=staff.auth).status_code == 404


def test_staff_mail_lists_page_by_page(client, people: People, pipeline: Pipeline, container: Container):
    flaky(container, failures=None)
    for n in range(3):
        queue_mail(f"m{n}")
    pipeline.run()
    staff = people.staff()

    seen: list[str] = []
    query = "/v1/staff/mail?status=failed&limit=2"
    for _ in range(5):
        page = json_of(client.http.get(query, headers=staff.auth))
        seen += [m["message_id"] for m in page["items"]]
        if not page["next_cursor"]:
            break
        query = f"/v1/staff/mail?status=failed&limit=2&cursor={page['next_cursor']}"

    assert sorted(seen) == ["m0", "m1", "m2"]


class BrokenSender:
    """A dependency failing in a way nobody planned for (not an SES answer)."""

    def __init__(self, real: Sender, failures: int) -> None:
        self._real = real
        self.failures = failures

    def send(self, *, message_id: str, to_address: str, raw: bytes) -> str:
        if self.failures:
            self.failures -= 1
            raise ConnectionResetError("connection reset by peer")
        return self._real.send(message_id=message_id, to_address=to_address, raw=raw)


def test_an_unexpected_failure_is_retried_like_a_transient_one_not_parked(
    pipeline: Pipeline, container: Container
):
    # Given a send that fails once with an error that is neither SES's answer nor a broken template
    container.mail_delivery = container.build_mail_delivery(BrokenSender(container.mail_sender, failures=1))

    # When the mail is queued and the pipeline runs
    queue_mail()
    pipeline.run()

    # Then it went out on the retry, once
    assert len(sent_mail()) == 1
    message = status_of("code_issued-1")
    assert message.status == MailStatus.SENT.value
    assert message.attempts == 2


def stream_records() -> list[dict[str, Any]]:
    """Every record the outbox stream holds, from the start of each shard."""
    streams = boto3.client("dynamodbstreams", region_name="eu-west-1")
    arn = outbox_stream_arn(boto3.client("dynamodb", region_name="eu-west-1"))
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records += streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]
    return records


def test_no_stream_record_carries_a_secret(pipeline: Pipeline, container: Container):
    # Given mail with a code, one sent at once and one after SES failed once (so its item was written often)
    flaky(container, failures=1)
    queue_mail("code_issued-1")
    queue_mail("code_issued-2")

    # When the pipeline has delivered both
    pipeline.run()
    assert {status_of(m).status for m in ("code_issued-1", "code_issued-2")} == {MailStatus.SENT.value}

    # Then the stream saw every write, but only as keys: the code is in no record
    records = stream_records()
    assert len(records) >= 4
    assert all(set(record["dynamodb"]) & {"NewImage", "OldImage"} == set() for record in records)
    assert {record["dynamodb"]["StreamViewType"] for record in records} == {"KEYS_ONLY"}
    assert CODE not in json.dumps(records, default=str)
    assert len(sent_mail()) == 2


def test_a_later_write_to_a_tried_message_does_not_send_it_again_from_the_stream(
    pipeline: Pipeline, container: Container
):
    # Given a mail whose first try failed, so the retry queue owns it
    sender = flaky(container, failures=None)
    queue_mail()
    pipeline.stream.poll_once()
    assert sender.calls == 1

    # When the stream shows the item's later writes (the failed try's own update among them)
    pipeline.stream.poll_once()

    # Then the stream does not try it again; only the retry queue does
    assert sender.calls == 1


def test_a_mail_that_cannot_be_built_is_parked_at_once_and_its_secret_dropped(pipeline: Pipeline):
    # Given a mail to an address no MIME header can carry (it got past no validator of ours)
    queue_mail("unbuildable-1", address="a<b>@example.org")

    # When the pipeline runs
    pipeline.run()

    # Then it is parked after one try, without its code, and nothing went out or waits for a retry
    message = status_of("unbuildable-1")
    assert message.status == MailStatus.FAILED.value
    assert message.attempts == 1
    assert message.secrets is None
    assert message.last_error
    assert sent_mail() == []


def test_a_parked_letter_is_retried_by_its_id_percent_encoded_as_a_client_sends_it(
    pipeline: Pipeline, container: Container, client, people: People
):
    # Given a parked mail whose id holds a colon, as an activation letter's does
    flaky(container, failures=None)
    queue_mail("activation_letter:app-1")
    pipeline.run()
    assert status_of("activation_letter:app-1").status == MailStatus.FAILED.value

    # When staff retry it with the colon encoded, as the console's client writes a path segment
    staff = people.staff()
    retried = client.http.post("/v1/staff/mail/activation_letter%3Aapp-1/retry", headers=staff.auth)

    # Then that message is queued again
    assert retried.status_code == 200, retried.body
    assert json_of(retried)["message_id"] == "activation_letter:app-1"
