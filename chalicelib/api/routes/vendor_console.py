"""The vendor console: a vendor's people (signed in with a Cognito token, never an API key) look after
their own vendor's API keys. A key of another vendor answers 404, as if it did not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.api.http.callers import VENDOR_PERSON, Call
from chalicelib.api.http.routing import Routes
from chalicelib.container import container

if TYPE_CHECKING:
    from chalicelib.services.vendors.keys import IssuedKey, KeyView, OwnVendor

routes = Routes(__name__, schemas="chalicelib.api.schemas.vendor_console", tag="Vendor console")


@routes.get(
    "/v1/vendor",
    rule=VENDOR_PERSON,
    summary="The person's vendor: name, contact, and whether a webhook is set",
    response="OwnVendor",
)
def get_vendor(call: Call) -> OwnVendor:
    return container().vendors.own_vendor(call.principal)


@routes.get(
    "/v1/vendor/keys",
    rule=VENDOR_PERSON,
    summary="The vendor's API keys, newest first, with label, maker, status and last use",
    response="OwnKeys",
)
def list_keys(call: Call) -> dict[str, Any]:
    return {"items": container().vendors.own_keys(call.principal)}


@routes.post(
    "/v1/vendor/keys",
    rule=VENDOR_PERSON,
    summary="Make an API key for the vendor; the key is in this answer only",
    body="NewOwnKey",
    response="IssuedOwnKey",
    status=201,
    description="The vendor's other keys keep working until they are revoked, so a key can be rotated "
    "without a gap. Audited in the staff trail with the person's name.",
)
def issue_key(call: Call) -> IssuedKey:
    body = call.body()
    return container().vendors.issue_own_key(
        call.principal, label=body.label, mode=body.mode, origin=call.origin
    )


@routes.delete(
    "/v1/vendor/keys/{key_id}",
    rule=VENDOR_PERSON,
    summary="Revoke one of the vendor's API keys",
    response="OwnKey",
    errors=(404,),
    description="The key is refused from the very next check on. Answers 200 with the revoked key, also "
    "when it was revoked already; a key of another vendor is 404.",
)
def revoke_key(call: Call, key_id: str) -> KeyView:
    return container().vendors.revoke_own_key(call.principal, key_id, origin=call.origin)
