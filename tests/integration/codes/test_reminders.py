"""Journey 8: expiry reminders, 7 days and 1 day before a code's value expires and the day after, to the
representative and to whoever issued the value; once each, whatever runs twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from chalice.local import LambdaContext

from app import app
from chalicelib.clock import FixedClock
from chalicelib.container import Container, use_container
from chalicelib.models.code import CodeModel, Reminders, ReminderWrite, write_reminders
from chalicelib.models.organisation import OrganisationModel, OrganisationStatus
from chalicelib.models.outbox import MailKind, OutboxModel, Recipient, outgoing
from chalicelib.models.user import UserModel
from chalicelib.services.codes.reminders import Chunk, Stage
from chalicelib.settings import resource_name
from infra.local.events import QueueConsumer, scheduled_event
from tests.integration.outbox.test_mail_pipeline import Pipeline
from tests.mailbox import SentMail, sent_mail
from tests.people import Org, People, Person, json_of

JSON = {"content-type": "application/json"}
# The codes of these tests are created at 10:00 UTC, so they expire at 10:00 UTC sixty days later.
CREATED_AT_HOUR = 10


class Jobs:
    """Runs the daily schedule, then what Lambda runs after it: the reminders queue's consumer and the mail
    pipeline, until everything has settled."""

    def __init__(self, container: Container, clock: FixedClock) -> None:
        self.clock = clock
        self.container = container
        sqs = boto3.client("sqs", region_name="eu-west-1")
        url = sqs.get_queue_url(QueueName=resource_name("reminders"))["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.chunks: list[str] = []
        self.queue = QueueConsumer(sqs, "remind_codes", url, arn, self._remind, 1)
        self.pipeline = Pipeline()

    def _remind(self, event: dict[str, Any], context: Any) -> Any:
        self.chunks.extend(record["body"] for record in event["Records"])
        return app.handler_map["remind_codes"](event, context)

    def run(self, at: datetime) -> list[SentMail]:
        """The day's job as of `at`; answers the mails it caused."""
        before = len(sent_mail())
        self.clock.set(at)
        app.handler_map["send_reminders"](
            scheduled_event(at, "send-reminders"), LambdaContext("send_reminders", 512)
        )
        self.settle()
        return sent_mail()[before:]

    def settle(self) -> None:
        for _ in range(100):
            if self.queue.poll_once() == 0:
                break
        self.pipeline.run()


@pytest.fixture
def clock(container: Container) -> FixedClock:
    # Far enough back that 60 days and more later is still before the test's access tokens expire.
    start = (datetime.now(UTC) - timedelta(days=100)).replace(
        hour=CREATED_AT_HOUR, minute=0, second=0, microsecond=0
    )
    clock = FixedClock(start)
    # Unpaced: the pace is the Pacer's business (tests/unit/test_reminders.py), not these tests'.
    settings = container.settings.model_copy(update={"reminder_mails_per_second": 1000.0})
    use_container(Container(settings=settings, clock=clock))
    return clock


@pytest.fixture
def jobs(container: Container, clock: FixedClock) -> Jobs:
    return Jobs(container, clock)


def create_code(client: Any, person: Person, org: Org, **changes: Any) -> dict[str, Any]:
    body = {
        "first_name": "Mette",
        "last_name": "Hansen",
        "email": "mette@example.org",
        "company": org.companies[0].cvr,
        "account": "A1",
    }
    body.update(changes)
    response = client.http.post("/v1/codes", headers={**person.auth, **JSON}, body=json.dumps(body).encode())
    assert response.status_code == 201, response.body
    answer: dict[str, Any] = json_of(response)
    return answer


def email_of(person: Person) -> str:
    return UserModel.get(person.user_id).email


def expiry_of(code: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(code["expires_at"].replace("Z", "+00:00"))


def at_6(day: datetime, days: int) -> datetime:
    """06:00 UTC, `days` days after `day`'s date: when the schedule runs."""
    return day.replace(hour=6, minute=0, second=0) + timedelta(days=days)


def addressed(mails: list[SentMail]) -> dict[str, SentMail]:
    return {mail.to[0]: mail for mail in mails}


def test_the_representative_and_the_issuer_are_reminded_7_days_and_1_day_before_and_the_day_after(
    client, people: People, clock: FixedClock, jobs: Jobs
):
    # Given a code an administrator created for a representative, expiring at 10:00 UTC on day E
    org = people.organisation()
    admin = people.member(org)
    code = create_code(client, admin, org)
    expiry = expiry_of(code)
    jobs.settle()  # the code itself is mailed when it is created

    # When the job runs every morning from 9 days before E to 2 days after
    mails_by_day = {days: jobs.run(at_6(expiry, days)) for days in range(-9, 3)}

    # Then mail went out on exactly three days: E-7, E-1 and E+1
    assert {days for days, mails in mails_by_day.items() if mails} == {-7, -1, 1}
    # And on each, once to the representative and once to the administrator
    for days in (-7, -1, 1):
        assert sorted(m.to[0] for m in mails_by_day[days]) == sorted(["mette@example.org", email_of(admin)])

    # And the representative's 7-day reminder says when, and carries the code, but not in the subject
    seven = addressed(mails_by_day[-7])
    representative, issuer = seven["mette@example.org"], seven[email_of(admin)]
    assert representative.subject == f"Din godkendelseskode fra Forening {org.org_id[4:]} udløber om 7 dage"
    assert f"Godkendelseskode: {code['code']}" in representative.text
    danish = expiry.astimezone(ZoneInfo("Europe/Copenhagen"))
    assert f"{danish.day}. " in representative.text
    assert f"kl. {danish:%H:%M}" in representative.text
    assert "UTC" not in representative.text
    assert code["code"] not in representative.subject
    # And the administrator's says how to renew, without the code
    assert issuer.subject == "Godkendelseskoden til Mette Hansen udløber om 7 dage"
    assert "Klik på Opdater" in issuer.text
    assert code["code"] not in issuer.text

    # And the day before it says tomorrow; the day after, that it has expired and how to get it renewed
    assert addressed(mails_by_day[-1])["mette@example.org"].subject.endswith("udløber i morgen")
    expired = addressed(mails_by_day[1])
    assert expired["mette@example.org"].subject.endswith("er udløbet")
    assert "bed din kontaktperson" in expired["mette@example.org"].text
    assert code["code"] not in expired["mette@example.org"].text
    assert "Klik på Opdater" in expired[email_of(admin)].text


def test_a_stage_is_decided_by_the_utc_date_whatever_the_hour(client, people: People, clock, jobs: Jobs):
    # Given two codes expiring one second apart, on either side of midnight UTC
    org = people.organisation()
    admin = people.member(org)
    clock.set(clock.now().replace(hour=23, minute=59, second=59))
    late = create_code(client, admin, org, email="late@example.org")
    clock.advance(timedelta(seconds=1))
    early = create_code(client, admin, org, email="early@example.org")
    jobs.settle()
    midnight = expiry_of(early)
    assert (midnight.hour, midnight.minute, midnight.second) == (0, 0, 0)
    assert expiry_of(late) == midnight - timedelta(seconds=1)

    def reminded(at: datetime) -> set[str]:
        return {m.to[0] for m in jobs.run(at)} - {email_of(admin)}

    # Then a run in the last second of the day 8 days before the first expiry reminds neither
    assert reminded(midnight - timedelta(days=8, seconds=1)) == set()
    # And a run in the first second of the next day reminds the code expiring 7 days after that day
    assert reminded(midnight - timedelta(days=8)) == {"late@example.org"}
    # And the last second of that day adds nothing; the next day is the other code's turn
    assert reminded(midnight - timedelta(days=7, seconds=1)) == set()
    assert reminded(midnight - timedelta(days=7)) == {"early@example.org"}
    # And on the first code's expiry day the second is due tomorrow; the first is told it expired the next day
    assert reminded(midnight - timedelta(seconds=1)) == {"early@example.org"}
    assert reminded(midnight) == {"late@example.org"}
    assert reminded(midnight + timedelta(days=1)) == {"early@example.org"}
    expired = [m for m in sent_mail() if m.subject.endswith("er udløbet") and m.to[0] != email_of(admin)]
    assert sorted(m.to[0] for m in expired) == ["early@example.org", "late@example.org"]


def test_running_the_job_twice_on_a_day_mails_once(client, people: People, clock, jobs: Jobs):
    # Given a code 7 days before its expiry, already reminded today
    org = people.organisation()
    admin = people.member(org)
    code = create_code(client, admin, org)
    jobs.settle()
    assert len(jobs.run(at_6(expiry_of(code), -7))) == 2

    # When the job runs again that day (a retry, or someone ran it by hand)
    again = jobs.run(at_6(expiry_of(code), -7) + timedelta(hours=5))

    # Then nothing more is mailed
    assert again == []


def test_a_chunk_delivered_twice_and_overlapping_runs_mail_once(client, people: People, clock, jobs: Jobs):
    # Given two runs of the job that overlap: both queued the same day's chunk before either was taken
    org = people.organisation()
    admin = people.member(org)
    code = create_code(client, admin, org)
    jobs.settle()
    run_at = at_6(expiry_of(code), -7)
    clock.set(run_at)
    for _ in range(2):
        app.handler_map["send_reminders"](
            scheduled_event(run_at, "send-reminders"), LambdaContext("send_reminders", 512)
        )
    before = len(sent_mail())

    # When both chunks are taken, and SQS then delivers one of them once more
    jobs.settle()
    assert len(jobs.chunks) == 2
    redelivered = {"Records": [sqs_record(jobs.chunks[0])]}
    app.handler_map["remind_codes"](redelivered, LambdaContext("remind_codes", 512))
    jobs.settle()

    # Then the representative and the administrator each got one reminder
    assert sorted(m.to[0] for m in sent_mail()[before:]) == sorted(["mette@example.org", email_of(admin)])


def test_a_reminder_prepared_before_a_renewal_is_not_written_after_it(client, people: People, clock, jobs):
    # Given a code's 7-day reminders, prepared from the entry as it was read
    org = people.organisation()
    admin = people.member(org)
    code = create_code(client, admin, org)
    entry = CodeModel.get(code["code_id"], consistent_read=True)
    mail = outgoing(
        MailKind.CODE_EXPIRING,
        to=Recipient("mette@example.org", "Mette Hansen"),
        language="da",
        context={},
        now=clock.now(),
        message_id=f"code-reminder:{entry.code_id}:0:7d:representative",
    )
    reminders = Reminders(entry, entry.expires_on, [mail])

    # When the code is renewed before they are written
    assert client.http.post(f"/v1/codes/{code['code_id']}/renew", headers=admin.auth).status_code == 200
    outcome = write_reminders([reminders])

    # Then they are not written: the old value is never reminded of
    assert outcome == {entry.code_id: ReminderWrite.CHANGED}
    assert OutboxModel.count(f"code-reminder:{entry.code_id}:0:7d:representative") == 0


def test_a_renewed_codes_old_value_is_not_reminded_of_and_the_new_value_gets_its_own(
    client, people: People, clock: FixedClock, jobs: Jobs
):
    # Given a code reminded 7 days before its expiry, and renewed 2 days later by a colleague
    org = people.organisation()
    creator, renewer = people.member(org), people.member(org)
    code = create_code(client, creator, org)
    jobs.settle()
    old_expiry = expiry_of(code)
    assert len(jobs.run(at_6(old_expiry, -7))) == 2
    clock.set(at_6(old_expiry, -5))
    renewed = json_of(client.http.post(f"/v1/codes/{code['code_id']}/renew", headers=renewer.auth))
    jobs.settle()  # the new value is mailed to the representative

    # When the job runs on the old value's 1-day and expired days
    later = jobs.run(at_6(old_expiry, -1)) + jobs.run(at_6(old_expiry, 1))

    # Then nothing is mailed for the old value
    assert later == []

    # And 7 days before the new value expires, the representative and the colleague who renewed it are told
    new_expiry = expiry_of(renewed)
    mails = addressed(jobs.run(at_6(new_expiry, -7)))
    assert sorted(mails) == sorted(["mette@example.org", email_of(renewer)])
    assert f"Godkendelseskode: {renewed['code']}" in mails["mette@example.org"].text
    assert code["code"] not in mails["mette@example.org"].text


def test_a_revoked_code_gets_no_reminders(client, people: People, clock, jobs: Jobs):
    org = people.organisation()
    admin = people.member(org)
    code = create_code(client, admin, org)
    assert client.http.delete(f"/v1/codes/{code['code_id']}", headers=admin.auth).status_code == 200
    jobs.settle()

    mails = [jobs.run(at_6(expiry_of(code), days)) for days in (-7, -1, 1)]

    assert mails == [[], [], []]


def test_a_code_revoked_after_it_was_queued_gets_no_reminders(client, people: People, clock, jobs: Jobs):
    # Given the day's chunk queued, and the code revoked before the chunk is taken
    org = people.organisation()
    admin = people.member(org)
    code = create_code(client, admin, org)
    jobs.settle()
    run_at = at_6(expiry_of(code), -7)
    clock.set(run_at)
    app.handler_map["send_reminders"](
        scheduled_event(run_at, "send-reminders"), LambdaContext("send_reminders", 512)
    )
    assert client.http.delete(f"/v1/codes/{code['code_id']}", headers=admin.auth).status_code == 200
    before = len(sent_mail())

    # When the chunk is taken
    jobs.settle()

    # Then nothing is mailed
    assert sent_mail()[before:] == []


def test_without_notify_only_the_issuer_is_reminded(client, people: People, clock, jobs: Jobs):
    # Given a code the organisation hands over itself (no mail to the representative)
    org = people.organisation()
    admin = people.member(org)
    code = create_code(client, admin, org, notify=False)
    jobs.settle()

    # When its 7-day reminder is due
    mails = jobs.run(at_6(expiry_of(code), -7))

    # Then only the administrator is told, and told that the new code is not mailed on
    assert [m.to[0] for m in mails] == [email_of(admin)]
    assert "Koden sendes ikke til Mette Hansen" in mails[0].text


def test_an_issuer_who_is_also_the_representative_gets_one_mail(client, people: People, clock, jobs: Jobs):
    # Given a code an administrator made for themselves
    org = people.organisation()
    admin = people.member(org)
    code = create_code(client, admin, org, email=email_of(admin).upper())
    jobs.settle()

    # When its 7-day reminder is due
    mails = jobs.run(at_6(expiry_of(code), -7))

    # Then they get one mail: the one that says how to renew
    assert [m.to[0] for m in mails] == [email_of(admin)]
    assert "Klik på Opdater" in mails[0].text


def test_a_disabled_issuer_is_not_reminded_but_the_representative_is(client, people: People, clock, jobs):
    org = people.organisation()
    admin = people.member(org)
    code = create_code(client, admin, org)
    jobs.settle()
    UserModel.get(admin.user_id).update(actions=[UserModel.status.set("disabled")])

    mails = jobs.run(at_6(expiry_of(code), -7))

    assert [m.to[0] for m in mails] == ["mette@example.org"]


@pytest.mark.parametrize("status", [OrganisationStatus.SUSPENDED, OrganisationStatus.REJECTED])
def test_codes_of_an_organisation_that_is_not_approved_get_no_reminders(
    client, people: People, clock, jobs: Jobs, status: OrganisationStatus
):
    # Given a code, and its organisation suspended (or rejected) since: it can neither validate nor be renewed
    org = people.organisation()
    admin = people.member(org)
    code = create_code(client, admin, org)
    jobs.settle()
    OrganisationModel.get(org.org_id).update(actions=[OrganisationModel.status.set(status.value)])

    # Then nobody is told to renew it
    assert jobs.run(at_6(expiry_of(code), -7)) == []


def test_reminders_are_written_in_the_codes_language(client, people: People, clock, jobs: Jobs):
    org = people.organisation()
    admin = people.member(org)
    code = create_code(client, admin, org, language="en")
    jobs.settle()

    mails = addressed(jobs.run(at_6(expiry_of(code), -1)))

    assert mails["mette@example.org"].subject.endswith("expires tomorrow")
    assert f"Validation code: {code['code']}" in mails["mette@example.org"].text
    assert mails[email_of(admin)].subject == "The validation code for Mette Hansen expires tomorrow"


def test_more_codes_than_a_chunk_are_fanned_out_and_each_reminded_once(
    client, people: People, container: Container, clock: FixedClock
):
    # Given 7 codes expiring on the same day, and chunks of 3 codes
    settings = container.settings.model_copy(
        update={"reminder_chunk_size": 3, "reminder_mails_per_second": 1000.0}
    )
    use_container(Container(settings=settings, clock=clock))
    jobs = Jobs(container, clock)
    org = people.organisation()
    admin = people.member(org)
    codes = [create_code(client, admin, org, email=f"rep{i}@example.org") for i in range(7)]
    jobs.settle()

    # When the day's job runs
    mails = jobs.run(at_6(expiry_of(codes[0]), -7))

    # Then it queued three chunks (3 + 3 + 1 codes), which together reminded every code once
    chunks = [Chunk.from_json(body) for body in jobs.chunks]
    assert sorted(len(c.code_ids) for c in chunks if c is not None) == [1, 3, 3]
    assert {c.stage for c in chunks if c is not None} == {Stage.SEVEN_DAYS}
    representatives = sorted(m.to[0] for m in mails if m.to[0] != email_of(admin))
    assert representatives == sorted(f"rep{i}@example.org" for i in range(7))
    assert [m.to[0] for m in mails].count(email_of(admin)) == 7


def test_a_missed_day_is_made_good_by_running_the_job_as_of_that_day(client, people: People, clock, jobs):
    # Given a code whose 7-day reminder was due yesterday, when the job did not run
    org = people.organisation()
    admin = people.member(org)
    code = create_code(client, admin, org)
    jobs.settle()
    clock.set(at_6(expiry_of(code), -6))
    missed = (expiry_of(code) - timedelta(days=7)).date().isoformat()

    # When an operator invokes it by hand as of that day
    event = {**scheduled_event(clock.now(), "send-reminders"), "detail": {"as_of": missed}}
    report = app.handler_map["send_reminders"](event, LambdaContext("send_reminders", 512))
    before = len(sent_mail())
    jobs.settle()

    # Then the day's reminders go out now
    assert report["run_day"] == missed
    assert len(sent_mail()[before:]) == 2


def sqs_record(body: str) -> dict[str, Any]:
    return {
        "messageId": "redelivered",
        "receiptHandle": "r",
        "body": body,
        "attributes": {},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:eu-west-1:123456789012:{resource_name('reminders')}",
        "awsRegion": "eu-west-1",
    }
