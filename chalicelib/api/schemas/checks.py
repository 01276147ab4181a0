"""The bodies and answers of the routes in `chalicelib/api/routes/checks.py` (the hosted check and the
vendor's redirect origins), as pydantic models.

Imported when one of those routes first parses a body, or when the OpenAPI document is built; never by
`import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.api.schemas.validations import LIVEMODE, Receipt, Representative
from chalicelib.fields import PastedCode, Strict

CHECK_ID = "The check's id, as the fragment of its `url` gives it"
CheckId = Annotated[str, Field(min_length=1, max_length=64, description=CHECK_ID)]


class NewCheck(Strict):
    redirect_url: str = Field(
        min_length=1,
        max_length=2000,
        description="Where the browser goes back to when the code is confirmed: on an origin the vendor "
        "registered (PUT /v1/vendor/redirect-origins), https (http only on localhost or 127.0.0.1), without "
        "a fragment. Godkend adds `#check_id=…&receipt=…`.",
    )
    reference: str | None = Field(
        default=None, max_length=200, description="The vendor's own reference (an order, a session)"
    )


class Answer(BaseModel):
    model_config = ConfigDict(defer_build=True)


class CreatedCheck(Answer):
    check_id: str
    url: str = Field(
        description="Send the representative's browser here: Godkend's page, the check's id in the fragment"
    )
    expires_at: str = Field(description="The check can be used until then (an hour)")


class Check(Answer):
    check_id: str
    status: Literal["pending", "completed", "failed", "expired"]
    reference: str | None
    redirect_url: str
    livemode: bool = Field(description=LIVEMODE)
    created_at: str
    expires_at: str
    completed_at: str | None = None
    failed_at: str | None = Field(default=None, description="Once failed: when")
    failure_reason: Literal["too_many_wrong_codes"] | None = Field(
        default=None,
        description="Once failed, why: `too_many_wrong_codes`, the check took as many codes that are not "
        "valid as one check may (5); the representative was told to start again at the vendor's",
    )
    validation_id: str | None = Field(
        default=None, description="Once completed: the receipt, GET /v1/validations/{validation_id}"
    )
    result: Receipt | None = Field(
        default=None, description="Once completed: the receipt's answer, as POST /v1/validations gave it"
    )


class PageRequest(Strict):
    check_id: CheckId


class PageCode(Strict):
    check_id: CheckId
    code: PastedCode = Field(description="The code as the representative pasted it")


class PageCheck(Answer):
    vendor_name: str = Field(description="Whom the representative is showing the code to")
    expires_at: str
    livemode: bool = Field(description=LIVEMODE)


class PreviewOrganisation(Answer):
    name: str


class Preview(Answer):
    valid: bool
    reason: Literal["unknown", "expired", "revoked", "organisation_not_approved"] | None = None
    organisation: PreviewOrganisation | None = None
    representative: Representative | None = None


class Confirmation(Answer):
    valid: bool
    reason: Literal["unknown", "expired", "revoked", "organisation_not_approved"] | None = None
    redirect_to: str | None = Field(
        default=None,
        description="Send the browser here: the vendor's `redirect_url` with `#check_id=…&receipt=…`",
    )


class RedirectOrigins(Strict):
    origins: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        max_length=5,
        description="Each exactly `scheme://host[:port]`: https, or http on localhost or 127.0.0.1",
    )
