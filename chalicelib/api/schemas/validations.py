"""The bodies, answers and queries of the routes in `chalicelib/api/routes/validations.py`, as pydantic
models.

Imported when one of those routes first parses a body or a query, or when the OpenAPI document is built;
never by `import app`, so a cold start does not pay for pydantic. Each model is built when first used
(`defer_build`), so a vendor's check does not build the receipt's and the history's models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from chalicelib.api.routes.validations import MAX_CODE_INPUT
from chalicelib.fields import MAX_PASTED_CODE, PastedCode, Strict

if MAX_CODE_INPUT != MAX_PASTED_CODE:
    raise RuntimeError(
        "MAX_CODE_INPUT in chalicelib/api/routes/validations.py must equal fields.MAX_PASTED_CODE"
    )


LIVEMODE = (
    "`true`: checked with a live key, against a real code; `false`: checked with a test key (`gkv_test_…`), "
    "against a documented test code (GET /v1/test-codes)"
)


class CodeCheck(Strict):
    # Any text is looked up (what is not a code is `unknown`); the service trims it.
    code: PastedCode = Field(
        description="The code as the representative gave it, e.g. `7k2m9xq4@RoedeKorsAarhus`. Whitespace "
        "around it and the case of its letters do not matter.",
    )


class Answer(BaseModel):
    model_config = ConfigDict(defer_build=True)


class ValidatedOrganisation(Answer):
    name: str = Field(description="The display name staff approved; a later change shows once approved")
    legal_name: str = Field(description="The main company's name in the company register")
    cvr: str = Field(description="The organisation's primary CVR number")
    handle: str
    approved_since: str | None = Field(description="When the operator approved the organisation as an NGO")


class Representative(Answer):
    first_name: str
    last_name: str


class ValidCode(Answer):
    valid: Literal[True]
    validation_id: str = Field(description="Names the receipt: GET /v1/validations/{validation_id}")
    code_expires_at: str
    organisation: ValidatedOrganisation
    representative: Representative
    livemode: bool = Field(description=LIVEMODE)
    receipt: str = Field(
        description="A compact JWS (EdDSA; `kid` in its header) over what this answer says: `sub` the "
        "validation id, `aud` the vendor id, `iat` when it was validated, `iss` this API's address, then "
        "`validated_at`, `code_expires_at`, `organisation`, `representative` and `livemode`. Verify it "
        "offline against GET /.well-known/jwks.json (docs/vendor-guide.md)."
    )


class InvalidCode(Answer):
    valid: Literal[False]
    reason: Literal["unknown", "expired", "revoked", "organisation_not_approved"] = Field(
        description="`unknown`: no such code (also one replaced by a renewal, or under another handle); "
        "`organisation_not_approved`: the organisation is pending review, rejected or suspended"
    )
    livemode: bool = Field(description=LIVEMODE)


class Validation(RootModel[ValidCode | InvalidCode]):
    """The answer to a check: valid, with whom and until when; or not, and why."""

    model_config = ConfigDict(defer_build=True)


class TestCodeFacts(Answer):
    """A valid test code's answer, less what differs with every check (`validation_id`, `receipt`)."""

    valid: Literal[True]
    code_expires_at: str
    organisation: ValidatedOrganisation
    representative: Representative
    livemode: Literal[False]


class TestCodeAnswer(RootModel[TestCodeFacts | InvalidCode]):
    """What POST /v1/validations answers a test key for the code."""

    model_config = ConfigDict(defer_build=True)


class TestCode(Answer):
    code: str = Field(description="A documented test code, e.g. `valid000@GodkendTest`")
    answer: TestCodeAnswer


class TestCodes(Answer):
    items: list[TestCode] = Field(
        description="One code for each answer: valid, expired, revoked, unknown, organisation_not_approved. "
        "Every other code is `unknown` to a test key."
    )


class Receipt(ValidCode):
    validated_at: str = Field(description="When the check was answered; the answer stands after that")


class HistoryVendor(Answer):
    vendor_id: str
    name: str


class HistoryEntry(Answer):
    validation_id: str
    validated_at: str
    vendor: HistoryVendor
    code_id: str = Field(description="The code checked, as in /v1/codes/{code_id}")
    company: str = Field(description="The company's CVR number")
    account: str = Field(description="The account's number")
    company_name: str | None = Field(
        default=None, description="The company's name now; null once it has left the organisation"
    )
    account_name: str | None = Field(
        default=None, description="The account's name now; null once it has been removed"
    )
    representative: Representative
    code_expires_at: str


class HistoryPage(Answer):
    items: list[HistoryEntry]
    next_cursor: str | None = Field(description="Give as `cursor` for the next page; null on the last page")
