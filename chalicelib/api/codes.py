"""Validation codes: what a user with the `codes` function does on the "Godkendelseskode" tab."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictBool

from chalicelib.api.deps import container
from chalicelib.api.paging import ScopedPageQuery
from chalicelib.api.routing import Call, Routes, query_params, user
from chalicelib.fields import AccountNumber, Cvr, Email, PersonName, Strict
from chalicelib.models.code import CodeStatus
from chalicelib.services.authz import Function
from chalicelib.services.codes import CodeQuery, CodeRequest

routes = Routes(__name__, tag="Codes")

Company = Annotated[Cvr, Field(description="The company's CVR number")]
Status = Literal["active", "expired", "revoked"]


class NewCode(Strict):
    first_name: PersonName = Field(description="The representative's first name")
    last_name: PersonName = Field(description="The representative's last name")
    email: Email = Field(description="Where the code is mailed to the representative")
    company: Company
    account: AccountNumber
    language: Literal["da", "en"] = Field(default="da", description="The language of the mail")
    notify: StrictBool = Field(default=True, description="Mail the code to the representative")


class Code(BaseModel):
    code_id: str = Field(description="Names the code in URLs; not the value")
    code: str = Field(
        description="The value a representative pastes into a vendor's form: 8 characters, @, handle"
    )
    status: Status = Field(description="'expired' from the expiry second on, until renewed")
    created_at: str
    expires_at: str = Field(description="60 days after the creation or the latest renewal")
    first_name: str
    last_name: str
    email: str
    company: str
    account: str
    language: str
    notify: bool
    renewed_at: str | None = Field(description="When the current value replaced an earlier one")
    revoked_at: str | None


class CodePage(BaseModel):
    items: list[Code]
    next_cursor: str | None = Field(description="Give as `cursor` for the next page; null on the last page")


class CodeListQuery(ScopedPageQuery):
    status: Status | None = Field(default=None, description="Only codes with this status")


@routes.post(
    "/v1/codes",
    rule=user(Function.CODES),
    summary="Create a code for a representative",
    body=NewCode,
    response=Code,
    status=201,
    errors=(404,),
    description="Under an open account in the caller's scope, for an approved organisation (else 403 "
    "organisation-not-approved). With `notify` (the default) the code is mailed to the representative.",
)
def create_code(call: Call) -> dict[str, Any]:
    body = call.body(NewCode)
    return container().codes.create(call.principal, CodeRequest(**body.model_dump()))


@routes.get(
    "/v1/codes",
    rule=user(Function.CODES),
    summary="The codes in the caller's scope, newest first, expired ones included",
    response=CodePage,
    errors=(400, 404),
    query=query_params(CodeListQuery),
)
def list_codes(call: Call) -> dict[str, Any]:
    query = call.query_model(CodeListQuery)
    return container().codes.list_page(
        call.principal,
        CodeQuery(
            status=None if query.status is None else CodeStatus(query.status),
            company=query.company,
            account=query.account,
            limit=query.limit,
            cursor=query.cursor,
        ),
    )


@routes.get("/v1/codes/{code_id}", rule=user(Function.CODES), summary="One code", response=Code)
def get_code(call: Call, code_id: str) -> dict[str, Any]:
    return container().codes.get(call.principal, code_id)


@routes.delete(
    "/v1/codes/{code_id}",
    rule=user(Function.CODES),
    summary="Revoke a code",
    response=Code,
    errors=(409,),
    description="The value stops working at once; the code stays listed as revoked. Answers 200 with the "
    "revoked code, also when it was revoked already.",
)
def revoke_code(call: Call, code_id: str) -> dict[str, Any]:
    return container().codes.revoke(call.principal, code_id)


@routes.post(
    "/v1/codes/{code_id}/renew",
    rule=user(Function.CODES),
    summary="Renew a code: a new value for 60 days from now, same representative",
    response=Code,
    errors=(409,),
    description="The old value stops working at once. The new one is mailed to the representative when the "
    "code was created with `notify`. Refused for a revoked code (409 code-revoked), for an organisation that "
    "is not approved (403 organisation-not-approved), and for one of two renewals racing (409 conflict).",
)
def renew_code(call: Call, code_id: str) -> dict[str, Any]:
    return container().codes.renew(call.principal, code_id)
