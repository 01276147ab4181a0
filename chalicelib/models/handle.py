"""Reserved organisation handles, and what vendors see of the organisation a handle names.

The part after the `@` in a code names exactly one organisation. A handle is reserved when its organisation
is first approved. The key is the handle in lower case, so that `RoedeKors` and `Roedekors` cannot both
exist: a vendor reading a code aloud should never reach the wrong organisation.

The same item carries the organisation's **vendor-facing state**: its status, display name, legal name
(the main company's register name), primary CVR and approved-since. A vendor's check reads it in the same
BatchGetItem as the key and the code, by the handle the presented code itself names, so no second round
trip is needed to learn whether the organisation is approved now. It is written by one function,
`chalicelib/services/vendor_view.publish`, in the same transaction as every change to that state
(approval, rejection, suspension, reinstatement, a change of name), so a check never sees one without the
other.

Access patterns
- reserve a handle for an organisation ...... UpdateItem handles[handle_key] if absent or already this org's
                                              (keeps the vendor-facing state already there)
- who owns a handle ......................... GetItem handles[handle_key]
- the vendor-facing state ................... PutItem handles[handle_key] in the state change's transaction,
                                              if absent or this org's
- a vendor's check .......................... BatchGetItem handles[handle_key] with the key, the code value
                                              and the failure windows, consistent
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name


class HandleModel(Model):
    class Meta:
        table_name = table_name("handles")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    handle_key = UnicodeAttribute(hash_key=True)
    handle = UnicodeAttribute()
    org_id = UnicodeAttribute()
    reserved_at = UTCDateTimeAttribute()
    # The vendor-facing state: absent until the organisation's first approval is committed.
    status = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    legal_name = UnicodeAttribute(null=True)
    primary_cvr = UnicodeAttribute(null=True)
    approved_since = UTCDateTimeAttribute(null=True)
    changed_at = UTCDateTimeAttribute(null=True)

    @property
    def approved_since_when(self) -> datetime | None:
        # PynamoDB types a nullable attribute as never None.
        return cast("datetime | None", self.approved_since)


def handle_key(handle: str) -> str:
    return handle.lower()


def reserve_handle(handle: str, org_id: str, now: datetime) -> bool:
    """True if the handle is now the organisation's (newly, or already); False if another has it."""
    item = HandleModel(handle_key(handle))
    try:
        item.update(
            actions=[
                HandleModel.handle.set(handle),
                HandleModel.org_id.set(org_id),
                HandleModel.reserved_at.set(HandleModel.reserved_at | now),
            ],
            condition=HandleModel.handle_key.does_not_exist() | (HandleModel.org_id == org_id),
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def owner_of(handle: str) -> str | None:
    try:
        return HandleModel.get(handle_key(handle)).org_id
    except HandleModel.DoesNotExist:
        return None


def get_handle(handle: str) -> HandleModel | None:
    try:
        return HandleModel.get(handle_key(handle), consistent_read=True)
    except HandleModel.DoesNotExist:
        return None
