"""Vendor authentication: a Chalice built-in authorizer checks the API key (`Authorization: Bearer
gkv_...`), so `chalice local`, the Chalice test client and API Gateway all run the same check.

The authorizer always *allows* the request and says in its context who the vendor is (`vendor_id`,
`vendor_name`, `key_id`) or why not (`auth_error`). The route's `VENDOR` rule (`chalicelib/api/routing.py`)
then refuses a request without a vendor with 401 problem+json. Denying in the authorizer itself would be
answered by API Gateway — and by `chalice local` and the test client, before any of our code runs — with
its own `{"message": "Unauthorized"}`, which no middleware can rewrite. In AWS the gateway responses in
`infra/resources.json` do make that problem+json, but only there.

Results are not cached (`ttl_seconds=0`), so a revoked key fails on the very next request. The cost: every
vendor request runs the authorizer (in AWS a separate, usually warm, Lambda invocation) and reads the key
with one consistent GetItem; API Gateway's caching would have saved both for up to an hour, and kept a
revoked key working for as long.

A request with no Authorization header at all never reaches the authorizer: API Gateway and `chalice
local` answer 401 themselves. In AWS that answer is problem+json (the UNAUTHORIZED gateway response);
locally it is `{"message": "Unauthorized"}`.
"""

from __future__ import annotations

from typing import Any

from chalice.app import AuthRequest, AuthResponse, Blueprint, Request

from chalicelib.api import problems
from chalicelib.api.deps import container
from chalicelib.errors import Unauthenticated, UpstreamUnavailable
from chalicelib.services.vendors import KeyFailure, KeyRefused, VendorIdentity

blueprint = Blueprint(__name__)

AUTH_ERROR = "auth_error"
UNAVAILABLE = "unavailable"
NOBODY = "unauthenticated"


@blueprint.authorizer(ttl_seconds=0)
def vendor_key(auth_request: AuthRequest) -> AuthResponse:
    try:
        vendor = container().vendors.authenticate(auth_request.token)
    except KeyRefused as refused:
        return _allow(NOBODY, {AUTH_ERROR: refused.reason.value})
    except Exception:
        # The request is let through to be refused with a problem: an exception here would be API
        # Gateway's bare 500 (locally, an unanswered request).
        problems.logger.exception("vendor key check failed")
        return _allow(NOBODY, {AUTH_ERROR: UNAVAILABLE})
    return _allow(
        vendor.vendor_id,
        {"vendor_id": vendor.vendor_id, "vendor_name": vendor.vendor_name, "key_id": vendor.key_id},
    )


def _allow(principal_id: str, context: dict[str, str]) -> AuthResponse:
    # Every route: with no caching the answer applies to this one request anyway, and should caching ever
    # be turned on, a policy naming only the first route would refuse the vendor's other routes.
    return AuthResponse(routes=["*"], principal_id=principal_id, context=context)


def vendor_of(request: Request) -> VendorIdentity:
    """The vendor the authorizer found for this request; raises Unauthenticated (401) otherwise."""
    context: Any = (request.context or {}).get("authorizer") or {}
    error = context.get(AUTH_ERROR)
    if error == UNAVAILABLE:
        raise UpstreamUnavailable("The API key could not be checked just now; try again shortly.")
    if error == KeyFailure.REVOKED.value:
        raise Unauthenticated("This API key has been revoked; use a current key.")
    vendor_id, vendor_name, key_id = (context.get(name) for name in ("vendor_id", "vendor_name", "key_id"))
    if error or not (vendor_id and vendor_name and key_id):
        raise Unauthenticated("Send 'Authorization: Bearer <API key>' with a current vendor API key.")
    return VendorIdentity(vendor_id=str(vendor_id), vendor_name=str(vendor_name), key_id=str(key_id))
