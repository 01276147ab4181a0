"""Staff: the operator's own people, and offboarding one of them.

A removed member's every token answers 401 on its next request, on every route (the record is read on
every request, and staff tokens are also asked about at Cognito). The record stays, as `removed`, so the
staff trail keeps naming who did what.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.http.callers import STAFF, Call
from chalicelib.api.http.routing import Routes
from chalicelib.container import container

if TYPE_CHECKING:
    from chalicelib.services.access.user_view import UserView
    from chalicelib.values.page import Page

routes = Routes(__name__, schemas="chalicelib.api.schemas.staff_members", tag="Staff: members")


@routes.get(
    "/v1/staff/members",
    rule=STAFF,
    summary="The staff, by user id, removed members included",
    response="StaffMemberPage",
    errors=(400,),
    query="chalicelib.api.schemas.paging:PageQuery",
)
def list_staff_members(call: Call) -> Page[UserView]:
    query = call.query_model()
    return container().staff.page(limit=query.limit, cursor=query.cursor)


@routes.delete(
    "/v1/staff/members/{user_id}",
    rule=STAFF,
    summary="Offboard a staff member: every token they hold answers 401 at once",
    body="RemovalForm",
    response="StaffMember",
    errors=(409, 503),
    description=(
        "By another staff member (removing yourself is 403). The record becomes `removed` and every session "
        "ends, written to the staff trail with who and why; then the Cognito login is disabled and signed "
        "out. If Cognito could not be told (503), ask again: a removed member's login is finished off and "
        "the trail is not written twice. The reason travels in a JSON body rather than the query string: "
        "it is free text about a person, and query strings end up in access logs."
    ),
)
def remove_staff_member(call: Call, user_id: str) -> UserView:
    reason = call.body().reason
    return container().staff.remove_by_staff(
        call.principal.user_id, user_id, reason=reason, origin=call.origin
    )
