"""Staff: the operator's own people, and offboarding one of them.

A removed member's every token answers 401 on its next request, on every route (the record is read on
every request, and staff tokens are also asked about at Cognito). The record stays, as `removed`, so the
staff trail keeps naming who did what.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.api.http.callers import STAFF, Call
from chalicelib.api.http.routing import Routes
from chalicelib.clock import isoformat
from chalicelib.container import container

if TYPE_CHECKING:
    from chalicelib.models.user import UserModel

routes = Routes(__name__, schemas="chalicelib.api.schemas.staff_members", tag="Staff: members")

ROSTER_INDEX = "users.by-roster"
ROSTER_CURSOR_KEYS = frozenset({"roster", "user_id"})


def _member(user: UserModel) -> dict[str, Any]:
    return {
        "user_id": user.user_id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "status": user.status,
        "created_at": isoformat(user.created_at),
        "changed_at": isoformat(user.updated_at or user.created_at),
    }


@routes.get(
    "/v1/staff/members",
    rule=STAFF,
    summary="The staff, by user id, removed members included",
    response="StaffMemberPage",
    errors=(400,),
    query="chalicelib.api.schemas.paging:PageQuery",
)
def list_staff_members(call: Call) -> dict[str, Any]:
    from chalicelib.models.paging import InvalidCursor, bad_cursor, encode_cursor, resume_key
    from chalicelib.models.user import STAFF_ROSTER

    query = call.query_model()
    try:
        start = (
            resume_key(
                query.cursor,
                index=ROSTER_INDEX,
                key_names=ROSTER_CURSOR_KEYS,
                partition=("roster", STAFF_ROSTER),
            )
            if query.cursor
            else None
        )
    except InvalidCursor as exc:
        raise bad_cursor(exc) from exc
    members, last = container().staff.page(limit=query.limit, start=start)
    return {
        "items": [_member(member) for member in members],
        "next_cursor": encode_cursor(ROSTER_INDEX, last) if last else None,
    }


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
def remove_staff_member(call: Call, user_id: str) -> dict[str, Any]:
    from chalicelib.models.audit import Actor, ActorKind

    reason = call.body().reason
    removed = container().staff.remove(
        Actor(ActorKind.STAFF, call.principal.user_id), user_id, reason=reason, origin=call.origin
    )
    return _member(removed)
