"""Journey 8: a code's representative and its issuer are reminded 7 days and 1 day before the code's value
expires, and once the day after it expired, with how to get it renewed.

**Stages, by UTC date.** A run on day D reminds the values whose `expires_on` (the UTC date of `expires_at`)
is D+7 (`7d`), D+1 (`1d`) and D-1 (`expired`: every value that expired on D-1 has expired by the time any run
on D starts, whatever the hour). Time of day plays no part, so the job may run at any hour, and a missed day
is made good by running the job as of that day (`make reminders AS_OF=...`, or invoking the function with
`{"detail": {"as_of": "YYYY-MM-DD"}}`).

**Fan-out.** The daily schedule (`ReminderPlanner`) only pages through the `codes.by-expiry` index (keys
only, one partition per day: never a Scan) and puts the code ids on the `reminders` queue in chunks. A queue
consumer (`ReminderWriter`) takes one chunk at a time: it reads the chunk's entries consistently, and for each
code still at that stage writes its reminders to the mail outbox, which delivers them. The work of a big day
is spread over many short invocations, each well inside Lambda's limit.

**Exactly once per value and stage.** A reminder's message id is `code-reminder:<code_id>:<renewals>:<stage>:
<audience>` (the renewal counter names the value), written under the outbox's "does not exist" condition,
together with a condition check that the entry still has that value, unrevoked, expiring that day, in one
transaction. So a second run, two overlapping runs or a chunk delivered twice write nothing more; a renewed
or revoked code gets nothing for its old value, even if the renewal lands between the read and the write; and
a renewed value, with its own counter, gets its own reminders later.

**Who.** The issuer (whoever last renewed the code, else whoever created it) always, while their login is
active in the code's organisation; the representative only when the code was created with `notify` (the
organisation chose to hand such codes over itself, so we do not start mailing the representative now). One
person who is both gets the issuer's mail, which says how to renew. The representative's 7-day and 1-day
reminders carry the code, so that it can be used right away; the issuer's do not (they see it when signed
in); no subject ever does. Reminders are written in the code's language. A code of an organisation that is
not approved is not reminded of: it cannot be renewed, and it does not validate.

**Pace.** Every reminder written is a mail SES sends moments later, so the writer paces itself: at most
GODKEND_REMINDER_MAILS_PER_SECOND across all consumers, each taking its share (`Pacer`).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from pynamodb.expressions.condition import Condition

from chalicelib.clock import Clock, isoformat
from chalicelib.environment import REMINDER_CONSUMERS
from chalicelib.models.code import (
    CODE_ID,
    CodeModel,
    Reminders,
    ReminderWrite,
    codes_expiring_on,
    entries_of,
    write_reminders,
)
from chalicelib.models.organisation import OrganisationModel, OrganisationStatus, organisations_by_id
from chalicelib.models.outbox import MailKind, OutboxModel, Recipient, outgoing
from chalicelib.models.user import UserModel, UserStatus, users_by_id
from chalicelib.services.codes.renewal_requests import RenewalLinks

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A code has at most two reminders per stage (the issuer's and the representative's).
MAILS_PER_CODE = 2
# DynamoDB takes at most 100 items in a transaction: a code is a condition check and up to two puts.
MAX_CODES_PER_WRITE = 25
# At most this many consumers take chunks at once (the queue's maximum concurrency); each writes at
# GODKEND_REMINDER_MAILS_PER_SECOND / CONSUMERS. Named with the other import-time settings, since the
# queue's event source needs it when the app is imported.
CONSUMERS = REMINDER_CONSUMERS
# SQS takes at most 10 messages per SendMessageBatch.
SEND_BATCH = 10


class Stage(StrEnum):
    SEVEN_DAYS = "7d"
    ONE_DAY = "1d"
    EXPIRED = "expired"

    @property
    def days_after_run(self) -> int:
        """How many days after the run's date a value expires for this stage to be due."""
        return {Stage.SEVEN_DAYS: 7, Stage.ONE_DAY: 1, Stage.EXPIRED: -1}[self]

    @property
    def kind(self) -> MailKind:
        return MailKind.CODE_EXPIRED if self is Stage.EXPIRED else MailKind.CODE_EXPIRING


class Audience(StrEnum):
    REPRESENTATIVE = "representative"
    ISSUER = "issuer"


def expiry_day_for(stage: Stage, run_day: date) -> str:
    return (run_day + timedelta(days=stage.days_after_run)).isoformat()


def reminder_message_id(entry: CodeModel, stage: Stage, audience: Audience) -> str:
    return f"code-reminder:{entry.code_id}:{int(entry.renewals)}:{stage.value}:{audience.value}"


@dataclass(frozen=True)
class Chunk:
    """One message on the reminders queue: up to GODKEND_REMINDER_CHUNK_SIZE codes at one stage."""

    stage: Stage
    expires_on: str
    code_ids: tuple[str, ...]

    def to_json(self) -> str:
        return json.dumps({"stage": self.stage.value, "expires_on": self.expires_on, "codes": self.code_ids})

    @classmethod
    def from_json(cls, body: str) -> Chunk | None:
        """The chunk a message holds, or None when it is not one (never trusted further than its shape)."""
        try:
            data: Any = json.loads(body)
            stage = Stage(data["stage"])
            expires_on = str(data["expires_on"])
            code_ids = tuple(str(c) for c in data["codes"])
            date.fromisoformat(expires_on)
        except (ValueError, TypeError, KeyError):
            return None
        if not DAY.match(expires_on) or not all(CODE_ID.match(c) for c in code_ids):
            return None
        return cls(stage, expires_on, code_ids)


class ChunkQueue(Protocol):
    def send(self, chunks: Sequence[Chunk]) -> None: ...


@dataclass
class PlanReport:
    run_day: str
    codes: dict[str, int] = field(default_factory=dict)  # per stage
    chunks: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"run_day": self.run_day, "codes": self.codes, "chunks": self.chunks}


class ReminderPlanner:
    """The daily schedule's part: which codes are at a stage today, put on the queue in chunks."""

    def __init__(self, *, queue: ChunkQueue, clock: Clock, chunk_size: int) -> None:
        self._queue = queue
        self._clock = clock
        self._chunk_size = chunk_size

    def run(self, as_of: date | None = None) -> PlanReport:
        run_day = as_of or self._clock.now().astimezone(UTC).date()
        report = PlanReport(run_day.isoformat())
        pending: list[Chunk] = []
        for stage in Stage:
            expires_on = expiry_day_for(stage, run_day)
            report.codes[stage.value] = 0
            for chunk in self._chunks(stage, expires_on):
                report.codes[stage.value] += len(chunk.code_ids)
                pending.append(chunk)
                if len(pending) == SEND_BATCH:
                    self._send(pending, report)
        self._send(pending, report)
        return report

    def _chunks(self, stage: Stage, expires_on: str) -> Iterator[Chunk]:
        ids: list[str] = []
        for code_id in codes_expiring_on(expires_on):
            ids.append(code_id)
            if len(ids) == self._chunk_size:
                yield Chunk(stage, expires_on, tuple(ids))
                ids = []
        if ids:
            yield Chunk(stage, expires_on, tuple(ids))

    def _send(self, pending: list[Chunk], report: PlanReport) -> None:
        if pending:
            self._queue.send(pending)
            report.chunks += len(pending)
            pending.clear()


class Pacer:
    """Keeps writes to `rate` per second on average (a token bucket holding at most one second's worth)."""

    def __init__(
        self,
        rate: float,
        *,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = rate
        self._sleep = sleep
        self._monotonic = monotonic
        self._tokens = rate
        self._last = monotonic()

    def spent(self, count: int) -> None:
        """`count` more mails were written: wait, if need be, until the rate allows them."""
        now = self._monotonic()
        self._tokens = min(self._rate, self._tokens + (now - self._last) * self._rate) - count
        self._last = now
        if self._tokens < 0:
            self._sleep(-self._tokens / self._rate)
            self._tokens = 0
            self._last = self._monotonic()


@dataclass
class ChunkReport:
    """What one chunk came to: codes reminded, mails written, codes already reminded, codes left alone."""

    reminded: int = 0
    mails: int = 0
    already: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "reminded": self.reminded,
            "mails": self.mails,
            "already": self.already,
            "skipped": self.skipped,
        }


Mail = tuple[OutboxModel, Condition]


class ReminderWriter:
    """The queue consumer's part: the reminders of one chunk, written to the outbox once each."""

    def __init__(
        self, *, clock: Clock, pacer: Pacer, codes_per_write: int = 1, links: RenewalLinks | None = None
    ) -> None:
        self._clock = clock
        self._pacer = pacer
        # Makes the representative's "Bed om en ny kode" link.
        self._links = links
        # Codes whose reminders go in one transaction: fewer round trips, while one write's mails stay
        # within what the pacer lets through in a second (SES sees no bigger burst than that).
        self._codes_per_write = max(1, min(codes_per_write, MAX_CODES_PER_WRITE))

    def write(self, chunk: Chunk) -> ChunkReport:
        report = ChunkReport()
        entries = entries_of(chunk.code_ids)
        due = [e for e in entries if e.revoked_when is None and e.expires_on == chunk.expires_on]
        report.skipped += len(chunk.code_ids) - len(due)
        organisations = organisations_by_id(e.org_id for e in due)
        issuers = users_by_id(e.issuer for e in due)
        now = self._clock.now()
        prepared: list[Reminders] = []
        for entry in due:
            mails = self._mails(entry, organisations.get(entry.org_id), issuers.get(entry.issuer), chunk, now)
            if mails:
                prepared.append(Reminders(entry, chunk.expires_on, mails))
            else:
                report.skipped += 1
        for start in range(0, len(prepared), self._codes_per_write):
            self._write(prepared[start : start + self._codes_per_write], report)
        return report

    def _write(self, group: list[Reminders], report: ChunkReport) -> None:
        outcomes = write_reminders(group)
        written = 0
        for reminders in group:
            outcome = outcomes[reminders.entry.code_id]
            if outcome is ReminderWrite.WRITTEN:
                report.reminded += 1
                written += len(reminders.mails)
            elif outcome is ReminderWrite.ALREADY:
                report.already += 1
            else:
                report.skipped += 1
        report.mails += written
        if written:
            self._pacer.spent(written)

    def _mails(
        self,
        entry: CodeModel,
        organisation: OrganisationModel | None,
        issuer: UserModel | None,
        chunk: Chunk,
        now: datetime,
    ) -> list[Mail]:
        if organisation is None or organisation.status != OrganisationStatus.APPROVED.value:
            return []
        recipients: dict[Audience, Recipient] = {}
        if issuer is not None and issuer.status == UserStatus.ACTIVE.value and issuer.org_id == entry.org_id:
            recipients[Audience.ISSUER] = Recipient(issuer.email, f"{issuer.first_name} {issuer.last_name}")
        same_person = issuer is not None and issuer.email.strip().lower() == entry.email.strip().lower()
        if entry.notify and not (same_person and Audience.ISSUER in recipients):
            recipients[Audience.REPRESENTATIVE] = Recipient(
                entry.email, f"{entry.first_name} {entry.last_name}"
            )
        return [
            self._mail(entry, organisation, chunk.stage, audience, to, now)
            for audience, to in recipients.items()
        ]

    def _mail(
        self,
        entry: CodeModel,
        organisation: OrganisationModel,
        stage: Stage,
        audience: Audience,
        to: Recipient,
        now: datetime,
    ) -> Mail:
        context: dict[str, Any] = {
            "audience": audience.value,
            "organisation_name": organisation.name,
            "representative_name": f"{entry.first_name} {entry.last_name}",
            "representative_email": entry.email,
            "expires_at": isoformat(entry.expires_at),
            "notify": bool(entry.notify),
        }
        if stage is not Stage.EXPIRED:
            context["days_left"] = stage.days_after_run
        # The representative needs the code to use it; the issuer sees it when signed in.
        with_code = audience is Audience.REPRESENTATIVE and stage is not Stage.EXPIRED
        hidden: dict[str, str] = {"code": entry.code} if with_code else {}
        if audience is Audience.REPRESENTATIVE and self._links is not None:
            # The representative asks for a new code in one click; the issuer renews it themselves.
            hidden["renewal_link"] = self._links.make(entry, now)
        return outgoing(
            stage.kind,
            to=to,
            language=entry.language,
            context=context,
            now=now,
            secrets=hidden or None,
            message_id=reminder_message_id(entry, stage, audience),
        )
