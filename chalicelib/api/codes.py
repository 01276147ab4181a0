"""Validation codes: what a user with the `codes` function does on the "Godkendelseskode" tab."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool

from chalicelib.api.deps import container
from chalicelib.api.paging import CVR_PATTERN, ScopedPageQuery
from chalicelib.api.routing import Call, Routes, query_params, user
from chalicelib.models.code import CodeStatus
from chalicelib.services.authz import Function
from chalicelib.services.codes import CodeQuery, CodeRequest

routes = Routes(__name__, tag="Codes")

# Addresses SES can deliver to: an ASCII local part and a domain of dot-separated labels.
EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def _printable(value: str) -> str:
    # Names end up in mail headers and greetings: no line breaks or other control characters.
    if any(unicodedata.category(c).startswith("C") for c in value):
        raise ValueError("must not contain line breaks or other control characters")
    return value


def _email(value: str) -> str:
    if not EMAIL.match(value):
        raise ValueError("is not an e-mail address")
    return value


Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_printable)]
Email = Annotated[str, Field(min_length=3, max_length=254), AfterValidator(_email)]
Company = Annotated[str, Field(pattern=CVR_PATTERN, description="The company's CVR number (8 digits)")]
AccountNumber = Annotated[
    str,
    Field(min_length=1, max_length=40, description="An account number of the company"),
    AfterValidator(_printable),
]
Status = Literal["active", "expired", "revoked"]


class NewCode(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    first_name: Name = Field(description="The representative's first name")
    last_name: Name = Field(description="The representative's last name")
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
