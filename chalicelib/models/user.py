"""People with a login: an organisation's users (with their scope) and the operator's staff.

A user's id is also their Cognito username, so an access token leads to the record in one GetItem.

Access patterns
- user by id / Cognito username ............. GetItem users[user_id]
- an organisation's users ................... Query users.by-org[org_id] (staff have no org and are not in it)
- an organisation's active administrators ... the same Query, kept to active users with the `users` function
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from enum import StrEnum

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name

# Whoever holds the `users` function administers the organisation's logins (PRODUCT.md, "Who is who").
ADMINISTRATOR_FUNCTION = "users"


class UserKind(StrEnum):
    MEMBER = "member"
    STAFF = "staff"


class UserStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    DISABLED = "disabled"


class CompanyAccess(MapAttribute[str, object]):
    """One company of the group a user may work with: all of its accounts, or the listed ones."""

    cvr = UnicodeAttribute()
    access = UnicodeAttribute()  # "full" | "limited"
    accounts = ListAttribute(of=UnicodeAttribute, default=list)


def company_access(cvr: str, accounts: list[str] | None) -> CompanyAccess:
    """Full access to the company's accounts when `accounts` is None, else access to those listed."""
    access = "full" if accounts is None else "limited"
    # MapAttribute's constructor is untyped in PynamoDB; this function is the typed way in.
    return CompanyAccess(cvr=cvr, access=access, accounts=accounts or [])  # type: ignore[no-untyped-call]


class UsersByOrganisation(GlobalSecondaryIndex["UserModel"]):
    class Meta:
        index_name = "by-org"
        projection = AllProjection()

    org_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)


class UserModel(Model):
    class Meta:
        table_name = table_name("users")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    user_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default=UserKind.MEMBER.value)
    org_id = UnicodeAttribute(null=True)
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    email = UnicodeAttribute()
    mobile = UnicodeAttribute()
    functions = ListAttribute(of=UnicodeAttribute, default=list)
    companies = ListAttribute(of=CompanyAccess, default=list)
    status = UnicodeAttribute(default=UserStatus.ACTIVE.value)
    # The language the person's mail is written in ("da" or "en").
    language = UnicodeAttribute(default="da")
    # Cached once Cognito reports a second factor; until then every request asks Cognito.
    second_factor_enrolled = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    by_org = UsersByOrganisation()


def get_user(user_id: str) -> UserModel | None:
    try:
        return UserModel.get(user_id)
    except UserModel.DoesNotExist:
        return None


def users_by_id(user_ids: Iterable[str]) -> dict[str, UserModel]:
    """BatchGetItem, 100 keys at a time; unknown ids are left out."""
    keys = sorted(set(user_ids))
    return {u.user_id: u for u in UserModel.batch_get(keys)} if keys else {}


def users_of(org_id: str) -> list[UserModel]:
    return list(UserModel.by_org.query(org_id))


def active_administrators(org_id: str) -> list[UserModel]:
    """The people who can run the organisation's logins: active, with the `users` function."""
    return [
        user
        for user in users_of(org_id)
        if user.status == UserStatus.ACTIVE.value and ADMINISTRATOR_FUNCTION in (user.functions or [])
    ]


def record_second_factor(user: UserModel) -> None:
    """Remember that the user has enrolled a second factor. Only the flag is written, under the version
    check; if a concurrent edit wins, the flag is simply recorded again on the user's next request."""
    with contextlib.suppress(UpdateError):
        user.update(actions=[UserModel.second_factor_enrolled.set(True)])
