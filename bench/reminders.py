"""Prints what the expiry reminders cost: items read against reminders written, and the time and calls of a
big day. Runs the real schedule and queue handlers on moto, in-process.

    .venv/bin/python -m bench.reminders [--codes 50000] [--due 1000] [--day 20000]

1. A table of `--codes` codes, `--due` of which expire 7 days after the run day (the rest on other days,
   none on the run's other two stage days), run through the daily schedule and every chunk it queues.
   Counted: the items each DynamoDB call returned or touched, from botocore's own request and response
   events, so nothing the code reports about itself is taken on trust.
2. A day of `--day` codes expiring together, queued by the schedule: its time and calls, extrapolated
   linearly to 200,000 (the Query pages and SendMessageBatch calls grow linearly with the day).

moto is not DynamoDB: its Query on an index walks the whole table, and it copies every table a transaction
touches (to roll back), so its times grow with the table where DynamoDB's do not. The item counts are what
DynamoDB would bill; the times are moto's, and docs/performance.md turns call counts into AWS
estimates.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

# Before anything builds a botocore session or imports the models: fake credentials, and table names.
os.environ.update(
    AWS_ACCESS_KEY_ID="bench",
    AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 (moto's; nothing leaves the process)
    AWS_DEFAULT_REGION="eu-west-1",
    AWS_REGION="eu-west-1",
    AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
    GODKEND_TABLE_PREFIX="godkend-bench",
    POWERTOOLS_LOG_LEVEL="WARNING",
)
for leaked in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
    os.environ.pop(leaked, None)

RUN_DAY = date(2027, 3, 1)
# For the AWS estimates: a keys-only by-expiry entry (code_id and expires_on, names included) is about 60
# bytes; a Query returns at most 1 MB; in-region calls take tens of milliseconds. Assumptions, not measured.
INDEX_ENTRY_BYTES = 60
QUERY_PAGE_BYTES = 1_000_000
QUERY_PAGE_SECONDS = 0.1
CALL_SECONDS = 0.02
ORGANISATIONS = 20
ISSUERS_PER_ORGANISATION = 5
STAGE_OFFSETS = (7, 1, -1)


@dataclass
class Calls:
    """DynamoDB and SQS calls as botocore makes them: how many of each, and the items they read and wrote."""

    calls: Counter[str] = field(default_factory=Counter)
    read: Counter[str] = field(default_factory=Counter)
    written: Counter[str] = field(default_factory=Counter)
    messages: int = 0

    def before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        name = model.name
        self.calls[name] += 1
        if name == "TransactWriteItems":
            for item in params["TransactItems"]:
                ((kind, operation),) = item.items()
                table = operation["TableName"].removeprefix("godkend-bench-")
                if kind == "ConditionCheck":
                    self.read[f"{table} (condition checks)"] += 1
                else:
                    self.written[f"{table} ({kind})"] += 1
        elif name in ("PutItem", "UpdateItem", "DeleteItem"):
            self.written[params["TableName"].removeprefix("godkend-bench-")] += 1
        elif name == "SendMessageBatch":
            self.messages += len(params["Entries"])

    def after(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        name = model.name
        if name in ("Query", "Scan"):
            self.read[name] += int(parsed.get("Count", 0))
        elif name == "GetItem" and "Item" in parsed:
            self.read["GetItem"] += 1
        elif name == "BatchGetItem":
            for table, items in parsed.get("Responses", {}).items():
                self.read[f"{table.removeprefix('godkend-bench-')} (BatchGetItem)"] += len(items)

    def reset(self) -> None:
        self.calls.clear()
        self.read.clear()
        self.written.clear()
        self.messages = 0


CALLS = Calls()


def count_calls() -> None:
    """Hooks the counter into every botocore session made from now on (PynamoDB's and boto3's alike)."""
    from botocore import handlers

    handlers.BUILTIN_HANDLERS.append(("before-parameter-build.dynamodb", CALLS.before))
    handlers.BUILTIN_HANDLERS.append(("after-call.dynamodb", CALLS.after))
    handlers.BUILTIN_HANDLERS.append(("before-parameter-build.sqs", CALLS.before))


def copy_each_table_once_per_transaction() -> None:
    """moto 5.2 backs up a table for rollback once per *item* of a TransactWriteItems, so a write of 25
    codes' reminders copies the 50,000-code table 75 times. Here each table is copied once per transaction,
    from the same state, which is what the rollback needs: the emulator gets faster, and nothing it does or
    answers changes. Without this, the first part alone runs for over an hour on two cores."""
    import copy as real_copy
    import types

    from moto.dynamodb import models

    transact = models.DynamoDBBackend.transact_write_items

    def once_per_table(self: Any, transact_items: list[dict[str, Any]]) -> None:
        copies: dict[int, Any] = {}

        def deepcopy(value: Any, memo: Any = None) -> Any:
            if id(value) not in copies:
                copies[id(value)] = real_copy.deepcopy(value, memo)
            return copies[id(value)]

        models.copy = types.SimpleNamespace(deepcopy=deepcopy)  # type: ignore[attr-defined,assignment]
        try:
            transact(self, transact_items)
        finally:
            models.copy = real_copy  # type: ignore[attr-defined]

    models.DynamoDBBackend.transact_write_items = once_per_table  # type: ignore[method-assign]


@contextmanager
def timed() -> Iterator[list[float]]:
    elapsed: list[float] = []
    start = time.perf_counter()
    yield elapsed
    elapsed.append(time.perf_counter() - start)


def provision() -> list[tuple[str, str]]:
    """Tables, queues, approved organisations and their issuers: (org_id, user_id) pairs."""
    import boto3

    from chalicelib.models.user import UserKind
    from infra.local.demo import CompanySpec, ScopeSpec, add_organisation, add_user
    from infra.local.provision import create_messaging, create_tables, verify_sender

    create_tables()
    create_messaging(boto3.client("sqs"), boto3.client("sns"))
    verify_sender(boto3.client("ses"), "noreply@godkend.dk")
    now = datetime.now(UTC)
    issuers = []
    for n in range(ORGANISATIONS):
        org_id = f"org-{n}"
        cvr = f"3{n:07d}"
        add_organisation(
            org_id=org_id,
            name=f"Forening {n}",
            handle=f"Forening{n}",
            companies=[CompanySpec(cvr, f"Forening {n}", (("A1", "Konto"),))],
            now=now,
        )
        for i in range(ISSUERS_PER_ORGANISATION):
            user_id = f"user-{n}-{i}"
            add_user(
                user_id=user_id,
                org_id=org_id,
                first_name="Anne",
                last_name=f"Bruger {i}",
                email=f"{user_id}@example.org",
                mobile="+4512345678",
                scope=ScopeSpec(companies={cvr: None}),
                now=now,
                kind=UserKind.MEMBER,
            )
            issuers.append((org_id, user_id))
    return issuers


def write_codes(days: list[date], issuers: list[tuple[str, str]], first: int) -> None:
    """One code entry per day given (the value items are left out: no reminder reads them)."""
    from chalicelib.models.code import CodeModel, account_key, expiry_day

    with CodeModel.batch_write() as batch:
        for n, day in enumerate(days, start=first):
            org_id, user_id = issuers[n % len(issuers)]
            cvr = f"3{int(org_id.removeprefix('org-')):07d}"
            expires_at = datetime.combine(day, clock_time(10, 0), tzinfo=UTC)
            issued_at = expires_at - timedelta(days=60)
            batch.save(
                CodeModel(
                    f"{n:032x}",
                    org_id=org_id,
                    cvr=cvr,
                    account="A1",
                    account_key=account_key(cvr, "A1"),
                    first_name="Mette",
                    last_name=f"Hansen {n}",
                    email=f"rep-{n}@example.org",
                    language="da",
                    notify=True,
                    random_part=f"{n:08x}"[-8:],
                    handle=f"Forening{org_id.removeprefix('org-')}",
                    created_by=user_id,
                    created_at=issued_at,
                    issued_at=issued_at,
                    expires_at=expires_at,
                    expires_on=expiry_day(expires_at),
                    renewals=0,
                    version=1,
                )
            )


def other_days(count: int) -> list[date]:
    """Expiry days for codes that are at no stage on RUN_DAY: spread over 60 days, avoiding the three."""
    avoid = {RUN_DAY + timedelta(days=d) for d in STAGE_OFFSETS}
    candidates = [
        RUN_DAY + timedelta(days=d) for d in range(-20, 61) if RUN_DAY + timedelta(days=d) not in avoid
    ]
    return [candidates[n % len(candidates)] for n in range(count)]


def schedule(app: Any, run_day: date) -> dict[str, Any]:
    from chalice.local import LambdaContext

    from infra.local.events import scheduled_event

    use_clock(datetime.combine(run_day, clock_time(6, 0), tzinfo=UTC))
    at = datetime.combine(run_day, clock_time(6, 0), tzinfo=UTC)
    report: dict[str, Any] = app.handler_map["send_reminders"](
        scheduled_event(at, "send-reminders"), LambdaContext("send_reminders", 1024)
    )
    return report


def drain_chunks(app: Any) -> list[float]:
    """Every queued chunk through the consumer, one invocation each; answers each invocation's seconds."""
    import boto3

    from chalicelib.settings import resource_name
    from infra.local.events import QueueConsumer

    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=resource_name("reminders"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    seconds: list[float] = []

    def timed_handler(event: dict[str, Any], context: Any) -> Any:
        start = time.perf_counter()
        try:
            return app.handler_map["remind_codes"](event, context)
        finally:
            seconds.append(time.perf_counter() - start)

    consumer = QueueConsumer(sqs, "remind_codes", url, arn, timed_handler, 1)
    while consumer.poll_once():
        pass
    return seconds


def empty_queue() -> None:
    import boto3

    from chalicelib.settings import resource_name

    sqs = boto3.client("sqs")
    sqs.purge_queue(QueueUrl=sqs.get_queue_url(QueueName=resource_name("reminders"))["QueueUrl"])


def use_clock(at: datetime) -> None:
    from chalicelib.clock import FixedClock
    from chalicelib.container import Container, use_container
    from chalicelib.settings import Settings

    # Unpaced: this measures the work, not the SES share (which only adds waiting).
    settings = Settings(reminder_mails_per_second=10_000.0)
    use_container(Container(settings=settings, clock=FixedClock(at)))


def items(counter: Counter[str]) -> str:
    return ", ".join(f"{n:,} {what}" for what, n in sorted(counter.items())) or "none"


def cost_per_reminder(codes: int, due: int, issuers: list[tuple[str, str]]) -> list[float]:
    """The first part; answers the consumer's seconds per chunk."""
    from app import app

    print(f"== {codes:,} codes, {due:,} of them expiring 7 days after the run day ({RUN_DAY}) ==")
    with timed() as took:
        write_codes([RUN_DAY + timedelta(days=7)] * due, issuers, first=0)
        write_codes(other_days(codes - due), issuers, first=due)
    rate = codes / took[0]
    print(
        f"wrote {codes:,} codes with BatchWriteItem (25 per call) in {took[0]:.1f} s ({rate:,.0f}/s)   [moto]"
    )

    CALLS.reset()
    with timed() as took:
        report = schedule(app, RUN_DAY)
    print(
        f"schedule: {CALLS.calls['Query']} Query call(s) reading {CALLS.read['Query']:,} index items, "
        f"{CALLS.read['Scan']:,} items scanned; {report['chunks']} chunk(s) queued in "
        f"{CALLS.calls['SendMessageBatch']} SendMessageBatch call(s); {took[0]:.1f} s   [moto]"
    )
    schedule_read = sum(CALLS.read.values())

    CALLS.reset()
    seconds = drain_chunks(app)
    written = sum(n for what, n in CALLS.written.items() if what.startswith("outbox"))
    consumer_read = sum(CALLS.read.values())
    print(
        f"consumer: {len(seconds)} invocation(s), {sum(seconds):.1f} s in all, "
        f"{sum(seconds) / max(len(seconds), 1):.1f} s per chunk   [moto]"
    )
    print(f"  read: {items(CALLS.read)}")
    print(f"  written: {items(CALLS.written)}")
    print(f"  calls: {items(CALLS.calls)}")
    total = schedule_read + consumer_read
    print(
        f"reminders written to the outbox (each one mail): {written:,}; items read: {total:,} "
        f"= {total / max(written, 1):.2f} per reminder; table items never read: {codes - due:,}"
    )
    print()
    return seconds


def big_day(day: int, issuers: list[tuple[str, str]], chunk_seconds: list[float]) -> None:
    from app import app
    from chalicelib.services.codes.reminders import CONSUMERS, MAILS_PER_CODE

    target = 200_000
    factor = target / day
    print(
        f"== a day of {target:,} codes: measured with {day:,} codes on one day, extrapolated x{factor:g} =="
    )
    # A run day far from the first part's codes, so that this run reads only the big day.
    run_day = RUN_DAY + timedelta(days=200)
    with timed() as took:
        write_codes([run_day + timedelta(days=1)] * day, issuers, first=10_000_000)
    print(f"wrote {day:,} more codes in {took[0]:.1f} s   [moto]")
    CALLS.reset()
    with timed() as took:
        report = schedule(app, run_day)
    read, chunks, sends = CALLS.read["Query"], report["chunks"], CALLS.calls["SendMessageBatch"]
    print(
        f"measured: the schedule read {read:,} index items in {CALLS.calls['Query']} Query call(s), queued "
        f"{chunks:,} chunks in {sends:,} SendMessageBatch calls: {took[0]:.1f} s   [moto]"
    )
    print(
        f"extrapolated to {target:,}: {read * factor:,.0f} index items, {chunks * factor:,.0f} chunks, "
        f"{sends * factor:,.0f} SendMessageBatch calls, {took[0] * factor:.0f} s on moto"
    )
    empty_queue()
    pages = math.ceil(target * INDEX_ENTRY_BYTES / QUERY_PAGE_BYTES)
    enqueue = pages * QUERY_PAGE_SECONDS + sends * factor * CALL_SECONDS
    print(
        f"  in AWS (estimate, not measured): ~{pages} Query pages of 1 MB and {sends * factor:,.0f} "
        f"SendMessageBatch calls: ~{enqueue:.0f} s, in one invocation of a 900 s function"
    )
    mean = sum(chunk_seconds) / max(len(chunk_seconds), 1)
    print(
        f"consumer, measured on the first part's {len(chunk_seconds)} chunks: {mean:.1f} s per chunk of "
        "100 codes on moto (its transactions copy whole tables)"
    )
    chunks_total = chunks * factor
    mails = chunks_total * 100 * MAILS_PER_CODE
    for rate in (10, 100):
        per_consumer = rate / CONSUMERS
        writes = 100 / max(1, int(per_consumer // MAILS_PER_CODE))
        calls = (3 + writes) * CALL_SECONDS
        pacing = 100 * MAILS_PER_CODE / per_consumer
        print(
            f"  in AWS at GODKEND_REMINDER_MAILS_PER_SECOND={rate} (estimate): {chunks_total:,.0f} chunks, "
            f"at most {mails:,.0f} mails, {mails / rate / 3600:.1f} h in all; each chunk "
            f"{3 + writes:.0f} calls (~{calls:.1f} s) and at most {pacing:.0f} s of pacing"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reminders", description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=50_000, help="codes in the table")
    parser.add_argument("--due", type=int, default=1_000, help="of which expire on the stage day")
    parser.add_argument("--day", type=int, default=20_000, help="codes on the big day actually measured")
    args = parser.parse_args(argv)
    if not 0 < args.due <= args.codes or args.day < 1:
        parser.error("need 0 < --due <= --codes and --day >= 1")
    count_calls()
    copy_each_table_once_per_transaction()
    from moto import mock_aws

    with mock_aws():
        issuers = provision()
        chunk_seconds = cost_per_reminder(args.codes, args.due, issuers)
        big_day(args.day, issuers, chunk_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
