"""The caller's own organisation: its master data, and its audit trail for administrators."""

from __future__ import annotations

from typing import Any

from chalicelib.api.deps import container
from chalicelib.api.routing import Call, Routes, user
from chalicelib.services.authz import Function

routes = Routes(__name__, schemas="chalicelib.api.schemas.organisation", tag="Organisation")


@routes.get(
    "/v1/organisation",
    rule=user(),
    summary="The caller's organisation: master data, and the companies and accounts in their scope",
    response="Organisation",
)
def get_organisation(call: Call) -> dict[str, Any]:
    return container().organisation.describe(call.principal)


@routes.patch(
    "/v1/organisation",
    rule=user(Function.MASTERDATA),
    summary="Change master data: name, address, contact e-mail, company names, accounts",
    body="chalicelib.services.organisation:OrganisationChanges",
    response="Organisation",
    errors=(404, 409),
    description="Only what is given changes. A new account number under a company adds the account; an "
    "existing one is renamed, closed or opened; `remove` deletes a closed account that has never had a "
    "code (an account with codes stays closed: 409 account-has-codes). Renaming a company or adding an "
    "account needs full access to the company. Companies and accounts outside the caller's scope answer "
    "404. The handle does not change with the name.",
)
def change_organisation(call: Call) -> dict[str, Any]:
    changes = call.body()
    return container().organisation.update(call.principal, changes, origin=call.origin)


@routes.get(
    "/v1/organisation/audit",
    rule=user(Function.USERS),
    summary="The organisation's audit trail, newest first",
    response="AuditPage",
    errors=(400,),
    query="chalicelib.api.schemas.paging:PageQuery",
    description="Who did what, when and from where: applications, activation, staff decisions, every change "
    "to a user, master-data changes. Companies and accounts outside the caller's scope are left out.",
)
def list_audit(call: Call) -> dict[str, Any]:
    query = call.query_model()
    from chalicelib.services import audit_trail

    return audit_trail.page(
        call.principal, limit=query.limit, cursor=query.cursor, now=container().clock.now()
    )
