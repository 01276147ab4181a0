"""Staff members: a record of kind `staff` and a Cognito login in the `staff` group, both needed to reach the
staff routes. Made by the operator (`make staff`), and by the local stack's demo seed, through this one
function; the service itself has no route that makes staff."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib.models.user import UserKind, UserModel
from chalicelib.settings import STAFF_GROUP


class StaffLogins(Protocol):
    def create_login(
        self, *, username: str, email: str, mobile: str, password: str, permanent: bool = True
    ) -> None: ...

    def add_to_group(self, username: str, group: str) -> None: ...

    def delete_login(self, username: str) -> None: ...


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
