"""Staff: the operator's own audit trail (vendors and their keys, mail replays, personal-data requests)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.http.callers import STAFF, Call
from chalicelib.api.http.routing import Routes
from chalicelib.container import container

if TYPE_CHECKING:
    from chalicelib.services.organisation.audit_trail import AuditEntry
    from chalicelib.values.page import Page

routes = Routes(__name__, tag="Staff")


@routes.get(
    "/v1/staff/audit",
    rule=STAFF,
    summary="The staff trail: what staff did outside any organisation, newest first",
    response="chalicelib.api.schemas.organisation:AuditPage",
    errors=(400,),
    query="chalicelib.api.schemas.paging:PageQuery",
    description="Vendors created, keys issued and revoked, parked mail replayed. Decisions about an "
    "organisation are in that organisation's own trail.",
)
def list_staff_audit(call: Call) -> Page[AuditEntry]:
    query = call.query_model()
    from chalicelib.services.organisation import audit_trail

    return audit_trail.staff_page(limit=query.limit, cursor=query.cursor, now=container().clock.now())
