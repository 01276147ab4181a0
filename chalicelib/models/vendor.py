"""Vendors (companies that check codes at the validation URL) and their API keys.

A key is shown once, as `gkv_<vendor id>_<key id>_<secret>`, or `gkv_test_…` for a test key
(`chalicelib/services/vendors/api_keys.py`); only the SHA-256 of the secret is stored. A key's `mode` says
which it is (no `mode`: a live key, as every key made before test mode was). The key id is the key item's hash
key, so the authorizer finds the record a vendor presents with one GetItem. The vendor's name is copied
onto each key so that the authorizer can hand it to the request without a second read (vendors are not
renamed). A revoked key stays, marked revoked, so that
receipts naming it still make sense.

Access patterns
- vendor by id ................................ GetItem vendors[vendor_id]
- key by id (every vendor request) ............ GetItem vendor-keys[key_id], consistent: a revocation
                                                takes effect on the very next request
- every vendor, newest first (staff) .......... Query vendors.by-catalogue[catalogue = "vendors"], paged
- a vendor's redirect origins .................. on its item: GetItem vendors[vendor_id]; replaced by an
                                                UpdateItem in one transaction with its audit entry
- a vendor's keys, newest first (staff) ....... Query vendor-keys.by-vendor[vendor_id]; never the hash
- the same with labels (staff, vendor console) . that Query, then BatchGetItem vendor-keys[key ids]
- a key's last use (the receipts' stream) ...... UpdateItem vendor-keys[key_id] SET last_used_at, only if
                                                the key exists and the time is newer than the one kept
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from pynamodb.attributes import ListAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib.models.base import (
    PAY_PER_REQUEST_BILLING_MODE,
    aws_region,
    failed_conditions,
    table_name,
    transaction,
)

if TYPE_CHECKING:
    from chalicelib.models.audit import AuditModel

    # An audit entry and the condition it is saved on; a vendor's check never builds one, so the audit
    # model is not imported on its path.
    AuditRecord = tuple[AuditModel, Condition]

VENDOR_ID = re.compile(r"^[0-9a-f]{32}$")
KEY_ID = re.compile(r"^[0-9a-f]{20}$")
# Every vendor is in one partition of the listing index: there are tens of vendors, not millions, and staff
# page through them all.
CATALOGUE = "vendors"
# A test key's `mode`: it validates only the documented test codes
# (chalicelib/services/vendors/test_codes.py).
TEST_MODE = "test"


class VendorsByCatalogue(GlobalSecondaryIndex["VendorModel"]):
    class Meta:
        index_name = "by-catalogue"
        projection = IncludeProjection(["name", "contact_email", "created_by"])

    catalogue = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class KeysByVendor(GlobalSecondaryIndex["VendorKeyModel"]):
    """A vendor's keys, without the secret's hash: staff see which keys exist, never anything of a secret."""

    class Meta:
        index_name = "by-vendor"
        projection = IncludeProjection(["revoked_at", "revoked_by", "created_by"])

    vendor_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class VendorModel(Model):
    class Meta:
        table_name = table_name("vendors")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    vendor_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    contact_email = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    catalogue = UnicodeAttribute(default=CATALOGUE)
    # Where a hosted check may send the browser back: origins (scheme://host[:port]) the vendor's people
    # registered (chalicelib/services/vendors/hosted_checks.py).
    redirect_origins = ListAttribute(of=UnicodeAttribute, null=True)

    by_catalogue = VendorsByCatalogue()

    @property
    def origins(self) -> list[str]:
        return list(cast("list[str] | None", self.redirect_origins) or [])


class VendorKeyModel(Model):
    class Meta:
        table_name = table_name("vendor-keys")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    key_id = UnicodeAttribute(hash_key=True)
    vendor_id = UnicodeAttribute()
    vendor_name = UnicodeAttribute()
    # Hex SHA-256 of the secret part. The secret has 192 random bits, so a plain hash is enough: there is
    # nothing to brute-force that would be cheaper than guessing the secret itself.
    secret_sha256 = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)
    # "test" for a test key; absent for a live one.
    mode = UnicodeAttribute(null=True)
    # What the vendor calls the key ("Kasse 1", "Produktion"); keys staff issued before labels have none.
    label = UnicodeAttribute(null=True)
    # When a check last presented it; null until that is recorded.
    last_used_at = UTCDateTimeAttribute(null=True)

    by_vendor = KeysByVendor()

    @property
    def revoked_when(self) -> datetime | None:
        # PynamoDB types a nullable attribute as never None.
        return cast("datetime | None", self.revoked_at)

    @property
    def is_test(self) -> bool:
        return cast("str | None", self.mode) == TEST_MODE


class VendorMissing(Exception):
    """The vendor a key was to be added to does not exist."""


def get_vendor(vendor_id: str) -> VendorModel | None:
    if not VENDOR_ID.match(vendor_id):
        return None
    try:
        return VendorModel.get(vendor_id, consistent_read=True)
    except VendorModel.DoesNotExist:
        return None


def get_key(key_id: str) -> VendorKeyModel | None:
    if not KEY_ID.match(key_id):
        return None
    try:
        return VendorKeyModel.get(key_id, consistent_read=True)
    except VendorKeyModel.DoesNotExist:
        return None


# What a listing reads of a key: everything but the secret's hash, which only the check reads.
LISTED_KEY_ATTRIBUTES = [
    "key_id",
    "vendor_id",
    "vendor_name",
    "created_at",
    "created_by",
    "revoked_at",
    "revoked_by",
    "mode",
    "label",
    "last_used_at",
]


def keys_of(vendor_id: str) -> list[VendorKeyModel]:
    """A vendor's keys, newest first, without the hash: the index finds them (eventually consistent), then
    one BatchGetItem reads what a listing shows. The index's projection is not widened for each attribute a
    key gains, because DynamoDB cannot change an existing index's projection: a stage would have to drop and
    rebuild the index in two deploys."""
    key_ids = [key.key_id for key in VendorKeyModel.by_vendor.query(vendor_id, scan_index_forward=False)]
    if not key_ids:
        return []
    found = {
        key.key_id: key for key in VendorKeyModel.batch_get(key_ids, attributes_to_get=LISTED_KEY_ATTRIBUTES)
    }
    return [found[key_id] for key_id in key_ids if key_id in found]


def create_vendor(
    vendor: VendorModel,
    first_key: VendorKeyModel,
    audit: AuditRecord,
    *,
    also: Sequence[tuple[Model, Condition | None]] = (),
) -> None:
    """The vendor, its first key and the audit entry saying so, and whatever `also` holds (its contact's
    login and invitation), all or nothing."""
    with transaction() as tx:
        tx.save(vendor, condition=VendorModel.vendor_id.does_not_exist())
        tx.save(first_key, condition=VendorKeyModel.key_id.does_not_exist())
        tx.save(*audit)
        for item, condition in also:
            tx.save(item, condition=condition)


def add_key(key: VendorKeyModel, audit: AuditRecord) -> None:
    """Another key for an existing vendor, audited. Raises VendorMissing when the vendor does not exist."""
    try:
        with transaction() as tx:
            tx.condition_check(VendorModel, key.vendor_id, condition=VendorModel.vendor_id.exists())
            tx.save(key, condition=VendorKeyModel.key_id.does_not_exist())
            tx.save(*audit)
    except TransactWriteError as error:
        reasons = error.cancellation_reasons
        if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
            raise VendorMissing(key.vendor_id) from error
        raise


def set_redirect_origins(vendor_id: str, origins: list[str], audit: AuditRecord) -> None:
    """Replace the vendor's redirect origins, audited, all or nothing. Raises VendorMissing."""
    try:
        with transaction() as tx:
            tx.update(
                VendorModel(vendor_id),
                # PynamoDB types a list of strings as a list of attributes.
                actions=[VendorModel.redirect_origins.set(cast("Any", origins))],
                condition=VendorModel.vendor_id.exists(),
            )
            tx.save(*audit)
    except TransactWriteError as error:
        # Any failed condition is the vendor's: PynamoDB sends the audit entry's put before this update, and
        # the entry's own condition refuses only an id already used (random, 128 bits).
        if failed_conditions(error):
            raise VendorMissing(vendor_id) from error
        raise


def record_key_use(key_id: str, used_at: datetime) -> bool:
    """Set the key's `last_used_at` to `used_at` if that is newer than the time kept; True if it was.

    One conditional write: a redelivered or late stream record (an older time) changes nothing, two writers
    racing keep the newer time, and a key that does not exist is not created."""
    newer = VendorKeyModel.last_used_at.does_not_exist() | (VendorKeyModel.last_used_at < used_at)
    try:
        VendorKeyModel(key_id=key_id).update(
            actions=[VendorKeyModel.last_used_at.set(used_at)],
            condition=VendorKeyModel.key_id.exists() & newer,
        )
    except UpdateError as error:
        if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def revoke_key(key: VendorKeyModel, *, now: datetime, by: str, audit: AuditRecord) -> VendorKeyModel:
    """Mark the key revoked, audited, unless it already is; answers the key as stored afterwards."""
    try:
        with transaction() as tx:
            tx.update(
                key,
                actions=[VendorKeyModel.revoked_at.set(now), VendorKeyModel.revoked_by.set(by)],
                condition=VendorKeyModel.revoked_at.does_not_exist(),
            )
            tx.save(*audit)
    except TransactWriteError as error:
        # Any failed condition is the key's (revoked meanwhile): PynamoDB sends the audit entry's put before
        # this update, and the entry's own condition refuses only an id already used (random, 128 bits).
        if not failed_conditions(error):
            raise
    # Read it back either way: revoked meanwhile means the first revocation stands.
    key.refresh(consistent_read=True)
    return key
