"""The caller's own organisation: its master data, and its audit trail for administrators."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from chalicelib.api.deps import container
from chalicelib.api.paging import PageQuery
from chalicelib.api.routing import Call, Routes, query_params, user
from chalicelib.fields import ActivationCode, Strict
from chalicelib.services import audit_trail
from chalicelib.services.authz import Function
from chalicelib.services.organisation import OrganisationChanges

routes = Routes(__name__, tag="Organisation")


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
    proof: str = Field(description="'pending': its own letter's code has not been entered yet")


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


class ProofOut(BaseModel):
    cvr: str
    status: str = Field(description="'proven'")


class AuditActor(BaseModel):
    kind: str = Field(description="'user', 'staff' or 'anonymous'")
    id: str


class AuditEntry(BaseModel):
    event_id: str
    at: str
    action: str = Field(description="e.g. user.invited, user.updated, user.disabled, organisation.updated")
    actor: AuditActor
    targets: dict[str, str]
    details: dict[str, Any] = Field(description="What changed; companies outside the caller's scope left out")
    source_ip: str
    user_agent: str


class AuditPage(BaseModel):
    items: list[AuditEntry]
    next_cursor: str | None = Field(description="Give as `cursor` for the next page; null on the last page")


@routes.get(
    "/v1/organisation",
    rule=user(),
    summary="The caller's organisation: master data, and the companies and accounts in their scope",
    response=Organisation,
)
def get_organisation(call: Call) -> dict[str, Any]:
    return container().organisation.describe(call.principal)


@routes.patch(
    "/v1/organisation",
    rule=user(Function.MASTERDATA),
    summary="Change master data: name, address, contact e-mail, company names, accounts",
    body=OrganisationChanges,
    response=Organisation,
    errors=(404, 409),
    description="Only what is given changes. A new account number under a company adds the account; an "
    "existing one is renamed, closed or opened; `remove` deletes a closed account that has never had a "
    "code (an account with codes stays closed: 409 account-has-codes). Renaming a company or adding an "
    "account needs full access to the company. Companies and accounts outside the caller's scope answer "
    "404. The handle does not change with the name. Changing the name needs full access to the main "
    "company; once the organisation is approved, a new name is a request that staff approve or refuse, and "
    "vendors see the approved name until then (`requested_name`).",
)
def change_organisation(call: Call) -> dict[str, Any]:
    changes = call.body(OrganisationChanges)
    return container().organisation.update(call.principal, changes, origin=call.origin)


@routes.post(
    "/v1/organisation/companies/{cvr}/proof",
    rule=user(Function.USERS),
    summary="Prove a subsidiary with the code from the letter to its own official mailbox",
    body=ProofForm,
    response=ProofOut,
    errors=(404, 409, 423),
    description="The company then belongs to the organisation (with a default account when it has none), "
    "and the administrator who proved it gets full access to it. The code is single-use, expires and locks "
    "after 5 wrong tries. 404 when no company with this CVR is waiting for proof in the organisation; "
    "409 when another organisation proved it first (this claim is then dropped).",
)
def prove_company(call: Call, cvr: str) -> dict[str, Any]:
    code = call.body(ProofForm).activation_code
    return container().proofs.prove(call.principal, cvr, code, origin=call.origin)


@routes.get(
    "/v1/organisation/audit",
    rule=user(Function.USERS),
    summary="The organisation's audit trail, newest first",
    response=AuditPage,
    errors=(400,),
    query=query_params(PageQuery),
    description="Who did what, when and from where: applications, activation, staff decisions, every change "
    "to a user, master-data changes. Companies and accounts outside the caller's scope are left out.",
)
def list_audit(call: Call) -> dict[str, Any]:
    query = call.query_model(PageQuery)
    return audit_trail.page(
        call.principal, limit=query.limit, cursor=query.cursor, now=container().clock.now()
    )
