"""Journey 8 through the local stack: `make reminders` (python -m infra.local.jobs) as of chosen days mails
the expiry reminders of a code the demo administrator created, once each, and never for a replaced value."""

from __future__ import annotations

import email
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.policy import default
from typing import Any

import boto3
import pytest

from tests.e2e.conftest import PROJECT_DIR, RunningStack
from tests.e2e.test_codes import FrontEnd

pytestmark = pytest.mark.e2e

REPRESENTATIVE = "rasmus.paamindelse@example.org"
# How the codes table writes a time (PynamoDB's UTCDateTimeAttribute).
STORED_TIME = "%Y-%m-%dT%H:%M:%S.%f%z"


@dataclass(frozen=True)
class Mail:
    name: str
    to: str
    subject: str
    text: str


def mailbox(stack: RunningStack) -> dict[str, Mail]:
    found = {}
    for path in sorted((stack.state_dir / "mail").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=default)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        found[path.name] = Mail(path.name, str(message["To"]), str(message["Subject"]), text)
    return found


def jobs(stack: RunningStack, *arguments: str) -> subprocess.CompletedProcess[str]:
    """What `make reminders` runs."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GODKEND_", "MOTO_"))}
    environment["GODKEND_LOCAL_DIR"] = str(stack.state_dir)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "infra.local.jobs", *arguments],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def make_reminders(stack: RunningStack, as_of: date) -> list[Mail]:
    """`make reminders AS_OF=...`; answers the mail that arrived because of it."""
    before = mailbox(stack)
    finished = jobs(stack, "--as-of", as_of.isoformat())
    assert finished.returncode == 0, finished.stderr
    assert f"Reminders as of {as_of.isoformat()}" in finished.stdout
    return [mail for name, mail in mailbox(stack).items() if name not in before]


def about_our_code(mails: list[Mail]) -> list[Mail]:
    return [m for m in mails if REPRESENTATIVE in m.to or REPRESENTATIVE in m.text]


def move_back(stack: RunningStack, code: dict[str, Any], days: int) -> dict[str, Any]:
    """Makes the code `days` days older in the emulator's tables, as if created then: the stack's API runs
    on the real clock, so this is how a renewal can happen well into a value's life."""
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=stack.demo["aws_endpoint_url"],
        region_name=stack.demo["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    key = {"code_id": {"S": code["code_id"]}}
    entry = dynamodb.get_item(TableName="godkend-local-codes", Key=key, ConsistentRead=True)["Item"]
    shift = timedelta(days=days)

    def earlier(name: str) -> datetime:
        return datetime.strptime(entry[name]["S"], STORED_TIME) - shift

    expires_at = earlier("expires_at")
    dynamodb.update_item(
        TableName="godkend-local-codes",
        Key=key,
        UpdateExpression="SET created_at = :c, issued_at = :i, expires_at = :e, expires_on = :d",
        ExpressionAttributeValues={
            ":c": {"S": earlier("created_at").strftime(STORED_TIME)},
            ":i": {"S": earlier("issued_at").strftime(STORED_TIME)},
            ":e": {"S": expires_at.strftime(STORED_TIME)},
            ":d": {"S": expires_at.date().isoformat()},
        },
    )
    dynamodb.update_item(
        TableName="godkend-local-code-values",
        Key={"random_part": entry["random_part"]},
        UpdateExpression="SET expires_at = :e",
        ExpressionAttributeValues={":e": {"N": str(int(expires_at.timestamp()))}},
    )
    return {**code, "expires_at": expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")}


def expiry_day(code: dict[str, Any]) -> date:
    return datetime.fromisoformat(code["expires_at"].replace("Z", "+00:00")).date()


def test_make_reminders_mails_each_reminder_once_and_nothing_for_a_renewed_value(stack: RunningStack):
    # Given a code the demo administrator created through the API, 30 days into its life
    front = FrontEnd(stack)
    me = front.call("GET", "/v1/me", 200)
    administrator = me["user"]["email"]
    company = me["companies"][0]
    created = front.call(
        "POST",
        "/v1/codes",
        201,
        json={
            "first_name": "Rasmus",
            "last_name": "Påmindelse",
            "email": REPRESENTATIVE,
            "company": company["cvr"],
            "account": company["accounts"][0]["number"],
        },
    )
    stack.mail_containing(f"Godkendelseskode: {created['code']}")
    code = move_back(stack, created, days=30)
    old_expiry = expiry_day(code)

    # When the jobs run as of 7 days before it expires
    seven = about_our_code(make_reminders(stack, old_expiry - timedelta(days=7)))

    # Then the representative and the administrator who created it are reminded, each once
    assert sorted(m.to for m in seven) == sorted(
        [
            f"Rasmus Påmindelse <{REPRESENTATIVE}>",
            f"{me['user']['first_name']} {me['user']['last_name']} <{administrator}>",
        ]
    )
    (to_representative,) = [m for m in seven if REPRESENTATIVE in m.to]
    assert to_representative.subject == "Din godkendelseskode fra Røde Kors Aarhus udløber om 7 dage"
    assert f"Godkendelseskode: {code['code']}" in to_representative.text
    (to_administrator,) = [m for m in seven if administrator in m.to]
    assert "Klik på Opdater" in to_administrator.text

    # When they run again as of the same day, nothing new is mailed
    assert about_our_code(make_reminders(stack, old_expiry - timedelta(days=7))) == []

    # When they run as of the day before it expires, the second reminder comes, to both
    one = about_our_code(make_reminders(stack, old_expiry - timedelta(days=1)))
    assert len(one) == 2
    assert all(m.subject.endswith("udløber i morgen") for m in one)

    # When the administrator renews the code (a new value, 60 days from now), and the jobs run as of the old
    # value's expiry and the day after
    renewed = front.call("POST", f"/v1/codes/{code['code_id']}/renew", 200)
    stack.mail_containing(f"Godkendelseskode: {renewed['code']}")
    assert expiry_day(renewed) > old_expiry
    after = make_reminders(stack, old_expiry) + make_reminders(stack, old_expiry + timedelta(days=1))

    # Then nothing is mailed for the old value
    assert about_our_code(after) == []

    # And 7 days before the new value expires, its own reminder carries the new code
    new = about_our_code(make_reminders(stack, expiry_day(renewed) - timedelta(days=7)))
    assert len(new) == 2
    (to_representative,) = [m for m in new if REPRESENTATIVE in m.to]
    assert f"Godkendelseskode: {renewed['code']}" in to_representative.text


def test_make_reminders_without_as_of_runs_as_of_today(stack: RunningStack):
    days = {datetime.now(UTC).date()}
    finished = jobs(stack)
    days.add(datetime.now(UTC).date())

    assert finished.returncode == 0, finished.stderr
    assert any(f"Reminders as of {day.isoformat()}:" in finished.stdout for day in days)
