"""The hosted check: the vendor's server makes a check and reads its outcome; the representative's page
(Godkend's console, anyone holding the check's id) learns what it is, shows whom the code is for and
confirms; the vendor's people register where a check may send the browser back. The rules are in
`chalicelib/services/vendors/hosted_checks.py`.

The page's routes take the check's id in the JSON body, never in the path or query: it is a bearer secret
for an hour, and a path or query lands in access logs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.http.callers import ANYONE, VENDOR, VENDOR_PERSON, Call
from chalicelib.api.http.routing import Routes
from chalicelib.container import container

if TYPE_CHECKING:
    from chalicelib.services.vendors.hosted_checks import (
        CheckView,
        Confirmation,
        NewCheck,
        PageCheck,
        Preview,
        RedirectOrigins,
    )

routes = Routes(__name__, schemas="chalicelib.api.schemas.checks", tag="Hosted checks")

UNAVAILABLE = (
    "An unknown check, one used already or past its hour is 404 `check-unavailable`; one that took too many "
    "codes that are not valid (5, from any address) is 404 `check-closed`, also the answer to the code that "
    "closed it; both in words that send the representative back to the vendor's page."
)


@routes.post(
    "/v1/checks",
    rule=VENDOR,
    summary="Make a hosted check: Godkend's page asks the representative for the code",
    body="NewCheck",
    response="CreatedCheck",
    status=201,
    errors=(503,),
    description="Send the representative's browser to `url`. When they confirm a valid code, the browser "
    "comes back to `redirect_url#check_id=…&receipt=…`; verify the receipt against GET "
    "/.well-known/jwks.json, or ask GET /v1/checks/{check_id}. `redirect_url` must be on an origin the "
    "vendor registered (400 with a field error on `redirect_url` otherwise). A test key's check takes only "
    "the documented test codes.",
)
def create_check(call: Call) -> NewCheck:
    body = call.body()
    return container().hosted_checks.create(
        call.vendor, redirect_url=body.redirect_url, reference=body.reference
    )


@routes.get(
    "/v1/checks/{check_id}",
    rule=VENDOR,
    summary="A hosted check's outcome: pending, completed (with the receipt), failed or expired",
    response="Check",
    errors=(503,),
    description="Another vendor's check is 404; so is a test key's check to a live key and the other way "
    "round. Kept a week after it expires.",
)
def get_check(call: Call, check_id: str) -> CheckView:
    return container().hosted_checks.status(call.vendor, check_id)


@routes.post(
    "/v1/hosted-check",
    rule=ANYONE,
    summary="The representative's page: which vendor a check is for, and until when",
    body="PageRequest",
    response="PageCheck",
    errors=(404, 429),
    description=UNAVAILABLE,
)
def describe_check(call: Call) -> PageCheck:
    return container().hosted_checks.describe(call.body().check_id, source_ip=call.origin.source_ip)


@routes.post(
    "/v1/hosted-check/code",
    rule=ANYONE,
    summary="The representative's page: which organisation and representative a code is for",
    body="PageCode",
    response="Preview",
    errors=(404, 429, 503),
    description="Nothing is kept; a code that is not valid counts against the vendor's limit on failed "
    "checks, as the vendor's own check would. " + UNAVAILABLE,
)
def preview_code(call: Call) -> Preview:
    body = call.body()
    return container().hosted_checks.preview(body.check_id, body.code, source_ip=call.origin.source_ip)


@routes.post(
    "/v1/hosted-check/confirm",
    rule=ANYONE,
    summary="The representative confirms: the code is validated and the browser sent back to the vendor",
    body="PageCode",
    response="Confirmation",
    errors=(404, 429, 503),
    description="Validated exactly as POST /v1/validations validates it for the key that made the check; a "
    "valid code completes the check once and keeps its receipt, and `redirect_to` carries the check's id "
    "and the signed receipt in its fragment, never the code. " + UNAVAILABLE,
)
def confirm_check(call: Call) -> Confirmation:
    body = call.body()
    return container().hosted_checks.confirm(body.check_id, body.code, source_ip=call.origin.source_ip)


@routes.get(
    "/v1/vendor/redirect-origins",
    rule=VENDOR_PERSON,
    summary="Where the vendor's hosted checks may send the browser back",
    response="RedirectOrigins",
)
def get_redirect_origins(call: Call) -> RedirectOrigins:
    return container().hosted_checks.origins(call.principal)


@routes.put(
    "/v1/vendor/redirect-origins",
    rule=VENDOR_PERSON,
    summary="Replace the origins the vendor's hosted checks may send the browser back to",
    body="RedirectOrigins",
    response="RedirectOrigins",
    description="At most 5, each exactly `scheme://host[:port]`: https, or http on localhost or "
    "127.0.0.1. Audited in the staff trail with the person's name.",
)
def put_redirect_origins(call: Call) -> RedirectOrigins:
    return container().hosted_checks.set_origins(call.principal, call.body().origins, origin=call.origin)
