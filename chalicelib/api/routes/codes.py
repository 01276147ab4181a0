"""Validation codes: what a user with the `codes` function does on the "Godkendelseskode" tab."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.http.callers import Call, user
from chalicelib.api.http.routing import Routes
from chalicelib.container import container
from chalicelib.services.access.authz import Function

if TYPE_CHECKING:
    from chalicelib.services.codes.codes import CodeView
    from chalicelib.values.page import Page

routes = Routes(__name__, schemas="chalicelib.api.schemas.codes", tag="Codes")


@routes.post(
    "/v1/codes",
    rule=user(Function.CODES),
    summary="Create a code for a representative",
    body="NewCode",
    response="Code",
    status=201,
    errors=(404,),
    description="Under an open account in the caller's scope, for an approved organisation (else 403 "
    "organisation-not-approved). With `notify` (the default) the code is mailed to the representative.",
)
def create_code(call: Call) -> CodeView:
    body = call.body()
    from chalicelib.services.codes.codes import CodeRequest

    return container().codes.create(call.principal, CodeRequest(**body.model_dump()), origin=call.origin)


@routes.get(
    "/v1/codes",
    rule=user(Function.CODES),
    summary="The codes in the caller's scope, newest first, expired ones included",
    response="CodePage",
    errors=(400, 404),
    query="CodeListQuery",
)
def list_codes(call: Call) -> Page[CodeView]:
    from chalicelib.services.codes.codes import CodeQuery

    query = call.query_model()
    return container().codes.list_page(
        call.principal,
        CodeQuery(
            status=query.status,
            company=query.company,
            account=query.account,
            limit=query.limit,
            cursor=query.cursor,
        ),
    )


@routes.get("/v1/codes/{code_id}", rule=user(Function.CODES), summary="One code", response="Code")
def get_code(call: Call, code_id: str) -> CodeView:
    return container().codes.get(call.principal, code_id)


@routes.delete(
    "/v1/codes/{code_id}",
    rule=user(Function.CODES),
    summary="Revoke a code",
    response="Code",
    errors=(409,),
    description="The value stops working at once; the code stays listed as revoked. Answers 200 with the "
    "revoked code, also when it was revoked already.",
)
def revoke_code(call: Call, code_id: str) -> CodeView:
    return container().codes.revoke(call.principal, code_id, origin=call.origin)


@routes.post(
    "/v1/codes/{code_id}/renew",
    rule=user(Function.CODES),
    summary="Renew a code: a new value for 60 days from now, same representative",
    response="Code",
    errors=(409,),
    description="The old value stops working at once. The new one is mailed to the representative when the "
    "code was created with `notify`. Refused for a revoked code (409 code-revoked), for an organisation that "
    "is not approved (403 organisation-not-approved), and for one of two renewals racing (409 conflict).",
)
def renew_code(call: Call, code_id: str) -> CodeView:
    return container().codes.renew(call.principal, code_id, origin=call.origin)
