"""Staff: a person's requests about their data, by e-mail address: access (an export) and erasure.

The address travels in the JSON body, never in the URL: query strings and paths end up in access logs.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from chalicelib.api.deps import container
from chalicelib.api.routing import STAFF, Call, Routes
from chalicelib.fields import Email, Strict

routes = Routes(__name__, tag="Staff: personal data")


class PersonForm(Strict):
    email: Email = Field(description="The person's e-mail address, as representative, applicant or user")


class ExportOut(BaseModel):
    email: str
    exported_at: str
    codes: list[dict[str, Any]] = Field(description="Codes made for the person as representative")
    receipts: list[dict[str, Any]] = Field(description="Vendors' receipts of those codes")
    applications: list[dict[str, Any]] = Field(description="Applications the person made")
    users: list[dict[str, Any]] = Field(description="The person's logins, with what they did signed in")
    mail: list[dict[str, Any]] = Field(description="Mail to the address (kept 90 days)")
    suppression: dict[str, Any] | None = Field(description="Set when mail to the address is suppressed")


class ErasedOut(BaseModel):
    codes: list[str]
    applications: list[str]
    mail: list[str]


class KeptOut(BaseModel):
    active_codes: list[dict[str, Any]] = Field(description="Active codes: revoke them first")
    receipts: list[dict[str, Any]] = Field(description="Receipts keep first and last name until they go")
    users: list[dict[str, Any]] = Field(description="Logins keep their data until they are deleted")
    mail: list[dict[str, Any]] = Field(description="Mail still on its way")
    suppression: dict[str, Any] | None = Field(description="A suppressed address stays suppressed")


class EraseOut(BaseModel):
    email: str
    erased_at: str
    erased: ErasedOut
    kept: KeptOut = Field(description="What was not erased, each with why")


@routes.post(
    "/v1/staff/personal-data/export",
    rule=STAFF,
    summary="Everything Godkend holds about an e-mail address (a person's access request)",
    body=PersonForm,
    response=ExportOut,
    description="Audited in the staff trail under a digest of the address.",
)
def export(call: Call) -> dict[str, Any]:
    email = call.body(PersonForm).email
    return container().personal_data.export(call.principal, email, origin=call.origin)


@routes.post(
    "/v1/staff/personal-data/erase",
    rule=STAFF,
    summary="Erase a person's name and e-mail wherever they need not be kept (a person's erasure request)",
    body=PersonForm,
    response=EraseOut,
    description=(
        "Replaces the representative's name and e-mail on every code that is no longer active, the "
        "applicant on applications never activated, and the recipient of mail already handled, with a "
        "marker. Active codes, receipts (the vendor's evidence), logins, mail on its way and a suppression "
        "are kept; the answer lists each with why. Audited."
    ),
)
def erase(call: Call) -> dict[str, Any]:
    email = call.body(PersonForm).email
    return container().personal_data.erase(call.principal, email, origin=call.origin)
