"""Letters to one company's official mailbox: the real company always gets its letter within the 2-hour
promise, however many strangers applied for its CVR, and the mailbox still gets a bounded number of letters.

Anybody may apply for any CVR, so the letters a CVR gets cannot be bounded by refusing applications (a
stranger could then use up the real company's letters, as a daily quota did). Instead letters are paced:

- a letter asked for while the mailbox is quiet (no letter in the last `interval`, none being gathered)
  goes at once;
- a letter asked for while a recent one went to the mailbox is *gathered*: it waits for the next letter,
  due `interval` after the previous one, which the scheduled sender (`chalicelib/services/
  gathered_letters.py`, every `SENDER_PERIOD`) writes as one letter carrying each request as a block of its
  own (the applicant's name above their own username and activation code, or the organisation asking above
  a subsidiary's proof code).

So a mailbox gets at most one letter per interval (24 a day with the hour the service runs with), and an
application waits at most `interval + SENDER_PERIOD` for its letter to be written, well inside the promise.

A gathered letter carries at most `MAX_APPLICATIONS` applications. One that finds the next letter full is
refused with 429 and `Retry-After` (when that letter has gone, the following one takes it): a letter stays
one a person can read and find their own block in, and filling letters takes many callers, since each is
limited to a handful of applications an hour (`chalicelib/services/onboarding/caller_limits.py`); the
company's own applicant is told exactly when to apply again, and that application is in the next letter, again
within the promise. Refusing is better than letting blocks spill into the letter after, which would break the
promise for everybody behind them.

Subsidiaries' proof letters (asked for by an organisation's administrator, or sent at activation) share the
same pacing and gather too: nobody is there to answer a 429 to after an activation, and a proof letter has
no promise to keep, so a letter carries at most `MAX_PROOFS` of them and the rest wait for the letter after.
Each such claim belongs to a different organisation, so their number is bounded by the organisations, which
each had to prove a company of their own first.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.errors import TooManyRequests
from chalicelib.models.mailbox import GATHERING, MailboxModel

# How often the scheduled sender looks for gathered letters due (chalicelib/events/letters.py).
SENDER_PERIOD = timedelta(minutes=5)
MAX_APPLICATIONS = 10
MAX_PROOFS = 20
# How long a mailbox's item outlives what it says (its last letter's interval, or its gathered letter).
KEPT_AFTER = timedelta(days=1)
GATHERED_PREFIX = "gathered_letter:"


@dataclass(frozen=True)
class Pacing:
    """One letter per `interval` per mailbox (`GODKEND_LETTER_INTERVAL_SECONDS`)."""

    interval: timedelta
    max_applications: int = MAX_APPLICATIONS


@dataclass(frozen=True)
class Addressee:
    """A company's name and official mailbox, as the register has them."""

    cvr: str
    name: str
    mailbox: str


@dataclass(frozen=True)
class Slot:
    """Where a letter asked for goes: out at once, or into the mailbox's gathered letter (`letter_id`), due
    by `due_at`. `mailbox` is the mailbox's item to save in the same transaction as the request (its version
    makes the save fail when another request took the mailbox meanwhile)."""

    at_once: bool
    letter_id: str | None
    due_at: datetime
    mailbox: MailboxModel


def slot_for_application(
    current: MailboxModel | None, to: Addressee, application_id: str, now: datetime, pacing: Pacing
) -> Slot:
    """The slot of a new application's letter; 429 when the gathered letter is full."""
    if current is not None and current.is_gathering:
        waiting = current.waiting_applications
        if len(waiting) >= pacing.max_applications:
            due = current.gathering_due_at or now
            raise TooManyRequests(
                f"The next letter to this company's official mailbox already carries {len(waiting)} "
                "applications, as many as a letter may. Apply again when Retry-After has passed: your "
                "application then goes in the letter after it.",
                retry_after_seconds=_seconds(due + SENDER_PERIOD - now),
            )
        return _join(current, now, applications=[*waiting, application_id])
    return _at_once_or_gather(current, to, now, pacing, applications=[application_id], claims=[])


def slot_for_claim(
    current: MailboxModel | None, to: Addressee, org_id: str, now: datetime, pacing: Pacing
) -> Slot:
    """The slot of a subsidiary's proof letter for the organisation `org_id`; never refused."""
    if current is not None and current.is_gathering:
        waiting = [o for o in current.waiting_claims if o != org_id]
        return _join(current, now, claims=[*waiting, org_id])
    return _at_once_or_gather(current, to, now, pacing, applications=[], claims=[org_id])


def after_sending(
    current: MailboxModel,
    now: datetime,
    pacing: Pacing,
    *,
    sent: bool,
    left_claims: Sequence[str],
) -> MailboxModel:
    """The mailbox once its gathered letter was written (`sent`), or found to carry nothing left to send.
    Claims a letter could not take wait for the next one, due an interval later."""
    last = now if sent else current.last_letter_at
    if not left_claims:
        quiet = MailboxModel(
            current.cvr,
            company_name=current.company_name,
            official_mailbox=current.official_mailbox,
            last_letter_at=last,
            delete_after=(last or now) + pacing.interval + KEPT_AFTER,
        )
        return _as_read(quiet, current)
    due = (last or now) + pacing.interval
    gathering = MailboxModel(
        current.cvr,
        company_name=current.company_name,
        official_mailbox=current.official_mailbox,
        last_letter_at=last,
        gathering=GATHERING,
        gathering_due_at=due,
        gathering_id=new_letter_id(),
        gathered_claims=list(left_claims),
        delete_after=due + KEPT_AFTER,
    )
    return _as_read(gathering, current)


def new_letter_id() -> str:
    """The outbox message id of a gathered letter."""
    return f"{GATHERED_PREFIX}{uuid.uuid4()}"


def _at_once_or_gather(
    current: MailboxModel | None,
    to: Addressee,
    now: datetime,
    pacing: Pacing,
    *,
    applications: list[str],
    claims: list[str],
) -> Slot:
    last = current.last_letter_at if current is not None else None
    if last is None or last <= now - pacing.interval:
        item = MailboxModel(
            to.cvr,
            company_name=to.name,
            official_mailbox=to.mailbox,
            last_letter_at=now,
            delete_after=now + pacing.interval + KEPT_AFTER,
        )
        return Slot(at_once=True, letter_id=None, due_at=now, mailbox=_as_read(item, current))
    due = last + pacing.interval
    item = MailboxModel(
        to.cvr,
        company_name=to.name,
        official_mailbox=to.mailbox,
        last_letter_at=last,
        gathering=GATHERING,
        gathering_due_at=due,
        gathering_id=new_letter_id(),
        gathered_applications=applications or None,
        gathered_claims=claims or None,
        delete_after=due + KEPT_AFTER,
    )
    return Slot(at_once=False, letter_id=item.gathering_id, due_at=due, mailbox=_as_read(item, current))


def _join(
    current: MailboxModel,
    now: datetime,
    *,
    applications: list[str] | None = None,
    claims: list[str] | None = None,
) -> Slot:
    due = current.gathering_due_at or now
    item = MailboxModel(
        current.cvr,
        company_name=current.company_name,
        official_mailbox=current.official_mailbox,
        last_letter_at=current.last_letter_at,
        gathering=GATHERING,
        gathering_due_at=due,
        gathering_id=current.gathering_id,
        gathered_applications=(applications if applications is not None else current.waiting_applications)
        or None,
        gathered_claims=(claims if claims is not None else current.waiting_claims) or None,
        delete_after=due + KEPT_AFTER,
    )
    return Slot(at_once=False, letter_id=current.gathering_id, due_at=due, mailbox=_as_read(item, current))


def _as_read(item: MailboxModel, current: MailboxModel | None) -> MailboxModel:
    """The mailbox's new state, under the version read: saving it fails when another request wrote the
    mailbox meanwhile (without a version, when one was written at all)."""
    if current is not None and current.version is not None:
        item.version = int(current.version)
    return item


def _seconds(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds()))
