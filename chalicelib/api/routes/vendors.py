"""Staff: vendors and their API keys. A key is shown once, in the answer that issues it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.http.callers import STAFF, Call
from chalicelib.api.http.routing import Routes
from chalicelib.container import container

if TYPE_CHECKING:
    from chalicelib.services.vendors.keys import CreatedVendor, IssuedKey, KeyView, VendorWithKeys
    from chalicelib.values.page import Page

routes = Routes(__name__, schemas="chalicelib.api.schemas.vendors", tag="Staff: vendors")


@routes.get(
    "/v1/staff/vendors",
    rule=STAFF,
    summary="List vendors, newest first, each with its keys",
    response="VendorPage",
    errors=(400,),
    query="chalicelib.api.schemas.paging:PageQuery",
)
def list_vendors(call: Call) -> Page[VendorWithKeys]:
    query = call.query_model()
    return container().vendors.page(limit=query.limit, cursor=query.cursor)


@routes.get(
    "/v1/staff/vendors/{vendor_id}",
    rule=STAFF,
    summary="One vendor and its keys",
    response="VendorWithKeys",
    errors=(404,),
)
def get_vendor(call: Call, vendor_id: str) -> VendorWithKeys:
    return container().vendors.get(vendor_id)


@routes.post(
    "/v1/staff/vendors",
    rule=STAFF,
    summary="Create a vendor and its first API key, and invite its contact person to the vendor console",
    body="NewVendor",
    response="Vendor",
    status=201,
)
def create_vendor(call: Call) -> CreatedVendor:
    from chalicelib.services.people.vendor_people import inviting

    body = call.body()
    return container().vendors.create(
        call.principal,
        name=body.name,
        contact_email=body.contact_email,
        origin=call.origin,
        also=inviting(body.contact, by_user_id=call.principal.user_id),
    )


@routes.post(
    "/v1/staff/vendors/{vendor_id}/keys",
    rule=STAFF,
    summary="Issue another API key to a vendor (rotation), or a test key",
    body="NewKey",
    body_optional=True,
    response="IssuedKey",
    status=201,
    description="The vendor's other keys keep working until they are revoked, so a vendor can switch over "
    "without a gap. Without a body (or with `mode: live`) a live key; with `mode: test` a test key.",
)
def issue_key(call: Call, vendor_id: str) -> IssuedKey:
    from chalicelib.services.vendors.api_keys import KeyMode

    mode = KeyMode(call.body().mode)
    return container().vendors.issue_key(call.principal, vendor_id, origin=call.origin, mode=mode)


@routes.delete(
    "/v1/staff/vendors/{vendor_id}/keys/{key_id}",
    rule=STAFF,
    summary="Revoke a vendor's API key",
    response="Key",
    description="The key is refused from the next request on. Answers 200 with the revoked key, also when "
    "it was revoked already; a key of another vendor is 404.",
)
def revoke_key(call: Call, vendor_id: str, key_id: str) -> KeyView:
    return container().vendors.revoke_key(call.principal, vendor_id, key_id, origin=call.origin)
