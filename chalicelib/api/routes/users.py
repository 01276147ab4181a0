"""Colleagues: what an administrator (a user with the `users` function) does on "Selvbetjeningsbrugere"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.http.callers import Call, user
from chalicelib.api.http.routing import Routes
from chalicelib.container import container
from chalicelib.services.access.authz import Function

if TYPE_CHECKING:
    from chalicelib.services.people.colleagues import ColleagueView
    from chalicelib.values.page import Page

routes = Routes(__name__, schemas="chalicelib.api.schemas.users", tag="Users")


USERS = user(Function.USERS)
SCOPE_RULES = (
    "An administrator grants only functions they hold and companies and accounts they see (404 for a company "
    "or account outside their scope, as if it did not exist; 403 for a function or full access they lack), "
    "and changes only users whose access lies within their own (else 403; see `within_your_scope`)."
)


INVITATION_LIMITS = (
    " Invitations, new and sent again, are limited per inviting person and per organisation in a sliding day "
    "(`GODKEND_INVITATIONS_PER_PERSON_PER_DAY`, `GODKEND_INVITATIONS_PER_GROUP_PER_DAY`): beyond that 429 "
    "with Retry-After, and nothing is sent or written."
)


@routes.post(
    "/v1/users",
    rule=USERS,
    summary="Create a colleague's login; they are mailed an invitation at once",
    body="chalicelib.services.people.colleagues:NewColleague",
    response="User",
    status=201,
    errors=(404, 429),
    description="The user starts 'invited': the mail states the username and a single-use invitation code, "
    "valid 7 days, which they accept at POST /v1/invitations/accept with a password of their own. "
    + SCOPE_RULES
    + INVITATION_LIMITS,
)
def create_user(call: Call) -> ColleagueView:
    return container().colleagues.create(call.principal, call.body(), origin=call.origin)


@routes.get(
    "/v1/users",
    rule=USERS,
    summary="The organisation's users, a page at a time (by user id)",
    response="UserPage",
    errors=(400,),
    query="chalicelib.api.schemas.paging:PageQuery",
    description="Every user of the organisation, each with their scope cut to what the caller sees.",
)
def list_users(call: Call) -> Page[ColleagueView]:
    query = call.query_model()
    return container().colleagues.page(call.principal, limit=query.limit, cursor=query.cursor)


@routes.get("/v1/users/{user_id}", rule=USERS, summary="One user of the organisation", response="User")
def get_user(call: Call, user_id: str) -> ColleagueView:
    return container().colleagues.get(call.principal, user_id)


@routes.patch(
    "/v1/users/{user_id}",
    rule=USERS,
    summary="Change a user: names, contact, functions, scope, or disable and enable their login",
    body="chalicelib.services.people.colleagues:ColleagueChanges",
    response="User",
    errors=(409, 503),
    description="Only the fields given change. 'disabled' signs the user out everywhere at once. Taking the "
    "'users' function from, or disabling, the organisation's last active administrator is refused (409 "
    "last-administrator). An invited user has no login to disable yet (409). If the identity provider "
    "cannot be told, the change is saved and the answer is 503: send the same change again. " + SCOPE_RULES,
)
def change_user(call: Call, user_id: str) -> ColleagueView:
    changes = call.body()
    return container().colleagues.update(call.principal, user_id, changes, origin=call.origin)


@routes.delete(
    "/v1/users/{user_id}",
    rule=USERS,
    summary="Delete a user and their login",
    status=204,
    errors=(409,),
    description="The record and the login go; a pending invitation stops working. The last active "
    "administrator cannot be deleted (409 last-administrator).",
)
def delete_user(call: Call, user_id: str) -> None:
    container().colleagues.delete(call.principal, user_id, origin=call.origin)


@routes.post(
    "/v1/users/{user_id}/invitation",
    rule=USERS,
    summary="Send an invited user a new invitation; the previous code stops working at once",
    response="User",
    status=201,
    errors=(409, 429),
    description="Only while the user is 'invited' (else 409). The new code is valid 7 days."
    + INVITATION_LIMITS,
)
def resend_invitation(call: Call, user_id: str) -> ColleagueView:
    return container().colleagues.resend(call.principal, user_id, origin=call.origin)
