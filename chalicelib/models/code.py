"""Validation codes. Each code is two items in two tables, because they are read and live differently.

The **entry** (`codes`, keyed by `code_id`) is what an organisation lists, renews and revokes. It has no
TTL: an expired code stays listed so that it can be renewed. It holds the current value (random part and
handle), the representative, the company and account, and a version so that two renewals cannot both win.

The **value item** (`code-values`, keyed by the 8 random characters) is what a vendor's validation reads:
one strongly consistent GetItem by the random part answers which code, which organisation, whose it is,
whether it was revoked and until when it lives. The organisation's *current* status is not copied here;
validation reads it from `organisations[org_id]`. DynamoDB's TTL removes a value item after `expires_at`.
Renewing deletes the old value item (that value is then unknown); revoking marks it revoked and keeps it
until its TTL, so a vendor is told "revoked" rather than "unknown". The random part is unique across all
codes: the value item is written only if its key does not exist, and the service draws again otherwise.

TTL deletion lags by up to days (and never happens in moto), so every read compares `expires_at` with
the clock: a code is expired from its `expires_at` second on, whether or not its items still exist.

Access patterns
- value by random part (validation) ... GetItem code-values[random_part], consistent
- entry by id ......................... GetItem codes[code_id], consistent
- an organisation's codes, newest first  Query codes.by-org[org_id], descending created_at, scope filter
- a company's codes, newest first ..... Query codes.by-company[cvr], descending, filter on accounts in scope
- an account's codes, newest first .... Query codes.by-account[account_key = "<cvr>#<account>"], descending
- listing by status ................... FilterExpression on revoked_at and expires_at against the clock
Listing picks the narrowest index the caller's scope and filters allow (see `listing_for`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import cast

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
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name, transaction
from chalicelib.models.organisation import (
    AccountModel,
    AccountStatus,
    OrganisationModel,
    OrganisationStatus,
)
from chalicelib.models.outbox import OutboxModel
from chalicelib.models.scoped import BY_ACCOUNT, BY_COMPANY, BY_ORG, ScopedIndexes, all_of
from chalicelib.models.scoped import Listing as Listing
from chalicelib.models.scoped import Visible as Visible
from chalicelib.models.scoped import account_key as account_key

CODE_ID = re.compile(r"^[0-9a-f]{32}$")


class CodeStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"  # never stored: computed from expires_at and the clock
    REVOKED = "revoked"


def is_expired(expires_at: datetime, now: datetime) -> bool:
    """Expired from the expiry second on. The one rule, for entries and value items alike."""
    return now >= expires_at


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


class CodeModel(Model):
    """A code's listing entry. Never expires; see the module docstring."""

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
    # When the current value was issued: the creation, or the latest renewal.
    issued_at = UTCDateTimeAttribute()
    # Not a TTLAttribute: the entry outlives its value so that it can be renewed.
    expires_at = UTCDateTimeAttribute()
    renewals = NumberAttribute(default=0)
    revoked_at = UTCDateTimeAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)
    version = VersionAttribute()

    by_org = CodesByOrganisation()
    by_company = CodesByCompany()
    by_account = CodesByAccount()

    @property
    def code(self) -> str:
        return f"{self.random_part}@{self.handle}"

    @property
    def revoked_when(self) -> datetime | None:
        # PynamoDB types a nullable attribute as never None.
        return cast("datetime | None", self.revoked_at)

    def status_at(self, now: datetime) -> CodeStatus:
        if self.revoked_when is not None:
            return CodeStatus.REVOKED
        return CodeStatus.EXPIRED if is_expired(self.expires_at, now) else CodeStatus.ACTIVE


class CodeValueModel(Model):
    """What validation reads: one consistent GetItem by the random part. Removed by TTL after expiry."""

    class Meta:
        table_name = table_name("code-values")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    random_part = UnicodeAttribute(hash_key=True)
    code_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    # Validation compares the part after the @ with this, so a value under another handle is unknown.
    handle = UnicodeAttribute()
    cvr = UnicodeAttribute()
    account = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    status = UnicodeAttribute(default=CodeStatus.ACTIVE.value)  # active | revoked
    issued_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)

    def status_at(self, now: datetime) -> CodeStatus:
        if self.status == CodeStatus.REVOKED.value:
            return CodeStatus.REVOKED
        return CodeStatus.EXPIRED if is_expired(self.expires_at, now) else CodeStatus.ACTIVE


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


def get_entry(code_id: str) -> CodeModel | None:
    if not CODE_ID.match(code_id):
        return None
    try:
        return CodeModel.get(code_id, consistent_read=True)
    except CodeModel.DoesNotExist:
        return None


def get_value(random_part: str) -> CodeValueModel | None:
    try:
        return CodeValueModel.get(random_part, consistent_read=True)
    except CodeValueModel.DoesNotExist:
        return None


# Writing


class Refusal(StrEnum):
    """Why DynamoDB refused to issue a value: one per condition in the transaction."""

    ORGANISATION_NOT_APPROVED = "organisation_not_approved"
    ACCOUNT_UNAVAILABLE = "account_unavailable"
    OLD_VALUE_NOT_OURS = "old_value_not_ours"
    VALUE_TAKEN = "value_taken"
    ENTRY_CHANGED = "entry_changed"
    MAIL_EXISTS = "mail_exists"


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
) -> None:
    """Write the entry's current value: the value item, the entry (under its version), the mail, and the
    deletion of the value it replaces, all or nothing, and only while the organisation is approved and the
    account open. Raises IssueRefused with every condition that failed."""
    # TransactWrite sends condition checks, then deletes, then puts, whatever order they are added in; the
    # cancellation reasons come back in that order, so `purposes` is kept in it too.
    purposes = [Refusal.ORGANISATION_NOT_APPROVED, Refusal.ACCOUNT_UNAVAILABLE]
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
    except TransactWriteError as error:
        reasons = _failed_conditions(error, purposes)
        if not reasons:
            raise
        raise IssueRefused(reasons) from error


def revoke(entry: CodeModel, value: CodeValueModel | None, *, now: datetime, by: str) -> None:
    """Mark the entry revoked and its value item (when it still exists and is this code's) revoked, so the
    value stops working at once. Raises EntryChanged when the entry or the value item moved meanwhile."""
    entry.revoked_at = now
    entry.revoked_by = by
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
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            raise EntryChanged() from error
        raise


def _failed_conditions(error: TransactWriteError, purposes: list[Refusal]) -> frozenset[Refusal]:
    reasons = error.cancellation_reasons
    if len(reasons) != len(purposes):
        return frozenset()
    return frozenset(
        purpose
        for purpose, reason in zip(purposes, reasons, strict=True)
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
    extra = [] if status is None else [_status_condition(status, now)]
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
