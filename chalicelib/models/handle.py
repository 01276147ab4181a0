"""Reserved organisation handles: the part after the `@` in a code names exactly one organisation.

A handle is reserved when its organisation is first approved. The key is the handle in lower case, so that
`RoedeKors` and `Roedekors` cannot both exist: a vendor reading a code aloud should never reach the wrong
organisation.

Access patterns
- reserve a handle for an organisation ...... PutItem handles[handle_key] if absent or already this org's
- who owns a handle ......................... GetItem handles[handle_key]
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError
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


def handle_key(handle: str) -> str:
    return handle.lower()


def reserve_handle(handle: str, org_id: str, now: datetime) -> bool:
    """True if the handle is now the organisation's (newly, or already); False if another has it."""
    item = HandleModel(handle_key(handle), handle=handle, org_id=org_id, reserved_at=now)
    try:
        item.save(condition=HandleModel.handle_key.does_not_exist() | (HandleModel.org_id == org_id))
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def owner_of(handle: str) -> str | None:
    try:
        return HandleModel.get(handle_key(handle)).org_id
    except HandleModel.DoesNotExist:
        return None
