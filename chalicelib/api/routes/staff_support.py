"""Staff: support finds an organisation by CVR number or handle, and sees its logins and its audit trail.

Both are key lookups, never a Scan (chalicelib/services/onboarding/support.py). Organisations are not indexed
by name; the review lists (`GET /v1/staff/organisations?status=…`) show them by name, status by status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.http.callers import STAFF, Call
from chalicelib.api.http.routing import Routes
from chalicelib.container import container

if TYPE_CHECKING:
    from chalicelib.services.access.user_view import UserView
    from chalicelib.services.onboarding.support import Found
    from chalicelib.services.organisation.audit_trail import AuditEntry
    from chalicelib.values.page import Page

routes = Routes(__name__, schemas="chalicelib.api.schemas.staff_support", tag="Staff: support")

PAGE_QUERY = "chalicelib.api.schemas.paging:PageQuery"


@routes.get(
    "/v1/staff/search/organisations",
    rule=STAFF,
    summary="Support: find an organisation by CVR number, handle or the beginning of its name",
    response="SearchResult",
    errors=(400,),
    query="SearchQuery",
    description="A CVR number names one company and so one organisation, a handle names one organisation; "
    "anything else is the beginning of organisations' names (a prefix of the name with case, accents, spaces "
    "and punctuation ignored, æ, ø and å kept), a page at a time by name. An empty list when nothing "
    "matches.",
)
def search_organisations(call: Call) -> Found:
    query = call.query_model()
    return container().support.search(query.q, limit=query.limit, cursor=query.cursor)


@routes.get(
    "/v1/staff/organisations/{org_id}/users",
    rule=STAFF,
    summary="Support: an organisation's logins, by user id",
    response="StaffLoginPage",
    errors=(400, 404),
    query=PAGE_QUERY,
    description="Every login of the organisation, whatever its scope, so that support can find one nobody "
    "can use any more (`DELETE /v1/staff/organisations/{org_id}/users/{user_id}`).",
)
def list_organisation_users(call: Call, org_id: str) -> Page[UserView]:
    query = call.query_model()
    return container().support.logins(org_id, limit=query.limit, cursor=query.cursor)


@routes.get(
    "/v1/staff/organisations/{org_id}/audit",
    rule=STAFF,
    summary="An organisation's audit trail for staff, newest first",
    response="chalicelib.api.schemas.organisation:AuditPage",
    errors=(400, 404),
    query=PAGE_QUERY,
    description="The same trail its administrators see (`GET /v1/organisation/audit`), with every company: "
    "staff's decisions, support's removals and the organisation's own changes.",
)
def organisation_audit(call: Call, org_id: str) -> Page[AuditEntry]:
    query = call.query_model()
    return container().support.audit(org_id, limit=query.limit, cursor=query.cursor)
