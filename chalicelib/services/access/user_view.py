"""One view of a user, made from the record in one place: every answer that shows a person (`/v1/me`,
colleagues in `/v1/users`, support's logins of an organisation, the staff members, the personal data export)
starts from it, and each response model picks the fields it declares. A new field of the record is shown
nowhere until it is added here, and then the same way everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.clock import isoformat
from chalicelib.models.user import ADMINISTRATOR_FUNCTION, UserModel, UserStatus, functions_of


@dataclass(frozen=True)
class UserView:
    user_id: str
    org_id: str | None
    first_name: str
    last_name: str
    email: str
    mobile: str
    language: str
    status: str
    functions: list[str]
    second_factor_enrolled: bool
    created_at: str
    updated_at: str | None
    # Only while invited: when the invitation's code stops working.
    invitation_expires_at: str | None

    @property
    def username(self) -> str:
        """What the person signs in with: the user id is the Cognito username."""
        return self.user_id

    @property
    def administrator(self) -> bool:
        """Holds the function that administers the organisation's logins."""
        return ADMINISTRATOR_FUNCTION in self.functions

    @property
    def changed_at(self) -> str:
        return self.updated_at or self.created_at

    def picked(self, *names: str) -> dict[str, Any]:
        """These fields as a plain dict, for an answer whose schema does not type them one by one."""
        return {name: getattr(self, name) for name in names}


def user_view(user: UserModel) -> UserView:
    invited = user.status == UserStatus.INVITED.value
    return UserView(
        user_id=user.user_id,
        org_id=user.org_id,
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        mobile=user.mobile,
        language=user.language,
        status=user.status,
        functions=functions_of(user),
        second_factor_enrolled=bool(user.second_factor_enrolled),
        created_at=isoformat(user.created_at),
        updated_at=isoformat(user.updated_at) if user.updated_at else None,
        invitation_expires_at=(
            isoformat(user.invitation_expires_at) if invited and user.invitation_expires_at else None
        ),
    )
