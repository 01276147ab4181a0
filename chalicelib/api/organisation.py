"""The caller's own organisation: its master data, and its audit trail for administrators."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from chalicelib.api.deps import container
from chalicelib.api.paging import PageQuery
from chalicelib.api.routing import Call, Routes, query_params, user
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


class Organisation(BaseModel):
    org_id: str
    name: str
    handle: str = Field(description="After the @ in the organisation's codes; fixed at approval")
    status: str
    address: Address | None
    contact_email: str | None
    companies: list[Company] = Field(description="The companies and accounts in the caller's scope")


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
    "404. The handle does not change with the name.",
)
def change_organisation(call: Call) -> dict[str, Any]:
    changes = call.body(OrganisationChanges)
    return container().organisation.update(call.principal, changes, origin=call.origin)


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
