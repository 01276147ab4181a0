"""Validation codes. Each code is two items in two tables, because they are read and live differently.

The **entry** (`codes`, keyed by `code_id`) is what an organisation lists, renews and revokes. An expired
code stays listed so that it can be renewed, until its retention ends (`purge_at`, the table's TTL: 13
months after the code was last valid or revoked; see `chalicelib/models/retention.py`). It holds the
current value (random part and handle), the representative, the company and account, and a version so that
two renewals cannot both win.

The **value item** (`code-values`, keyed by the 8 random characters) is what a vendor's validation reads:
one strongly consistent GetItem by the random part answers which code, which organisation, whose it is,
whether it was revoked and until when it lives. The organisation's *current* status is not copied here;
validation reads it from `organisations[org_id]`. DynamoDB's TTL removes a value item after `expires_at`.
Renewing deletes the old value item (that value is then unknown); revoking marks it revoked and keeps it
until its TTL, so a vendor is told "revoked" rather than "unknown". The random part is unique across all
codes: the value item is written only if its key does not exist, and the service draws again otherwise.
Its model is in `chalicelib/models/code_value.py`, which a vendor's check imports without this module.

TTL deletion lags by up to days (and never happens in moto), so every read compares `expires_at` with
the clock: a code is expired from its `expires_at` second on, whether or not its items still exist.

Access patterns
- value by random part (validation) ... GetItem code-values[random_part], consistent
- entry by id ......................... GetItem codes[code_id], consistent
- an organisation's codes, newest first  Query codes.by-org[org_id], descending created_at, scope filter
- a company's codes, newest first ..... Query codes.by-company[cvr], descending, filter on accounts in scope
- an account's codes, newest first .... Query codes.by-account[account_key = "<cvr>#<account>"], descending
- listing by status ................... FilterExpression on revoked_at and expires_at against the clock
- codes whose value expires on a day .. Query codes.by-expiry[expires_on = "YYYY-MM-DD"], keys only, paged
                                        (the reminder job; see chalicelib/services/codes/reminders.py)
- the entries of a chunk of code ids .. BatchGetItem codes[code_id...], consistent
- a person's codes (staff: access and
  erasure requests) .................. Query codes.by-subject[subject = e-mail, trimmed and lower-cased,
                                        or the erased digest], keys only, then BatchGetItem
Listing picks the narrowest index the caller's scope and filters allow (see `listing_for`).

`expires_on` is the UTC date of `expires_at`, written with every value (create, renew) and removed when the
code is revoked, so the `by-expiry` index holds exactly the live values that expire on each day: the reminder
job reads one partition per day and never the rest of the table.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, cast

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name, transaction
from chalicelib.models.code_value import CodeStatus as CodeStatus
from chalicelib.models.code_value import CodeValueModel as CodeValueModel
from chalicelib.models.code_value import get_value as get_value
from chalicelib.models.code_value import is_expired as is_expired
from chalicelib.models.organisation import (
    AccountModel,
    AccountStatus,
    OrganisationModel,
    OrganisationStatus,
)
from chalicelib.models.retention import code_entry_purge_at, is_gone, subject_of
from chalicelib.models.scoped import BY_ACCOUNT, BY_COMPANY, BY_ORG, ScopedIndexes, all_of
from chalicelib.models.scoped import Listing as Listing
from chalicelib.models.scoped import Visible as Visible
from chalicelib.models.scoped import account_key as account_key

if TYPE_CHECKING:
    # Only the entry's transactions carry a mail or a vendors' event, and their callers build those items:
    # whoever only reads a value item (a vendor's check) need not import the outbox's model.
    from chalicelib.models.outbox import OutboxModel
    from chalicelib.models.webhook import EventCauseModel

CODE_ID = re.compile(r"^[0-9a-f]{32}$")


class CodesByOrganisation(GlobalSecondaryIndex["CodeModel"]):
    class Meta:
        index_name = BY_ORG
        projection = AllProjection()

    org_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class CodesByCompany(GlobalSecondaryIndex["CodeModel"]):
    class Meta:
        index_name = BY_COMPANY
        projection = AllProjection()

    cvr = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class CodesByAccount(GlobalSecondaryIndex["CodeModel"]):
    class Meta:
        index_name = BY_ACCOUNT
        projection = AllProjection()

    account_key = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class CodesByExpiry(GlobalSecondaryIndex["CodeModel"]):
    """Live code values by the UTC day they expire. Keys only: the job needs the ids, and reads each entry
    consistently anyway before it mails anything, so copying the entries here would only cost writes."""

    class Meta:
        index_name = "by-expiry"
        projection = KeysOnlyProjection()

    expires_on = UnicodeAttribute(hash_key=True)
    code_id = UnicodeAttribute(range_key=True)


class CodesBySubject(GlobalSecondaryIndex["CodeModel"]):
    """A person's codes by their e-mail address, for staff answering an access or erasure request."""

    class Meta:
        index_name = "by-subject"
        projection = KeysOnlyProjection()

    subject = UnicodeAttribute(hash_key=True)
    code_id = UnicodeAttribute(range_key=True)


def expiry_day(expires_at: datetime) -> str:
    """The `expires_on` of a value: the UTC date of its expiry, as YYYY-MM-DD."""
    return expires_at.astimezone(UTC).date().isoformat()


class CodeModel(Model):
    """A code's listing entry. Outlives its value; removed when its retention ends (module docstring)."""

    class Meta:
        table_name = table_name("codes")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    code_id = UnicodeAttribute(hash_key=True)
    org_id = UnicodeAttribute()
    cvr = UnicodeAttribute()
    account = UnicodeAttribute()
    account_key = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    email = UnicodeAttribute()
    language = UnicodeAttribute()
    # Whether the representative is mailed the code, at creation and at each renewal.
    notify = BooleanAttribute(default=True)
    random_part = UnicodeAttribute()
    handle = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    # Who issued the current value by renewing it; None while it is the value the code was created with.
    renewed_by = UnicodeAttribute(null=True)
    # When the current value was issued: the creation, or the latest renewal.
    issued_at = UTCDateTimeAttribute()
    # Not a TTLAttribute: the entry outlives its value so that it can be renewed.
    expires_at = UTCDateTimeAttribute()
    # expiry_day(expires_at) while the code is not revoked; absent once it is (the by-expiry index is sparse).
    expires_on = UnicodeAttribute(null=True)
    renewals = NumberAttribute(default=0)
    revoked_at = UTCDateTimeAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)
    # The representative's e-mail as found by an access request (`retention.subject_of`), or the digest
    # that stands for it once the representative's data was erased.
    subject = UnicodeAttribute(null=True)
    erased_at = UTCDateTimeAttribute(null=True)
    # The end of the entry's retention; the table's TTL. Set with every value and at revocation.
    purge_at = TTLAttribute(null=True)
    version = VersionAttribute()

    by_org = CodesByOrganisation()
    by_company = CodesByCompany()
    by_account = CodesByAccount()
    by_expiry = CodesByExpiry()
    by_subject = CodesBySubject()

    @property
    def code(self) -> str:
        return f"{self.random_part}@{self.handle}"

    @property
    def revoked_when(self) -> datetime | None:
        # PynamoDB types a nullable attribute as never None.
        return cast("datetime | None", self.revoked_at)

    @property
    def issuer(self) -> str:
        """Who issued the current value: whoever last renewed the code, else whoever created it."""
        return cast("str | None", self.renewed_by) or self.created_by

    @property
    def erased_when(self) -> datetime | None:
        return cast("datetime | None", self.erased_at)

    def status_at(self, now: datetime) -> CodeStatus:
        if self.revoked_when is not None:
            return CodeStatus.REVOKED
        return CodeStatus.EXPIRED if is_expired(self.expires_at, now) else CodeStatus.ACTIVE

    def keep_until_retention_ends(self) -> None:
        """Set the entry's TTL from its current value and revocation; every write of the entry calls it."""
        self.purge_at = code_entry_purge_at(expires_at=self.expires_at, revoked_at=self.revoked_when)


def value_of(entry: CodeModel) -> CodeValueModel:
    """The value item for an entry's current value."""
    return CodeValueModel(
        entry.random_part,
        code_id=entry.code_id,
        org_id=entry.org_id,
        handle=entry.handle,
        cvr=entry.cvr,
        account=entry.account,
        first_name=entry.first_name,
        last_name=entry.last_name,
        issued_at=entry.issued_at,
        expires_at=entry.expires_at,
    )


def get_entry(code_id: str, *, now: datetime) -> CodeModel | None:
    """The entry, unless there is none or its retention has ended (TTL may not have removed it yet)."""
    if not CODE_ID.match(code_id):
        return None
    try:
        entry = CodeModel.get(code_id, consistent_read=True)
    except CodeModel.DoesNotExist:
        return None
    return None if is_gone(cast("datetime | None", entry.purge_at), now) else entry


def codes_of_subject(subject: str, *, now: datetime) -> list[CodeModel]:
    """Every entry found under a person's subject (see CodesBySubject), oldest first, past retention left
    out."""
    ids = [key.code_id for key in CodeModel.by_subject.query(subject)]
    entries = [e for e in entries_of(ids) if not is_gone(cast("datetime | None", e.purge_at), now)]
    return sorted(entries, key=lambda e: e.created_at)


def codes_expiring_on(day: str) -> Iterator[str]:
    """The ids of the live codes whose value expires on `day` (YYYY-MM-DD, UTC), page by page from the index.
    Eventually consistent, like every GSI: whoever acts on an id reads the entry again."""
    for key in CodeModel.by_expiry.query(day):
        yield key.code_id


def entries_of(code_ids: Iterable[str]) -> list[CodeModel]:
    """The entries of these codes (consistent reads, 100 per BatchGetItem); unknown ids are left out."""
    return list(CodeModel.batch_get(list(code_ids), consistent_read=True))


# Writing


class Refusal(StrEnum):
    """Why DynamoDB refused to issue a value: one per condition in the transaction."""

    ORGANISATION_NOT_APPROVED = "organisation_not_approved"
    ACCOUNT_UNAVAILABLE = "account_unavailable"
    OLD_VALUE_NOT_OURS = "old_value_not_ours"
    VALUE_TAKEN = "value_taken"
    ENTRY_CHANGED = "entry_changed"
    MAIL_EXISTS = "mail_exists"
    EVENT_EXISTS = "event_exists"


class IssueRefused(Exception):
    def __init__(self, reasons: frozenset[Refusal]) -> None:
        super().__init__(", ".join(sorted(reasons)))
        self.reasons = reasons


class EntryChanged(Exception):
    """Someone else changed the entry since it was read."""


def issue(
    entry: CodeModel,
    *,
    retire: str | None,
    mail: tuple[OutboxModel, Condition] | None,
    cause: tuple[EventCauseModel, Condition] | None = None,
    audit: tuple[Model, Condition] | None = None,
) -> None:
    """Write the entry's current value: the value item, the entry (under its version), the mail, the cause
    of the vendors' events (a renewal), the audit record and the deletion of the value it replaces, all or
    nothing, and only while the organisation is approved and the account open. Raises IssueRefused with
    every condition that failed."""
    # TransactWrite sends condition checks, then deletes, then puts, whatever order they are added in; the
    # cancellation reasons come back in that order, so `purposes` is kept in it too.
    purposes = [Refusal.ORGANISATION_NOT_APPROVED, Refusal.ACCOUNT_UNAVAILABLE]
    entry.subject = subject_of(entry.email)
    entry.keep_until_retention_ends()
    try:
        with transaction() as tx:
            tx.condition_check(
                OrganisationModel,
                entry.org_id,
                condition=OrganisationModel.status == OrganisationStatus.APPROVED.value,
            )
            tx.condition_check(
                AccountModel,
                entry.cvr,
                entry.account,
                condition=(AccountModel.org_id == entry.org_id)
                & (AccountModel.status == AccountStatus.OPEN.value),
            )
            if retire is not None:
                # Gone already (TTL) is fine; only a value since drawn by another code must be left alone.
                tx.delete(
                    CodeValueModel(retire),
                    condition=CodeValueModel.random_part.does_not_exist()
                    | (CodeValueModel.code_id == entry.code_id),
                )
                purposes.append(Refusal.OLD_VALUE_NOT_OURS)
            tx.save(value_of(entry), condition=CodeValueModel.random_part.does_not_exist())
            purposes.append(Refusal.VALUE_TAKEN)
            # The version attribute adds "unchanged since read" (or "new") to this condition.
            tx.save(entry)
            purposes.append(Refusal.ENTRY_CHANGED)
            if mail is not None:
                tx.save(*mail)
                purposes.append(Refusal.MAIL_EXISTS)
            if cause is not None:
                tx.save(*cause)
                purposes.append(Refusal.EVENT_EXISTS)
            if audit is not None:
                tx.save(*audit)  # last: its (never failing) condition has no purpose of its own
    except TransactWriteError as error:
        reasons = _failed_conditions(error, purposes)
        if not reasons:
            raise
        raise IssueRefused(reasons) from error


def revoke(
    entry: CodeModel,
    value: CodeValueModel | None,
    *,
    now: datetime,
    by: str,
    cause: tuple[EventCauseModel, Condition] | None = None,
    audit: tuple[Model, Condition] | None = None,
) -> None:
    """Mark the entry revoked and its value item (when it still exists and is this code's) revoked, so the
    value stops working at once, with the cause of the vendors' events and the audit record. Raises
    EntryChanged when the entry or the value item moved meanwhile."""
    entry.revoked_at = now
    entry.revoked_by = by
    # Out of the by-expiry index: a revoked code is never reminded of, so the job need not even read it.
    entry.expires_on = None
    entry.keep_until_retention_ends()
    try:
        with transaction() as tx:
            if value is not None:
                tx.update(
                    value,
                    actions=[
                        CodeValueModel.status.set(CodeStatus.REVOKED.value),
                        CodeValueModel.revoked_at.set(now),
                    ],
                    condition=CodeValueModel.code_id == entry.code_id,
                )
            tx.save(entry)
            if cause is not None:
                tx.save(*cause)
            if audit is not None:
                tx.save(*audit)
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            raise EntryChanged() from error
        raise


class ReminderWrite(StrEnum):
    WRITTEN = "written"
    ALREADY = "already"  # written before (another run, or the same chunk delivered twice)
    CHANGED = "changed"  # the code was renewed or revoked since it was read: its old value is not reminded of


@dataclass(frozen=True)
class Reminders:
    """A value's reminders for one stage: written only while `entry` still holds that value, unrevoked and
    expiring on `expires_on`, and only if none of them was written before."""

    entry: CodeModel
    expires_on: str
    mails: Sequence[tuple[OutboxModel, Condition]]


# Rounds a group may take: each settles at least one code, or meets a conflicting transaction and waits.
MAX_REMINDER_ROUNDS = 6


def write_reminders(group: Sequence[Reminders]) -> dict[str, ReminderWrite]:
    """Write several codes' reminders in one transaction; answers each code's outcome by code id.

    A code whose condition fails (its value changed, or its reminders exist) is settled from the
    cancellation reasons and the rest go again, so one renewed code does not hold back the others, and a
    chunk delivered twice settles every code in one round."""
    outcomes: dict[str, ReminderWrite] = {}
    pending = list(group)
    for round_ in range(MAX_REMINDER_ROUNDS):
        if not pending:
            return outcomes
        try:
            _transact_reminders(pending)
        except TransactWriteError as error:
            settled = _settled_by(error, pending)
            outcomes.update(settled)
            pending = [r for r in pending if r.entry.code_id not in settled]
            if not settled:
                time.sleep(0.05 * 2**round_)  # a concurrent transaction on the same items: let it finish
            continue
        outcomes.update({r.entry.code_id: ReminderWrite.WRITTEN for r in pending})
        return outcomes
    if pending:
        raise RuntimeError(
            f"{len(pending)} code(s) kept meeting concurrent writes; the chunk will come again"
        )
    return outcomes


def _transact_reminders(group: Sequence[Reminders]) -> None:
    with transaction() as tx:
        for reminders in group:
            tx.condition_check(
                CodeModel,
                reminders.entry.code_id,
                condition=(CodeModel.renewals == int(reminders.entry.renewals))
                & CodeModel.revoked_at.does_not_exist()
                & (CodeModel.expires_on == reminders.expires_on),
            )
            for mail in reminders.mails:
                tx.save(*mail)


def _settled_by(error: TransactWriteError, group: Sequence[Reminders]) -> dict[str, ReminderWrite]:
    """What the cancellation reasons settle. They come in the order DynamoDB got the items: every condition
    check first, then every put (PynamoDB sends them by kind), each in the order they were added."""
    reasons = error.cancellation_reasons or []
    if len(reasons) != len(group) + sum(len(r.mails) for r in group):
        raise error
    if any(
        r is not None and r.code not in {"ConditionalCheckFailed", "TransactionConflict", "None"}
        for r in reasons
    ):
        raise error

    def failed(index: int) -> bool:
        reason = reasons[index]
        return reason is not None and reason.code == "ConditionalCheckFailed"

    settled: dict[str, ReminderWrite] = {}
    put = len(group)
    for index, reminders in enumerate(group):
        puts = range(put, put + len(reminders.mails))
        put += len(reminders.mails)
        if failed(index):
            settled[reminders.entry.code_id] = ReminderWrite.CHANGED
        elif any(failed(i) for i in puts):
            settled[reminders.entry.code_id] = ReminderWrite.ALREADY
    return settled


def _failed_conditions(error: TransactWriteError, purposes: list[Refusal]) -> frozenset[Refusal]:
    reasons = error.cancellation_reasons
    # Beyond the purposes come the audit record and its pointers (chalicelib/models/base.py), added last.
    if len(reasons) < len(purposes):
        return frozenset()
    return frozenset(
        purpose
        for purpose, reason in zip(purposes, reasons[: len(purposes)], strict=True)
        if reason is not None and reason.code == "ConditionalCheckFailed"
    )


# Listing


CODE_INDEXES: ScopedIndexes[CodeModel] = ScopedIndexes(
    by_org=CodeModel.by_org,
    by_company=CodeModel.by_company,
    by_account=CodeModel.by_account,
    org_id=CodeModel.org_id,
    cvr=CodeModel.cvr,
    account=CodeModel.account,
    item_key="code_id",
    item_key_pattern=CODE_ID,
    sort_key="created_at",
)


def listing_for(
    org_id: str, visible: Sequence[Visible], *, status: CodeStatus | None, now: datetime
) -> Listing | None:
    """The narrowest Query that returns an organisation's codes in `visible` (see `ScopedIndexes`), or None
    when nothing is; `status` adds a filter on revocation and expiry against the clock."""
    kept: Condition = CodeModel.purge_at.does_not_exist() | (CodeModel.purge_at > now)
    extra = [kept] if status is None else [kept, _status_condition(status, now)]
    return CODE_INDEXES.listing_for(org_id, visible, extra)


def list_codes(listing: Listing, *, limit: int, cursor: str | None) -> tuple[list[CodeModel], str | None]:
    """Up to `limit` entries, newest first, and a cursor for the next page (None on the last one)."""
    return CODE_INDEXES.page(listing, limit=limit, cursor=cursor)


def _status_condition(status: CodeStatus, now: datetime) -> Condition:
    if status is CodeStatus.REVOKED:
        return CodeModel.revoked_at.exists()
    # UTCDateTimeAttribute serialises to a fixed-width UTC string, so string order is time order.
    expiry: Condition = (
        CodeModel.expires_at <= now if status is CodeStatus.EXPIRED else CodeModel.expires_at > now
    )
    return all_of([CodeModel.revoked_at.does_not_exist(), expiry])
