"""Vendors validate codes and read their receipts; an organisation sees who validated its codes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, RootModel

from chalicelib.api.deps import container
from chalicelib.api.paging import ScopedPageQuery
from chalicelib.api.routing import VENDOR, Call, Routes, query_params, user
from chalicelib.fields import MAX_PASTED_CODE, PastedCode, Strict
from chalicelib.services.authz import Function
from chalicelib.services.validation import HistoryQuery

routes = Routes(__name__, tag="Validations")

MAX_CODE_INPUT = MAX_PASTED_CODE


class CodeCheck(Strict):
    # Any text is looked up (what is not a code is `unknown`); the service trims it.
    code: PastedCode = Field(
        description="The code as the representative gave it, e.g. `7k2m9xq4@RoedeKorsAarhus`. Whitespace "
        "around it and the case of its letters do not matter.",
    )


class ValidatedOrganisation(BaseModel):
    name: str = Field(description="The display name staff approved; a later change shows once approved")
    legal_name: str = Field(description="The main company's name in the company register")
    cvr: str = Field(description="The organisation's primary CVR number")
    handle: str
    approved_since: str | None = Field(description="When the operator approved the organisation as an NGO")


class Representative(BaseModel):
    first_name: str
    last_name: str


class ValidCode(BaseModel):
    valid: Literal[True]
    validation_id: str = Field(description="Names the receipt: GET /v1/validations/{validation_id}")
    code_expires_at: str
    organisation: ValidatedOrganisation
    representative: Representative


class InvalidCode(BaseModel):
    valid: Literal[False]
    reason: Literal["unknown", "expired", "revoked", "organisation_not_approved"] = Field(
        description="`unknown`: no such code (also one replaced by a renewal, or under another handle); "
        "`organisation_not_approved`: the organisation is pending review, rejected or suspended"
    )


class Validation(RootModel[ValidCode | InvalidCode]):
    """The answer to a check: valid, with whom and until when; or not, and why."""


class Receipt(ValidCode):
    validated_at: str = Field(description="When the check was answered; the answer stands after that")


class HistoryVendor(BaseModel):
    vendor_id: str
    name: str


class HistoryEntry(BaseModel):
    validation_id: str
    validated_at: str
    vendor: HistoryVendor
    code_id: str = Field(description="The code checked, as in /v1/codes/{code_id}")
    company: str
    account: str
    representative: Representative
    code_expires_at: str


class HistoryPage(BaseModel):
    items: list[HistoryEntry]
    next_cursor: str | None = Field(description="Give as `cursor` for the next page; null on the last page")


@routes.post(
    "/v1/validations",
    rule=VENDOR,
    summary="Validate a code, and keep a receipt when it is valid",
    body=CodeCheck,
    response=Validation,
    errors=(429, 503),
    description="Answers 200 whether or not the code is valid. A text that is not a code at all is "
    "`unknown`; a body that breaks the contract (not JSON, no `code`, not a string, empty, over "
    f"{MAX_CODE_INPUT} characters, other fields) is 400. Every answer with `valid: false` counts as a failed "
    "check; a vendor with too many in a sliding window is answered 429 with `Retry-After`, before the code "
    "is looked at.",
)
def validate_code(call: Call) -> dict[str, Any]:
    code = call.body(CodeCheck).code
    return container().validations.validate(call.vendor, code)


@routes.get(
    "/v1/validations/{validation_id}",
    rule=VENDOR,
    summary="One of the vendor's own receipts",
    response=Receipt,
    errors=(503,),
    description="Still there after the code expired, was renewed or revoked. Another vendor's is 404.",
)
def get_validation(call: Call, validation_id: str) -> dict[str, Any]:
    return container().validations.receipt(call.vendor, validation_id)


@routes.get(
    "/v1/organisation/validations",
    rule=user(Function.HISTORY),
    summary="Which vendors validated which of the organisation's codes, newest first",
    response=HistoryPage,
    errors=(400, 404),
    query=query_params(ScopedPageQuery),
    description="Only codes under the companies and accounts in the caller's scope.",
)
def list_validations(call: Call) -> dict[str, Any]:
    query = call.query_model(ScopedPageQuery)
    return container().validations.history(
        call.principal,
        HistoryQuery(company=query.company, account=query.account, limit=query.limit, cursor=query.cursor),
    )
