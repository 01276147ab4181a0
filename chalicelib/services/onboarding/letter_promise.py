"""Journey 2's promise: the activation letter is delivered within 2 hours of the application.

A scheduled check (every 15 minutes, `chalicelib/events/letters.py`) looks at each application once its
`letter_due_by` has passed, through the sparse `by-letter-watch` index (never a Scan), and reads the outbox
message of the letter that carries it: the one it got at once, or the gathered letter it waited for
(`chalicelib/services/onboarding/mailboxes.py`):

- sent (or sent and later complained about, which means it arrived) no later than `letter_due_by`: the
  promise was kept and the application leaves the index;
- voided before its gathered letter went (another letter was activated): no letter is owed, and the
  application leaves the index;
- anything else (still queued, retrying, parked as failed, suppressed, bounced, sent late, or missing, as a
  gathered letter the sender has not written is): the letter is **overdue**. The application moves to the
  index's "overdue" partition, the check logs it and counts it in the `LettersOverdue` metric (an alarm
  fires on it), and staff see it in `GET /v1/staff/letters/overdue` with the letter's current delivery
  status.

The move is a conditional update, so overlapping checks count an overdue letter once. Each application is
read by the check once after it is due, so the check's cost grows with the applications, not the table.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, TypeVar

from chalicelib.clock import Clock, isoformat
from chalicelib.models.application import (
    ApplicationModel,
    ApplicationStatus,
    applications_by_id,
    close_letter_watch,
    letter_message_id,
    letters_due,
    mark_letter_overdue,
    overdue_letters_page,
)
from chalicelib.models.outbox import MailStatus, OutboxModel
from chalicelib.models.paging import encode_cursor, page_start
from chalicelib.values.page import Page

INDEX = "applications.by-letter-watch"
CURSOR_KEYS = frozenset({"cvr", "application_id", "letter_watch", "letter_due_by"})
# BatchGetItem takes at most 100 keys.
BATCH = 100
# Delivered, as far as the promise is concerned: a complaint means the letter arrived.
DELIVERED = frozenset({MailStatus.SENT.value, MailStatus.COMPLAINED.value})

T = TypeVar("T")


@dataclass(frozen=True)
class OverdueLetter:
    application_id: str
    cvr: str
    org_id: str
    company_name: str
    official_mailbox: str
    application_status: str
    applied_at: datetime
    letter_due_by: datetime
    overdue_since: datetime | None
    letter_status: str  # the outbox message's status now, or "missing"
    sent_at: datetime | None

    def shown(self) -> OverdueLetterShown:
        """For staff and for the log: no secret, and none of the applicant's personal data."""
        return OverdueLetterShown(
            application_id=self.application_id,
            cvr=self.cvr,
            org_id=self.org_id,
            company_name=self.company_name,
            official_mailbox=self.official_mailbox,
            application_status=self.application_status,
            applied_at=isoformat(self.applied_at),
            letter_due_by=isoformat(self.letter_due_by),
            overdue_since=isoformat(self.overdue_since) if self.overdue_since else None,
            letter_status=self.letter_status,
            sent_at=isoformat(self.sent_at) if self.sent_at else None,
        )

    def describe(self) -> dict[str, Any]:
        """As the log writes it."""
        return asdict(self.shown())


@dataclass(frozen=True)
class OverdueLetterShown:
    application_id: str
    cvr: str
    org_id: str
    company_name: str
    official_mailbox: str
    application_status: str
    applied_at: str
    letter_due_by: str
    overdue_since: str | None
    letter_status: str
    sent_at: str | None


@dataclass(frozen=True)
class LetterCheck:
    """One run of the check: the letters it found overdue (each is found once), and how many were on time."""

    overdue: list[OverdueLetter]
    on_time: int


def delivered_in_time(message: OutboxModel | None, due_by: datetime) -> bool:
    return (
        message is not None
        and message.status in DELIVERED
        and message.sent_at is not None
        and message.sent_at <= due_by
    )


class LetterWatchService:
    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    def check(self) -> LetterCheck:
        now = self._clock.now()
        overdue: list[OverdueLetter] = []
        on_time = 0
        for batch in _batched(letters_due(now), BATCH):
            letters = _letters_of(batch)
            for application in batch:
                message = letters.get(application.application_id)
                if delivered_in_time(message, application.letter_due_by):
                    if close_letter_watch(application):
                        on_time += 1
                elif message is None and application.status == ApplicationStatus.VOIDED.value:
                    close_letter_watch(application)  # voided before its gathered letter: none is owed
                elif mark_letter_overdue(application, now):
                    overdue.append(_overdue(application, message, since=now))
        return LetterCheck(overdue=overdue, on_time=on_time)

    def overdue_page(self, *, limit: int, cursor: str | None) -> Page[OverdueLetterShown]:
        """Staff's list: letters that broke the promise, latest due first, with their delivery status now."""
        start = page_start(cursor, index=INDEX, key_names=CURSOR_KEYS, partition=("letter_watch", "overdue"))
        applications, last = overdue_letters_page(limit=limit, start=start)
        letters = _letters_of(applications)
        items = [
            _overdue(a, letters.get(a.application_id), since=a.letter_overdue_at).shown()
            for a in applications
        ]
        return Page(items, encode_cursor(INDEX, last) if last else None)


def _overdue(
    application: ApplicationModel, message: OutboxModel | None, *, since: datetime | None
) -> OverdueLetter:
    return OverdueLetter(
        application_id=application.application_id,
        cvr=application.cvr,
        org_id=application.org_id,
        company_name=application.company_name,
        official_mailbox=application.official_mailbox,
        application_status=application.status,
        applied_at=application.created_at,
        letter_due_by=application.letter_due_by,
        overdue_since=since,
        letter_status=message.status if message is not None else "missing",
        sent_at=message.sent_at if message is not None else None,
    )


def _letters_of(applications: Sequence[ApplicationModel]) -> dict[str, OutboxModel]:
    """Each application's letter, by application id: the one it got at once, or the gathered letter that
    carries it. The index does not hold which gathered letter that is, so an application without a letter
    under its own id is read whole (only gathered ones are); a letter not written yet is simply absent."""
    found: dict[str, OutboxModel] = {}
    direct = _messages([letter_message_id(a.application_id) for a in applications])
    unresolved: dict[str, list[str]] = {}
    for application in applications:
        message = direct.get(letter_message_id(application.application_id))
        if message is not None:
            found[application.application_id] = message
        else:
            unresolved.setdefault(application.cvr, []).append(application.application_id)
    gathered: dict[str, str] = {}
    for cvr, ids in unresolved.items():
        for application_id, full in applications_by_id(cvr, ids).items():
            if full.letter_id:
                gathered[application_id] = full.letter_id
    messages = _messages(sorted(set(gathered.values())))
    for application_id, letter_id in gathered.items():
        if letter_id in messages:
            found[application_id] = messages[letter_id]
    return found


def _messages(ids: Sequence[str]) -> dict[str, OutboxModel]:
    # Consistent: a letter sent a moment ago must not be taken for one that was not.
    return {m.message_id: m for m in OutboxModel.batch_get(ids, consistent_read=True)} if ids else {}


def _batched[T](items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
