"""Journey 2's promise, watched: a check finds activation letters not delivered within 2 hours of their
application, logs them, counts them in a CloudWatch metric (an alarm fires on it) and lists them for staff."""

from __future__ import annotations

import itertools
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chalice.local import LambdaContext

from app import app
from chalicelib.clock import FixedClock
from chalicelib.container import Container, use_container
from chalicelib.events.letters import OVERDUE_METRIC
from chalicelib.models.application import applications_for, letter_message_id, letter_of
from chalicelib.models.outbox import MailStatus, OutboxModel
from infra.local.events import scheduled_event
from tests.integration.access.test_authentication import assert_problem
from tests.integration.outbox.test_mail_pipeline import Pipeline
from tests.mailbox import sent_mail
from tests.onboarding import (
    MAIN,
    OTHER_MAIN,
    activate,
    apply,
    form,
    letters,
    only_application,
    only_letter,
    send_gathered_letters,
    username_and_code,
)
from tests.people import People, json_of

PROMISE = timedelta(hours=2)


@pytest.fixture
def clock(container: Container) -> FixedClock:
    # In the past: a staff token is checked against this clock, and only its expiry is.
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=10))
    use_container(Container(settings=container.settings, clock=clock))
    return clock


def applied(client: Any, cvr: str = MAIN) -> dict[str, Any]:
    body = form(cvr=cvr, subsidiaries=[], accounts=[])
    response = apply(client, body)
    assert response.status_code == 202, response.body
    answer: dict[str, Any] = json_of(response)
    return answer


def check(capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Runs the scheduled check; answers its result and the metric documents (EMF) it printed."""
    capsys.readouterr()
    result = app.handler_map["check_letters"](
        scheduled_event(datetime.now(UTC), "check-letters"), LambdaContext("check_letters", 512)
    )
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    return result, [doc for doc in printed if "_aws" in doc]


def overdue_metric(documents: list[dict[str, Any]]) -> list[float]:
    found = []
    for doc in documents:
        for directive in doc["_aws"]["CloudWatchMetrics"]:
            if any(m["Name"] == OVERDUE_METRIC for m in directive["Metrics"]):
                assert directive["Namespace"] == "Godkend"
                assert directive["Dimensions"] == [["deployment", "service"]]
                assert (doc["deployment"], doc["service"]) == ("godkend-test", "godkend")
                found.extend(doc[OVERDUE_METRIC])
    return found


def overdue_list(client: Any, staff: Any, query: str = "") -> Any:
    return client.http.get(f"/v1/staff/letters/overdue{query}", headers=staff.auth)


def test_a_letter_not_delivered_within_2_hours_is_logged_counted_and_listed_for_staff(
    client, people: People, clock: FixedClock, capsys, caplog
):
    # Given an application whose letter is still waiting in the outbox (SES has not taken it)
    receipt = applied(client)
    applied_at = clock.now()
    staff = people.staff()

    # When the check runs before the 2 hours are up
    result, metrics = check(capsys)

    # Then nothing is overdue yet
    assert result == {"overdue": 0, "on_time": 0}
    assert overdue_metric(metrics) == [0.0]

    # When it runs a second after the promise
    clock.set(applied_at + PROMISE + timedelta(seconds=1))
    caplog.set_level(logging.WARNING)
    result, metrics = check(capsys)

    # Then the letter is overdue: counted in the metric and logged, without the applicant's personal data
    assert result == {"overdue": 1, "on_time": 0}
    assert overdue_metric(metrics) == [1.0]
    (logged,) = [r for r in caplog.records if "not delivered within 2 hours" in r.getMessage()]
    assert logged.application_id == receipt["application_id"]
    assert logged.letter_status == "queued"
    assert form()["applicant"]["email"] not in json.dumps(vars(logged), default=str)

    # And staff see it, with where it went and what became of it
    response = overdue_list(client, staff)
    assert response.status_code == 200, response.body
    (item,) = json_of(response)["items"]
    assert item["application_id"] == receipt["application_id"]
    assert item["cvr"] == MAIN
    assert item["official_mailbox"] == f"e-boks+{MAIN}@digitalpost.example"
    assert (item["letter_due_by"], item["letter_status"], item["sent_at"]) == (
        receipt["letter_due_by"],
        "queued",
        None,
    )
    assert item["overdue_since"] is not None

    # And the next check does not count it again, while staff still see it
    clock.advance(timedelta(minutes=15))
    result, metrics = check(capsys)
    assert result == {"overdue": 0, "on_time": 0}
    assert overdue_metric(metrics) == [0.0]
    assert len(json_of(overdue_list(client, staff))["items"]) == 1


def test_a_letter_sent_in_time_is_not_listed_and_leaves_the_watch(
    client, people: People, clock: FixedClock, capsys
):
    # Given an application whose letter went out an hour later
    receipt = applied(client)
    applied_at = clock.now()
    clock.advance(timedelta(hours=1))
    Pipeline().run()
    assert OutboxModel.get(letter_message_id(receipt["application_id"])).status == MailStatus.SENT.value

    # When the check runs after the 2 hours
    clock.set(applied_at + PROMISE + timedelta(minutes=10))
    result, metrics = check(capsys)

    # Then the promise was kept: nothing overdue, nothing listed, and the application is no longer watched
    assert result == {"overdue": 0, "on_time": 1}
    assert overdue_metric(metrics) == [0.0]
    assert json_of(overdue_list(client, people.staff()))["items"] == []
    assert only_application(MAIN).letter_watch is None
    assert check(capsys)[0] == {"overdue": 0, "on_time": 0}


def test_a_letter_sent_late_is_overdue(client, people: People, clock: FixedClock, capsys):
    # Given a letter that SES took only 3 hours after the application
    receipt = applied(client)
    applied_at = clock.now()
    clock.advance(timedelta(hours=3))
    Pipeline().run()

    # When the check runs
    result, _ = check(capsys)

    # Then it broke the promise, and staff see when it was sent in the end
    assert result["overdue"] == 1
    (item,) = json_of(overdue_list(client, people.staff()))["items"]
    assert (item["application_id"], item["letter_status"]) == (receipt["application_id"], "sent")
    assert item["sent_at"] == (applied_at + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_staff_list_pages_latest_due_first(client, people: People, clock: FixedClock, capsys):
    # Given three overdue letters, applied an hour apart
    cvrs = [MAIN, OTHER_MAIN, "21450006"]
    receipts = []
    for cvr in cvrs:
        receipts.append(applied(client, cvr))
        clock.advance(timedelta(hours=1))
    clock.advance(PROMISE)
    assert check(capsys)[0]["overdue"] == 3
    staff = people.staff()

    # When staff page through them two at a time
    first = json_of(overdue_list(client, staff, "?limit=2"))
    second = json_of(overdue_list(client, staff, f"?limit=2&cursor={first['next_cursor']}"))

    # Then they get all three, latest due first, and the last page says so
    listed = [i["application_id"] for i in first["items"] + second["items"]]
    assert listed == [r["application_id"] for r in reversed(receipts)]
    assert second["next_cursor"] is None
    assert_problem(overdue_list(client, staff, "?cursor=nonsense"), 400, "invalid-input")


def test_only_staff_see_the_overdue_letters(client, people: People):
    org = people.organisation()
    member = people.member(org)

    assert_problem(client.http.get("/v1/staff/letters/overdue"), 401, "unauthenticated")
    assert_problem(overdue_list(client, member), 403, "forbidden")


# Letters nobody can abuse: strangers' applications never hold up the company's own, and the mailbox gets a
# bounded number of letters.

STRANGER = {"first_name": "Sune", "last_name": "Fremmed", "mobile": "+4599887766"}
OWN = form()["applicant"]


def run_the_service(client: Any, clock: FixedClock, capsys: Any, pipeline: Pipeline, *, minutes: int) -> int:
    """`minutes` of the service as it runs in AWS: the gathered letters' sender every 5 minutes, the mail
    pipeline, and the letter watch every 15 minutes. Answers how many letters the watch found overdue."""
    overdue = 0
    for minute in range(5, minutes + 1, 5):
        clock.advance(timedelta(minutes=5))
        send_gathered_letters()
        pipeline.run()
        if minute % 15 == 0:
            overdue += check(capsys)[0]["overdue"]
    return overdue


def block_of(text: str, applicant: str) -> tuple[str, str]:
    """The username and activation code under the block headed by the applicant, as the letter prints them."""
    lines = text.splitlines()
    start = lines.index(f"Ansøgning fra {applicant}")
    username, code = lines[start + 2], lines[start + 3]
    assert username.startswith("Brugernavn: "), lines[start:]
    assert code.startswith("Aktiveringskode: "), lines[start:]
    return username.removeprefix("Brugernavn: "), code.removeprefix("Aktiveringskode: ")


def test_after_five_strangers_applied_the_companys_own_letter_names_its_applicant_within_the_promise(
    client, container: Container, capsys
):
    # Given five strangers (five addresses each within its limit; the test client calls from one) who
    # applied for MAIN within a few minutes, each typing words of their own as the organisation's name
    settings = container.settings.model_copy(update={"applications_per_caller_per_hour": 50})
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=10))
    use_container(Container(settings=settings, clock=clock))
    pipeline = Pipeline()
    mailbox = f"e-boks+{MAIN}@digitalpost.example"
    for n in range(5):
        body = form(subsidiaries=[], accounts=[], name="Skattestyrelsen ring straks til os")
        body["applicant"] = {**STRANGER, "email": f"sune{n}@evil.example"}
        assert apply(client, body).status_code == 202
        clock.advance(timedelta(minutes=2))

    # When the company applies itself, and the service runs on for past the promise
    applied_at = clock.now()
    assert apply(client, form(subsidiaries=[], accounts=[])).status_code == 202
    overdue = run_the_service(client, clock, capsys, pipeline, minutes=135)

    # Then the company got a letter naming its own applicant, above its own username and code
    sent = [m for m in sent_mail() if mailbox in m.to]
    [own] = [m for m in sent if "Ansøgning fra Ida Holm (ida.holm@example.org)" in m.text.splitlines()]
    username, code = block_of(own.text, "Ida Holm (ida.holm@example.org)")
    assert activate(client, username, code).status_code == 201
    # And within the promise: the letter watch found no letter overdue, the company's included
    application = next(a for a in applications_for(MAIN) if a.username == username)
    letter = OutboxModel.get(letter_of(application))
    assert letter.sent_at is not None
    assert letter.sent_at <= applied_at + PROMISE
    assert overdue == 0
    # And the mailbox got two letters: the first stranger's at once, and one an hour later carrying the rest
    assert len(sent) == 2
    assert "Sune Fremmed (sune0@evil.example)" in sent[0].text
    assert [line for line in own.text.splitlines() if line.startswith("Ansøgning fra ")] == [
        *[f"Ansøgning fra Sune Fremmed (sune{n}@evil.example)" for n in range(1, 5)],
        "Ansøgning fra Ida Holm (ida.holm@example.org)",
    ]
    # And no letter printed what the strangers typed as the organisation's name
    assert all("Skattestyrelsen" not in m.text and "Skattestyrelsen" not in m.html for m in sent)


def test_however_many_apply_all_day_a_mailbox_gets_at_most_one_letter_an_hour_and_every_one_in_time(
    client, container: Container, capsys
):
    # Given strangers applying for MAIN every quarter of an hour, all day (many addresses)
    settings = container.settings.model_copy(
        update={"applications_per_caller_per_hour": 1000, "applications_per_caller_per_day": 1000}
    )
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0, second=0) - timedelta(days=10))
    use_container(Container(settings=settings, clock=clock))
    pipeline = Pipeline()
    start = clock.now()
    overdue = 0
    for n in range(24 * 4):
        body = form(subsidiaries=[], accounts=[])
        body["applicant"] = {**STRANGER, "email": f"sune{n}@evil.example"}
        assert apply(client, body).status_code == 202
        overdue += run_the_service(client, clock, capsys, pipeline, minutes=15)

    # Then the mailbox got at most one letter an hour: 24 in the day
    sent = sorted(m.created_at for m in letters())
    assert all(b - a >= timedelta(hours=1) for a, b in itertools.pairwise(sent))
    assert len([at for at in sent if at < start + timedelta(days=1)]) == 24
    # And every application's letter went within the promise, however long the queue of strangers
    overdue += run_the_service(client, clock, capsys, pipeline, minutes=135)
    assert overdue == 0
    assert all(OutboxModel.get(letter_of(a)).sent_at for a in applications_for(MAIN))


def test_a_gathered_letter_the_sender_never_wrote_is_overdue(
    client, people: People, clock: FixedClock, capsys
):
    # Given two applications for one CVR: the first's letter went at once, the second waits for the next
    applied(client)
    body = form(subsidiaries=[], accounts=[], applicant={**OWN, "email": "bo@example.org"})
    second = json_of(apply(client, body))
    applied_at = clock.now()
    Pipeline().run()

    # When the sender never runs, and the watch checks after the promise
    clock.set(applied_at + PROMISE + timedelta(seconds=1))
    result, _ = check(capsys)

    # Then the gathered application's letter is overdue, and staff see it missing; the first was on time
    assert result == {"overdue": 1, "on_time": 1}
    (item,) = json_of(overdue_list(client, people.staff()))["items"]
    assert (item["application_id"], item["letter_status"]) == (second["application_id"], "missing")


def test_an_application_voided_before_its_gathered_letter_is_owed_none(client, clock: FixedClock, capsys):
    # Given two applications for one CVR, the second waiting for the mailbox's next letter
    applied(client)
    first = username_and_code(only_letter())
    body = form(subsidiaries=[], accounts=[], applicant={**OWN, "email": "bo@example.org"})
    assert apply(client, body).status_code == 202
    applied_at = clock.now()
    Pipeline().run()

    # When the first letter is activated (voiding the other), and the next letter's time comes
    assert activate(client, *first).status_code == 201
    clock.advance(timedelta(hours=1))
    assert send_gathered_letters()["emptied"] == 1

    # Then no letter went for the voided one, and the watch finds nothing overdue
    assert len(letters()) == 1
    clock.set(applied_at + PROMISE + timedelta(seconds=1))
    assert check(capsys)[0] == {"overdue": 0, "on_time": 1}
