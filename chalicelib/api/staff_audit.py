"""Staff: the operator's own audit trail (vendors and their keys, mail replays, personal-data requests)."""

from __future__ import annotations

from typing import Any

from chalicelib.api.deps import container
from chalicelib.api.organisation import AuditPage
from chalicelib.api.paging import PageQuery
from chalicelib.api.routing import STAFF, Call, Routes, query_params
from chalicelib.services import audit_trail

routes = Routes(__name__, tag="Staff")


@routes.get(
    "/v1/staff/audit",
    rule=STAFF,
    summary="The staff trail: what staff did outside any organisation, newest first",
    response=AuditPage,
    errors=(400,),
    query=query_params(PageQuery),
    description="Vendors created, keys issued and revoked, parked mail replayed. Decisions about an "
    "organisation are in that organisation's own trail.",
)
def list_staff_audit(call: Call) -> dict[str, Any]:
    query = call.query_model(PageQuery)
    return audit_trail.staff_page(limit=query.limit, cursor=query.cursor, now=container().clock.now())
