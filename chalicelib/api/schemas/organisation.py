"""The bodies, answers and queries of the routes in `chalicelib/api/routes/organisation.py`, as pydantic
models.

Imported when one of those routes first parses a body or a query, or when the OpenAPI document is built;
never by `import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from chalicelib.fields import ActivationCode, CompanyName, NewCvr, Strict


class Address(BaseModel):
    street: str
    postcode: str
    city: str


class Account(BaseModel):
    number: str
    name: str
    status: str = Field(description="'open', or 'closed': no new codes under it; existing ones keep working")


class Company(BaseModel):
    cvr: str
    name: str
    access: str = Field(description="The caller's access: 'full', or 'limited' to the accounts listed")
    accounts: list[Account]


class PendingCompany(BaseModel):
    cvr: str
    name: str
    legal_name: str | None = Field(description="The company register's name")
    proof: str = Field(
        description="'pending': its own letter's code has not been entered yet; 'locked': after too many "
        "wrong tries, so only a new letter (`POST /v1/organisation/companies`) proves it"
    )
    letter_expires_at: str = Field(
        description="When its letter's code expires; after that it is no longer listed, and a new letter "
        "can be asked for"
    )


class Organisation(BaseModel):
    org_id: str
    name: str = Field(description="The display name vendors see (the one staff approved)")
    legal_name: str | None = Field(description="The main company's name in the company register")
    requested_name: str | None = Field(description="A new display name waiting for staff's approval")
    handle: str = Field(description="After the @ in the organisation's codes; fixed at approval")
    status: str
    address: Address | None
    contact_email: str | None
    companies: list[Company] = Field(description="The companies and accounts in the caller's scope")
    pending_companies: list[PendingCompany] = Field(
        description="Subsidiaries named in the application that are not yet proven: no codes, no scope"
    )


class ProofForm(Strict):
    activation_code: ActivationCode = Field(
        description="The code in the letter to the company's official mailbox"
    )


class NewCompany(Strict):
    cvr: NewCvr = Field(description="A company of the group's, as the company register knows it")
    name: CompanyName = Field(description="The name the organisation uses for it")


class NamedCompany(BaseModel):
    cvr: str
    status: str = Field(
        description="'proven': the register names the main company as its owner, so it counts at once; "
        "'pending': a letter with a code goes to its official mailbox"
    )
    letter_expires_at: str | None = Field(description="When the letter's code expires (pending only)")


class ProofOut(BaseModel):
    cvr: str
    status: str = Field(description="'proven'")


class AuditActor(BaseModel):
    kind: str = Field(description="'user', 'staff', 'operator' or 'anonymous'")
    id: str
    name: str | None = Field(
        default=None,
        description="The person's name when they acted (a pseudonym once erased); null in entries written "
        "before names were kept, and for anonymous callers",
    )


class AuditEntry(BaseModel):
    event_id: str
    at: str
    action: str = Field(description="e.g. user.invited, user.updated, user.disabled, organisation.updated")
    actor: AuditActor
    targets: dict[str, str]
    details: dict[str, Any] = Field(description="What changed; companies outside the caller's scope left out")
    names: dict[str, str] = Field(
        default_factory=dict,
        description="Who else the entry is about, by role ('representative', 'organisation', 'user'), as "
        "named when it was written; empty in older entries",
    )
    source_ip: str
    user_agent: str


class AuditPage(BaseModel):
    items: list[AuditEntry]
    next_cursor: str | None = Field(description="Give as `cursor` for the next page; null on the last page")
