"""Staff: support finds an organisation by CVR number or handle, and sees its logins and its audit trail.

Both are key lookups, never a Scan: a CVR number is the companies table's key (any company of a group leads
to its organisation), a handle the handles table's (reserved when an organisation is first approved).
Organisations are not indexed by name; the review lists (`GET /v1/staff/organisations?status=…`) show them
by name, status by status.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from chalicelib.api.http.callers import STAFF, Call
from chalicelib.api.http.routing import Routes
from chalicelib.api.routes.staff_organisations import _organisation
from chalicelib.clock import isoformat
from chalicelib.container import container
from chalicelib.errors import NotFound

if TYPE_CHECKING:
    from chalicelib.models.user import UserModel

routes = Routes(__name__, schemas="chalicelib.api.schemas.staff_support", tag="Staff: support")

CVR = re.compile(r"^\d{8}$")
USERS_INDEX = "users.by-org"
USERS_CURSOR_KEYS = frozenset({"org_id", "user_id"})
PAGE_QUERY = "chalicelib.api.schemas.paging:PageQuery"


def _found(q: str) -> tuple[str | None, str | None]:
    """(org_id, what matched) for a CVR number or a handle."""
    from chalicelib.models.handle import owner_of
    from chalicelib.models.organisation import CompanyModel

    compact = q.replace(" ", "")
    if CVR.match(compact):
        try:
            return CompanyModel.get(compact).org_id, "cvr"
        except CompanyModel.DoesNotExist:
            return None, None
    org_id = owner_of(q.removeprefix("@"))
    return (org_id, "handle") if org_id else (None, None)


@routes.get(
    "/v1/staff/search/organisations",
    rule=STAFF,
    summary="Support: find an organisation by CVR number or handle",
    response="SearchResult",
    errors=(400,),
    query="SearchQuery",
    description="Answers at most one organisation: a CVR number names one company and so one organisation, "
    "a handle names one organisation. An empty list when nothing matches.",
)
def search_organisations(call: Call) -> dict[str, Any]:
    from chalicelib.models.organisation import get_organisation

    query = call.query_model()
    org_id, matched = _found(query.q)
    organisation = get_organisation(org_id) if org_id else None
    if organisation is None:
        return {"items": [], "matched": None}
    return {"items": [_organisation(organisation)], "matched": matched}


def _login(user: UserModel) -> dict[str, Any]:
    from chalicelib.models.user import ADMINISTRATOR_FUNCTION

    functions = list(user.functions or [])
    return {
        "user_id": user.user_id,
        "username": user.user_id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "mobile": user.mobile,
        "status": user.status,
        "functions": functions,
        "administrator": ADMINISTRATOR_FUNCTION in functions,
        "second_factor_enrolled": bool(user.second_factor_enrolled),
        "created_at": isoformat(user.created_at),
    }


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
def list_organisation_users(call: Call, org_id: str) -> dict[str, Any]:
    from chalicelib.models.organisation import get_organisation
    from chalicelib.models.paging import InvalidCursor, bad_cursor, encode_cursor, resume_key
    from chalicelib.models.user import UserKind, users_page

    query = call.query_model()
    if get_organisation(org_id) is None:
        raise NotFound("No such organisation.")
    try:
        start = (
            resume_key(
                query.cursor, index=USERS_INDEX, key_names=USERS_CURSOR_KEYS, partition=("org_id", org_id)
            )
            if query.cursor
            else None
        )
    except InvalidCursor as exc:
        raise bad_cursor(exc) from exc
    users, last = users_page(org_id, limit=query.limit, start=start)
    return {
        "items": [_login(u) for u in users if u.kind == UserKind.MEMBER.value],
        "next_cursor": encode_cursor(USERS_INDEX, last) if last else None,
    }


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
def organisation_audit(call: Call, org_id: str) -> dict[str, Any]:
    from chalicelib.models.organisation import get_organisation
    from chalicelib.services.organisation import audit_trail

    query = call.query_model()
    if get_organisation(org_id) is None:
        raise NotFound("No such organisation.")
    return audit_trail.organisation_page_for_staff(
        org_id, limit=query.limit, cursor=query.cursor, now=container().clock.now()
    )
