"""Journey 16: the representative's "Bed om en ny kode" page (no login: the link is the capability), and
the *Anmodninger* tab of the users with `codes` who answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.api.http.callers import ANYONE, Call, user
from chalicelib.api.http.routing import Routes
from chalicelib.container import container
from chalicelib.services.access.authz import Function

if TYPE_CHECKING:
    from chalicelib.services.codes.renewal_requests import RenewalRequestView, RequestPreview

routes = Routes(__name__, schemas="chalicelib.api.schemas.renewal_requests", tag="Codes")

LINK_RULES = (
    "The token is the secret from the fragment of the link in the representative's code mail or reminder; "
    "it is sent in the body, never in a URL. A link that is unknown, expired (30 days after the code value "
    "it was mailed with), or whose code was since renewed, revoked or erased answers one and the same 404. "
    "At most 30 tries an hour from one address (429 with Retry-After)."
)


@routes.post(
    "/v1/renewal-requests/preview",
    rule=ANYONE,
    summary="What a renewal link is for: the organisation, the representative's first name, the expiry",
    body="RenewalLink",
    response="RenewalRequestPreview",
    errors=(404, 429),
    description=LINK_RULES + " Never the code's value.",
)
def preview_renewal_request(call: Call) -> RequestPreview:
    body = call.body()
    return container().renewal_requests.preview(body.token, origin=call.origin)


@routes.post(
    "/v1/renewal-requests",
    rule=ANYONE,
    summary="Ask the organisation for a new code, with an optional note",
    body="NewRenewalRequest",
    response="RenewalRequestMade",
    status=202,
    errors=(404, 409, 429),
    description=LINK_RULES
    + " One open request per code (409 while one waits); at most 3 requests per code in 7 days and 5 per "
    "representative a day (429). The users with `codes` and the code's account in scope are mailed.",
)
def make_renewal_request(call: Call) -> dict[str, Any]:
    body = call.body()
    container().renewal_requests.make(body.token, body.note, origin=call.origin)
    return {"next_step": "The organisation is told. When it renews the code, the new code is mailed to you."}


@routes.get(
    "/v1/renewal-requests",
    rule=user(Function.CODES),
    summary="The open renewal requests for codes in the caller's scope, newest first",
    response="RenewalRequestList",
)
def list_renewal_requests(call: Call) -> dict[str, Any]:
    return {"items": container().renewal_requests.list_open(call.principal)}


@routes.post(
    "/v1/renewal-requests/{request_id}/decline",
    rule=user(Function.CODES),
    summary="Decline a renewal request; the reason is mailed to the representative",
    body="Decline",
    response="RenewalRequest",
    errors=(409,),
    description="409 when the request was answered already (renewed, revoked or declined). Renewing "
    "(`POST /v1/codes/{code_id}/renew`) or revoking the code answers its request.",
)
def decline_renewal_request(call: Call, request_id: str) -> RenewalRequestView:
    body = call.body()
    return container().renewal_requests.decline(call.principal, request_id, body.reason, origin=call.origin)
