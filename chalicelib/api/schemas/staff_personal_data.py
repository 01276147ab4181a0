"""The bodies and answers of the routes in `chalicelib/api/routes/staff_personal_data.py`, as pydantic models.

Imported when one of those routes first parses a body, or when the OpenAPI document is built; never by
`import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from chalicelib.fields import Email, Strict


class PersonForm(Strict):
    email: Email = Field(description="The person's e-mail address, as representative, applicant or user")


class ExportOut(BaseModel):
    email: str
    exported_at: str
    codes: list[dict[str, Any]] = Field(description="Codes made for the person as representative")
    receipts: list[dict[str, Any]] = Field(description="Vendors' receipts of those codes")
    applications: list[dict[str, Any]] = Field(description="Applications the person made")
    users: list[dict[str, Any]] = Field(description="The person's logins, with what they did signed in")
    former_logins: list[dict[str, Any]] = Field(
        description="Logins of theirs that were deleted: what they did signed in, kept in the audit trail"
    )
    audit: list[dict[str, Any]] = Field(
        description="Entries about the person in organisations' audit trails (invited, changed, deleted)"
    )
    mail: list[dict[str, Any]] = Field(
        description="Mail to the address, and mail naming the person to somebody else (a letter's applicant, "
        "a colleague): `about_you` holds what names them; kept 90 days"
    )
    organisations: list[dict[str, Any]] = Field(
        description="Organisations the person applied for, or whose contact address is theirs"
    )
    vendors: list[dict[str, Any]] = Field(description="Vendors whose contact address is theirs")
    suppression: dict[str, Any] | None = Field(description="Set when mail to the address is suppressed")
    support_cases: list[dict[str, Any]] = Field(
        description="Support cases filed from the address, with staff's answers; kept 12 months"
    )


class ErasedOut(BaseModel):
    codes: list[str]
    applications: list[str]
    mail: list[str]
    audit: list[str] = Field(description="Audit entries (event ids) now naming a pseudonym")
    organisations: list[str] = Field(description="Organisations that no longer name the person as applicant")
    support_cases: list[str] = Field(description="Support cases deleted (their references)")


class KeptOut(BaseModel):
    active_codes: list[dict[str, Any]] = Field(description="Active codes: revoke them first")
    receipts: list[dict[str, Any]] = Field(description="Receipts keep first and last name until they go")
    users: list[dict[str, Any]] = Field(description="Logins keep their data until they are deleted")
    applications: list[dict[str, Any]] = Field(description="Applications a login still in use was made from")
    organisations: list[dict[str, Any]] = Field(
        description="An organisation's applicant (while their login exists) and its contact address"
    )
    mail: list[dict[str, Any]] = Field(description="Mail still on its way")
    vendors: list[dict[str, Any]] = Field(description="Vendors whose contact address is theirs")
    activity: list[dict[str, Any]] = Field(
        description="What deleted logins of theirs did, under the login's id, for accountability"
    )
    changed_meanwhile: list[dict[str, Any]] = Field(
        description="Items another writer changed while they were being erased: ask again"
    )
    suppression: dict[str, Any] | None = Field(description="A suppressed address stays suppressed")


class EraseOut(BaseModel):
    email: str
    erased_at: str
    erased: ErasedOut
    kept: KeptOut = Field(description="What was not erased, each with why")
