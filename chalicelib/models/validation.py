"""What a vendor's check of a code leaves behind: a receipt when the code was valid, and a count of the
vendor's failed checks.

A **receipt** (`validations`, keyed by `validation_id`) records what the vendor was told: which vendor (and
key) asked, which organisation (name, primary CVR, handle, approved since), which code entry (`code_id`, its
company and account), which representative, when, and until when the code was valid. It copies all of it
rather than pointing at the code: the code's value item expires, is replaced by a renewal or is revoked,
and TTL deletes it, but an approval a vendor already gave stands, so its receipt outlives the code. It is
the vendor's evidence, kept for its retention (`purge_at`, the table's TTL: five years after the check by
default, `GODKEND_RECEIPT_RETENTION_YEARS`), then gone. A test key's receipt (`livemode` false) names the
fixed test organisation and its test code, no real one, so no organisation's history, no code's receipts
and no webhook event ever finds it; it is evidence of nothing and kept 30 days.

A **failure window** (`validation-failures`, keyed by vendor and window start) counts one vendor's failed
checks in one fixed window of time, by an atomic `ADD`. The rate limit reads the current and the previous
window to estimate a sliding window (`chalicelib/services/vendors/failure_limit.py`). Each item carries a TTL
of two window lengths past its start, so old windows vanish; reads pick windows by time, so TTL lag is
harmless.

Access patterns
- receipt by id (vendor) ..................... GetItem validations[validation_id], consistent
- an organisation's receipts, newest first ... Query validations.by-org[org_id], descending validated_at
- a company's receipts ....................... Query validations.by-company[cvr], filter on scope
- an account's receipts ...................... Query validations.by-account[account_key]
  (the narrowest the caller's scope allows, exactly as codes are listed: `chalicelib/models/scoped.py`)
- a code's receipts (to tell vendors; a person's data) .. Query validations.by-code[code_id]
- a vendor's receipts, newest first, by date (console, CSV)  Query validations.by-vendor[vendor_id],
                                               descending validated_at, BETWEEN from and to; projects only
                                               what the list and the CSV show (`VENDOR_LISTED`)
- everything a check answers by ............. one BatchGetItem, consistent: vendor-keys[key_id] (the key
                                               presented), validation-failures[vendor, current window] and
                                               [vendor, previous window], code-values[random_part] and
                                               handles[handle_key] (the organisation's vendor-facing state,
                                               by the handle the code names): one round trip
- count a failure ............................ UpdateItem validation-failures[vendor, window] ADD failures 1
- a new receipt's key and time (key's last use) . the table's stream (NEW_IMAGE), not a read
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name
from chalicelib.models.code_value import CodeValueModel
from chalicelib.models.handle import HandleModel, handle_key
from chalicelib.models.retention import is_gone, receipt_purge_at
from chalicelib.models.scoped import BY_ACCOUNT, BY_COMPANY, BY_ORG, ScopedIndexes
from chalicelib.models.vendor import VendorKeyModel

VALIDATION_ID = re.compile(r"^[0-9a-f]{32}$")
# BatchGetItem hands back keys it could not read (throttling) for the caller to ask again.
MAX_BATCH_ATTEMPTS = 3
BATCH_BACKOFF_SECONDS = 0.05


class ReceiptsByOrganisation(GlobalSecondaryIndex["ReceiptModel"]):
    class Meta:
        index_name = BY_ORG
        projection = AllProjection()

    org_id = UnicodeAttribute(hash_key=True)
    validated_at = UTCDateTimeAttribute(range_key=True)


class ReceiptsByCompany(GlobalSecondaryIndex["ReceiptModel"]):
    class Meta:
        index_name = BY_COMPANY
        projection = AllProjection()

    cvr = UnicodeAttribute(hash_key=True)
    validated_at = UTCDateTimeAttribute(range_key=True)


class ReceiptsByAccount(GlobalSecondaryIndex["ReceiptModel"]):
    class Meta:
        index_name = BY_ACCOUNT
        projection = AllProjection()

    account_key = UnicodeAttribute(hash_key=True)
    validated_at = UTCDateTimeAttribute(range_key=True)


class ReceiptsByCode(GlobalSecondaryIndex["ReceiptModel"]):
    """Which vendors accepted a code: whom to tell when it is revoked or renewed, and what a representative's
    access request finds."""

    class Meta:
        index_name = "by-code"
        projection = AllProjection()

    code_id = UnicodeAttribute(hash_key=True)
    validated_at = UTCDateTimeAttribute(range_key=True)


# What the vendor console's list and CSV show of a receipt, and the retention filter: the only attributes the
# `by-vendor` index copies. Not ALL: receipts are kept for years and every one is written to this index too,
# while the vendor's list needs a third of the item; the signed receipt itself is read by id from the table.
VENDOR_LISTED = (
    "organisation_name",
    "primary_cvr",
    "first_name",
    "last_name",
    "code_expires_at",
    "livemode",
    "purge_at",
)


class ReceiptsByVendor(GlobalSecondaryIndex["ReceiptModel"]):
    """A vendor's own receipts, for its people in the vendor console: newest first, by date."""

    class Meta:
        index_name = "by-vendor"
        projection = IncludeProjection(list(VENDOR_LISTED))

    vendor_id = UnicodeAttribute(hash_key=True)
    validated_at = UTCDateTimeAttribute(range_key=True)


class ReceiptModel(Model):
    """A valid check, as the vendor was told it. Kept for its retention; see the module docstring."""

    class Meta:
        table_name = table_name("validations")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE
        # The stream keeps each key's "last used" current (chalicelib/events/vendors.py). NEW_IMAGE so the
        # handler reads the key id and the time from the record itself, with no read back; the records (the
        # representative's name among them) are kept by the stream for 24 hours, as by every other table's.
        stream_view_type = "NEW_IMAGE"

    validation_id = UnicodeAttribute(hash_key=True)
    vendor_id = UnicodeAttribute()
    vendor_name = UnicodeAttribute()
    key_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    organisation_name = UnicodeAttribute()
    # The main company's name in the company register when the code was validated.
    legal_name = UnicodeAttribute(null=True)
    primary_cvr = UnicodeAttribute()
    handle = UnicodeAttribute()
    approved_since = UTCDateTimeAttribute(null=True)
    code_id = UnicodeAttribute()
    # The code's company and account: what a user's scope is checked against.
    cvr = UnicodeAttribute()
    account = UnicodeAttribute()
    account_key = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    validated_at = UTCDateTimeAttribute()
    # Not a TTLAttribute: the receipt outlives the code.
    code_expires_at = UTCDateTimeAttribute()
    # The end of the receipt's retention; the table's TTL.
    purge_at = TTLAttribute(null=True)
    # False for a test key's check; absent on a live one (as on every receipt made before test mode).
    livemode = BooleanAttribute(null=True)

    by_org = ReceiptsByOrganisation()
    by_company = ReceiptsByCompany()
    by_account = ReceiptsByAccount()
    by_code = ReceiptsByCode()
    by_vendor = ReceiptsByVendor()

    @property
    def purge_when(self) -> datetime | None:
        return cast("datetime | None", self.purge_at)

    @property
    def is_live(self) -> bool:
        return cast("bool | None", self.livemode) is not False

    @property
    def approved_since_when(self) -> datetime | None:
        # PynamoDB types a nullable attribute as never None.
        return cast("datetime | None", self.approved_since)


RECEIPT_INDEXES: ScopedIndexes[ReceiptModel] = ScopedIndexes(
    by_org=ReceiptModel.by_org,
    by_company=ReceiptModel.by_company,
    by_account=ReceiptModel.by_account,
    org_id=ReceiptModel.org_id,
    cvr=ReceiptModel.cvr,
    account=ReceiptModel.account,
    item_key="validation_id",
    item_key_pattern=VALIDATION_ID,
    sort_key="validated_at",
)


class FailureWindowModel(Model):
    """One vendor's failed checks in one fixed window of time."""

    class Meta:
        table_name = table_name("validation-failures")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    vendor_id = UnicodeAttribute(hash_key=True)
    # The window's first second, in seconds since the epoch.
    window_start = NumberAttribute(range_key=True)
    failures = NumberAttribute(default=0)
    expires_at = TTLAttribute()


def save_receipt(receipt: ReceiptModel, *, retention_years: int, kept_for: timedelta | None = None) -> None:
    """Write a new receipt, kept for `retention_years` after its check (or `kept_for`, when given)."""
    receipt.save(condition=new_receipt(receipt, retention_years=retention_years, kept_for=kept_for))


def new_receipt(
    receipt: ReceiptModel, *, retention_years: int, kept_for: timedelta | None = None
) -> Condition:
    """Sets how long the receipt is kept; answers the condition a new receipt is written under (a hosted
    check writes it in a transaction of its own)."""
    receipt.purge_at = (
        receipt_purge_at(receipt.validated_at, years=retention_years)
        if kept_for is None
        else receipt.validated_at + kept_for
    )
    written: Condition = ReceiptModel.validation_id.does_not_exist()
    return written


def get_receipt(validation_id: str, *, now: datetime) -> ReceiptModel | None:
    """The receipt, unless there is none or its retention has ended (TTL may not have removed it yet)."""
    if not VALIDATION_ID.match(validation_id):
        return None
    try:
        receipt = ReceiptModel.get(validation_id, consistent_read=True)
    except ReceiptModel.DoesNotExist:
        return None
    return None if is_gone(receipt.purge_when, now) else receipt


def receipts_of_code(code_id: str, *, now: datetime) -> list[ReceiptModel]:
    """A code's receipts, oldest first, past retention left out."""
    return [r for r in ReceiptModel.by_code.query(code_id) if not is_gone(r.purge_when, now)]


def kept_receipts(now: datetime) -> Condition:
    """A listing filter that leaves out receipts past their retention."""
    kept: Condition = ReceiptModel.purge_at.does_not_exist() | (ReceiptModel.purge_at > now)
    return kept


def count_failure(vendor_id: str, window_start: int, *, expires_at: datetime) -> None:
    """One more failed check in the window: an atomic ADD, creating the window's item if need be."""
    FailureWindowModel(vendor_id, window_start).update(
        actions=[FailureWindowModel.failures.add(1), FailureWindowModel.expires_at.set(expires_at)]
    )


@dataclass(frozen=True)
class CheckReads:
    """What a check needs before it can answer: the presented key as stored, the vendor's failures per
    window, the code's value and what vendors see of the organisation its handle names."""

    key: VendorKeyModel | None
    failures: dict[int, int]
    value: CodeValueModel | None
    organisation: HandleModel | None


class UnreadKeys(Exception):
    """DynamoDB kept handing back keys unread (throttling); the check cannot be answered now."""


@dataclass(frozen=True)
class CheckKeys:
    """What a check reads: named by the request alone (its key and its code), so one round trip suffices."""

    key_id: str
    vendor_id: str
    windows: Sequence[int]
    random_part: str | None = None
    handle: str | None = None


def read_for_check(
    client: Any, keys: CheckKeys, *, sleep: Callable[[float], None] = time.sleep
) -> CheckReads:
    """The key, the failure windows, and when the text is a code its value item and its handle's item, in
    one strongly consistent BatchGetItem. The vendor id comes from the presented key and is believed only
    once the caller has checked the key read here."""
    keys_table = VendorKeyModel.Meta.table_name
    failures_table = FailureWindowModel.Meta.table_name
    values_table = CodeValueModel.Meta.table_name
    handles_table = HandleModel.Meta.table_name
    items = batch_get(client, check_request(keys), sleep=sleep)
    failures = {w: 0 for w in keys.windows}
    for item in items.get(failures_table, []):
        window = FailureWindowModel.from_raw_data(item)
        failures[int(window.window_start)] = int(window.failures)
    return CheckReads(
        key=_one(VendorKeyModel, items.get(keys_table)),
        failures=failures,
        value=_one(CodeValueModel, items.get(values_table)),
        organisation=_one(HandleModel, items.get(handles_table)),
    )


def check_request(keys: CheckKeys) -> dict[str, Any]:
    """The check's BatchGetItem `RequestItems`."""
    keys_table = VendorKeyModel.Meta.table_name
    failures_table = FailureWindowModel.Meta.table_name
    values_table = CodeValueModel.Meta.table_name
    handles_table = HandleModel.Meta.table_name
    request: dict[str, Any] = {
        keys_table: {"Keys": [{"key_id": {"S": keys.key_id}}], "ConsistentRead": True},
        failures_table: {
            "Keys": [
                {"vendor_id": {"S": keys.vendor_id}, "window_start": {"N": str(w)}} for w in keys.windows
            ],
            "ConsistentRead": True,
        },
    }
    if keys.random_part is not None:
        request[values_table] = {"Keys": [{"random_part": {"S": keys.random_part}}], "ConsistentRead": True}
    if keys.handle is not None:
        request[handles_table] = {
            "Keys": [{"handle_key": {"S": handle_key(keys.handle)}}],
            "ConsistentRead": True,
        }
    return request


def _one[T: Model](model: type[T], items: list[dict[str, Any]] | None) -> T | None:
    return model.from_raw_data(items[0]) if items else None


def batch_get(
    client: Any, request: dict[str, Any], *, sleep: Callable[[float], None] = time.sleep
) -> dict[str, list[dict[str, Any]]]:
    """Every item of a BatchGetItem request, asking again (with a short backoff) for keys DynamoDB hands
    back unprocessed, a bounded number of times."""
    found: dict[str, list[dict[str, Any]]] = {}
    pending = request
    for attempt in range(MAX_BATCH_ATTEMPTS):
        if attempt:
            sleep(BATCH_BACKOFF_SECONDS * 2**attempt)
        answer = client.batch_get_item(RequestItems=pending)
        for table, items in answer.get("Responses", {}).items():
            found.setdefault(table, []).extend(items)
        pending = answer.get("UnprocessedKeys") or {}
        if not pending:
            return found
    raise UnreadKeys(f"{sum(len(p['Keys']) for p in pending.values())} keys unread")
