"""Staff members: a record of kind `staff` and a Cognito login in the `staff` group, both needed to reach the
staff routes. Made by the operator (`make staff`), and by the local stack's demo seed, through this one
function; the service itself has no route that makes staff.

A member leaves through `StaffService.remove`, asked by another staff member
(`DELETE /v1/staff/members/{user_id}`) or by the operator (`make staff-remove`). The record goes first: it
becomes `removed` and ends every session in one transaction with the staff trail's entry, so every token
the member holds answers 401 on its very next request; then the login is disabled and signed out at
Cognito. If Cognito cannot be told, the same removal can be asked again: it finds the record removed and
finishes the login's part. The record stays, so the trail keeps naming who did what.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pynamodb.exceptions import TransactWriteError

from chalicelib.clock import Clock
from chalicelib.errors import Conflict, Forbidden, NotFound
from chalicelib.models.audit import (
    STAFF_TRAIL,
    Actor,
    ActorKind,
    AuditAction,
    AuditEvent,
    Origin,
    audit_record,
)
from chalicelib.models.base import transaction
from chalicelib.models.paging import encode_cursor, page_start
from chalicelib.models.user import (
    STAFF_ROSTER,
    UserKind,
    UserModel,
    UserStatus,
    end_sessions,
    get_user,
    staff_page,
)
from chalicelib.services.access.user_view import UserView, user_view
from chalicelib.settings import STAFF_GROUP
from chalicelib.values.page import Page

ROSTER_INDEX = "users.by-roster"
ROSTER_CURSOR_KEYS = frozenset({"roster", "user_id"})


class StaffLogins(Protocol):
    def create_login(
        self, *, username: str, email: str, mobile: str, password: str, permanent: bool = True
    ) -> None: ...

    def add_to_group(self, username: str, group: str) -> None: ...

    def delete_login(self, username: str) -> None: ...


class StaffOffboarding(Protocol):
    def disable_login(self, username: str) -> None: ...


@dataclass(frozen=True)
class StaffMember:
    first_name: str
    last_name: str
    email: str
    mobile: str


def add_staff_member(
    logins: StaffLogins,
    person: StaffMember,
    *,
    password: str,
    now: datetime,
    user_id: str | None = None,
    temporary_password: bool = False,
    group: str = STAFF_GROUP,
) -> UserModel:
    """The record first, then the login and its group; if Cognito refuses, neither is left behind."""
    user = UserModel(
        user_id or str(uuid.uuid4()),
        kind=UserKind.STAFF.value,
        org_id=None,
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email.strip().lower(),
        mobile=person.mobile,
        functions=[],
        companies=[],
        created_at=now,
    )
    user.save(condition=UserModel.user_id.does_not_exist())
    try:
        logins.create_login(
            username=user.user_id,
            email=user.email,
            mobile=user.mobile,
            password=password,
            permanent=not temporary_password,
        )
        logins.add_to_group(user.user_id, group)
    except Exception:
        logins.delete_login(user.user_id)
        user.delete()
        raise
    return user


class StaffService:
    def __init__(self, *, logins: StaffOffboarding, clock: Clock) -> None:
        self._logins = logins
        self._clock = clock

    def page(self, *, limit: int, cursor: str | None) -> Page[UserView]:
        """The staff, removed ones included (the trail names them), by user id."""
        start = page_start(
            cursor, index=ROSTER_INDEX, key_names=ROSTER_CURSOR_KEYS, partition=("roster", STAFF_ROSTER)
        )
        members, last = staff_page(limit=limit, start=start)
        return Page(
            [user_view(member) for member in members], encode_cursor(ROSTER_INDEX, last) if last else None
        )

    def remove_by_staff(self, staff_id: str, user_id: str, *, reason: str, origin: Origin) -> UserView:
        """Offboarding asked by another staff member, through the API."""
        return user_view(self.remove(Actor(ActorKind.STAFF, staff_id), user_id, reason=reason, origin=origin))

    def remove(self, actor: Actor, user_id: str, *, reason: str, origin: Origin) -> UserModel:
        """Offboard a staff member; answers the record as it is now. Asked again for a member already
        removed, it finishes the login's part and writes no second trail entry."""
        member = get_user(user_id)
        if member is None or member.kind != UserKind.STAFF.value:
            raise NotFound("No such staff member.")
        if actor.kind is ActorKind.STAFF and actor.id == member.user_id:
            raise Forbidden("A staff member cannot remove themself; ask another staff member.")
        if member.status != UserStatus.REMOVED.value:
            self._remove_record(member, actor, reason, origin)
        self._logins.disable_login(member.user_id)
        removed = get_user(user_id)
        if removed is None:
            raise NotFound("No such staff member.")
        return removed

    def _remove_record(self, member: UserModel, actor: Actor, reason: str, origin: Origin) -> None:
        now = self._clock.now()
        event = AuditEvent(
            STAFF_TRAIL,
            AuditAction.STAFF_REMOVED,
            actor,
            origin,
            targets={"user_id": member.user_id},
            details={"reason": reason},
        )
        try:
            with transaction() as tx:
                # Whatever else changed on the record meanwhile, the member goes: only a removal that got
                # there first stops this one (and then there is nothing left to do here).
                tx.update(
                    member,
                    actions=[
                        UserModel.status.set(UserStatus.REMOVED.value),
                        UserModel.updated_at.set(now),
                        end_sessions(now),
                    ],
                    condition=UserModel.status != UserStatus.REMOVED.value,
                    add_version_condition=False,
                )
                tx.save(*audit_record(event, now=now))
        except TransactWriteError as exc:
            again = get_user(member.user_id)
            if again is None or again.status != UserStatus.REMOVED.value:
                raise Conflict("The staff member changed meanwhile; try again.") from exc
