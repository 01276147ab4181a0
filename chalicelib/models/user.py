"""People with a login: an organisation's users (with their scope), the operator's staff, and vendors'
people (kind `vendor`, with a `vendor_id` and no organisation: they reach only the vendor console's routes).

A user's id is also their Cognito username, so an access token leads to the record in one GetItem.

A colleague is created `invited`, without a Cognito login; accepting the invitation creates the login and
makes them `active`. `disabled` users keep their login, disabled in Cognito too. A staff member who leaves is
`removed`: the record stays (the staff trail names them), the login is disabled, and no token of theirs is
accepted again.

Access patterns
- user by id / Cognito username ............. GetItem users[user_id]
- an organisation's users ................... Query users.by-org[org_id] (staff have no org and are not in it)
- the staff, removed ones included .......... Query users.by-roster["staff"] (a sparse index: only staff
                                              records carry `roster`), Limit, ExclusiveStartKey from a cursor
- a page of them, by user id ................ the same Query, Limit, ExclusiveStartKey from a cursor
- an organisation's active administrators ... the same Query, kept to active users with the `users` function
- a vendor's people, newest first ........... Query users.by-vendor[vendor_id], ScanIndexForward=False (a
                                              sparse index: only vendor people carry `vendor_id`)
- "another person of the vendor remains" .... ConditionCheck users[user_id] `vendor_person_condition`, in the
                                              transaction that removes a vendor's person
- "another administrator remains" ........... ConditionCheck users[user_id] `administrator_condition`, in the
                                              transaction that removes, disables or demotes an administrator
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name
from chalicelib.models.retention import subject_of

# Whoever holds the `users` function administers the organisation's logins (PRODUCT.md, "Who is who").
ADMINISTRATOR_FUNCTION = "users"


class UserKind(StrEnum):
    MEMBER = "member"
    STAFF = "staff"
    VENDOR = "vendor"  # a vendor's person: signs in to the vendor console, never to an organisation


class UserStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    DISABLED = "disabled"
    REMOVED = "removed"  # staff only: offboarded; the record stays so that the staff trail keeps a name


# What the `by-vendor` index copies besides its keys and `user_id`: the vendor console's list of people.
VENDOR_LIST_FIELDS = ["kind", "first_name", "last_name", "email", "status", "invitation_expires_at"]

# The value of `roster` on every staff record: the partition of the `by-roster` index that lists them.
STAFF_ROSTER = "staff"


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


class UsersBySubject(GlobalSecondaryIndex["UserModel"]):
    """Logins by their e-mail address (`retention.subject_of`), for staff answering an access request."""

    class Meta:
        index_name = "by-subject"
        projection = AllProjection()

    subject = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)


class StaffRoster(GlobalSecondaryIndex["UserModel"]):
    """The staff, by user id. Sparse: members never carry `roster`, so the index holds staff only."""

    class Meta:
        index_name = "by-roster"
        projection = AllProjection()

    roster = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)


class UsersByVendor(GlobalSecondaryIndex["UserModel"]):
    """A vendor's people, newest first. Sparse: only vendor people carry `vendor_id`. It projects what the
    vendor console's list shows and no more: a person's second-factor codes and token times stay in the
    table, and the few people a vendor has cost little to copy."""

    class Meta:
        index_name = "by-vendor"
        projection = IncludeProjection(VENDOR_LIST_FIELDS)

    vendor_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class UserModel(Model):
    class Meta:
        table_name = table_name("users")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    user_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default=UserKind.MEMBER.value)
    org_id = UnicodeAttribute(null=True)
    # The vendor a vendor person works for (kind "vendor" only); they have no organisation.
    vendor_id = UnicodeAttribute(null=True)
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
    # The second of the last change of what a token stands for (second factor, status, functions, scope,
    # staff role, a sign-out, a new password), cut to the whole second as a token's `iat` is: a token issued
    # in or before this second is refused (see `accepts_token_issued_at`).
    tokens_valid_from = UTCDateTimeAttribute(null=True)
    # The SMS step of enrolment: a keyed hash of the code texted to `mobile`, until when, and wrong tries.
    sms_code_digest = UnicodeAttribute(null=True)
    sms_code_expires_at = UTCDateTimeAttribute(null=True)
    sms_code_tries = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    # Who created the login (a colleague's administrator); null for an organisation's first administrator.
    created_by = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)
    # The invitation an `invited` user may accept now; any other invitation of theirs is dead.
    invitation_id = UnicodeAttribute(null=True)
    invitation_expires_at = UTCDateTimeAttribute(null=True)
    # The e-mail address as an access request finds it; kept in step with `email` (see __init__ and
    # `subject_update`).
    subject = UnicodeAttribute(null=True)
    # STAFF_ROSTER on staff records, absent on members: the key of the `by-roster` index (see __init__ and
    # `change_kind`).
    roster = UnicodeAttribute(null=True)
    version = VersionAttribute()

    by_org = UsersByOrganisation()
    by_subject = UsersBySubject()
    by_roster = StaffRoster()
    by_vendor = UsersByVendor()

    def __init__(
        self,
        hash_key: Any = None,
        range_key: Any = None,
        _user_instantiated: bool = True,
        **attributes: Any,
    ) -> None:
        # Every login written from a constructor is findable by its address, wherever it is created.
        if _user_instantiated and "email" in attributes and "subject" not in attributes:
            attributes["subject"] = subject_of(attributes["email"])
        # Every staff record written from a constructor is on the roster, whoever makes it.
        if _user_instantiated and attributes.get("kind") == UserKind.STAFF.value:
            attributes.setdefault("roster", STAFF_ROSTER)
        super().__init__(hash_key, range_key, _user_instantiated, **attributes)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @classmethod
    def subject_update(cls, email: str) -> Action:
        """The update action that keeps `subject` in step when the e-mail address changes."""
        return cls.subject.set(subject_of(email))


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
    return [user for user in users_of(org_id) if is_active_administrator(user)]


def is_active_administrator(user: UserModel) -> bool:
    return user.status == UserStatus.ACTIVE.value and ADMINISTRATOR_FUNCTION in (user.functions or [])


def administrator_condition(org_id: str) -> Condition:
    """True of a user item that is an active administrator of the organisation, when the transaction commits.

    The last-administrator guard: a transaction that takes away an administrator also checks, with this,
    that another one (the witness) still is one. DynamoDB transactions are serialisable, so of two
    transactions that each remove one of the last two administrators and check the other, the second to
    commit finds its witness gone and is cancelled: after every commit some administrator remains.
    """
    condition: Condition = (
        (UserModel.org_id == org_id)
        & (UserModel.status == UserStatus.ACTIVE.value)
        & UserModel.functions.contains(ADMINISTRATOR_FUNCTION)
    )
    return condition


def people_of_vendor(vendor_id: str) -> list[UserModel]:
    """A vendor's people, newest first, as the `by-vendor` index projects them (not every attribute)."""
    return list(UserModel.by_vendor.query(vendor_id, scan_index_forward=False))


def vendor_person_condition(vendor_id: str) -> Condition:
    """True of a user item that is an active person of the vendor when the transaction commits: the witness
    that a vendor keeps someone who can sign in, checked as `administrator_condition` is for organisations."""
    condition: Condition = (
        (UserModel.vendor_id == vendor_id)
        & (UserModel.kind == UserKind.VENDOR.value)
        & (UserModel.status == UserStatus.ACTIVE.value)
    )
    return condition


def users_page(
    org_id: str, *, limit: int, start: dict[str, Any] | None
) -> tuple[list[UserModel], dict[str, Any] | None]:
    """One page of an organisation's users in user id order, and the key to continue after (None at the
    end)."""
    # One more than asked for tells whether another page exists, so the last page never ends in an empty one.
    found = list(
        UserModel.by_org.query(org_id, limit=limit + 1, page_size=limit + 1, last_evaluated_key=start)
    )
    if len(found) <= limit:
        return found, None
    last = found[limit - 1]
    return found[:limit], {"org_id": {"S": org_id}, "user_id": {"S": last.user_id}}


def functions_of(user: UserModel) -> list[str]:
    return [str(function) for function in user.functions or []]


def set_functions(functions: list[str]) -> Action:
    # PynamoDB types a list of strings as a list of attributes.
    return UserModel.functions.set(functions)  # type: ignore[arg-type]


def valid_from(now: datetime) -> datetime:
    """What `tokens_valid_from` holds for a change made `now`: its second, because a token's `iat` counts
    whole seconds."""
    return now.replace(microsecond=0)


def sign_in_from(tokens_valid_from: datetime) -> datetime:
    """The first instant a new sign-in's token is accepted after a change: the next whole second."""
    return valid_from(tokens_valid_from) + timedelta(seconds=1)


def end_sessions(now: datetime) -> Action:
    """The update that makes every token issued up to `now`'s second useless (`accepts_token_issued_at`)."""
    return UserModel.tokens_valid_from.set(valid_from(now))


def end_sessions_of(user: UserModel, now: datetime) -> None:
    """Ends every session of a login whose record was just read. Whatever else changed on the record
    meanwhile, sessions end (no version condition to lose to); but only while the record is there: an
    update of a record removed meanwhile would write a stub of it back, and a removed login has no sessions
    left to end."""
    try:
        user.update(
            actions=[end_sessions(now)], condition=UserModel.user_id.exists(), add_version_condition=False
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def accepts_token_issued_at(user: UserModel, issued_at: datetime) -> bool:
    """A token is accepted only if it was issued in a later second than the last change. One issued in the
    same second may come from just before the change or just after it, and `iat` cannot tell which: a change
    that takes rights away (a sign-out, a disabled login, a new password) must win that doubt, so the token
    loses it. A client signing in right after a change of its own waits for the next second
    (`sign_in_from`)."""
    return user.tokens_valid_from is None or issued_at >= sign_in_from(user.tokens_valid_from)


def change_kind(user: UserModel, kind: UserKind, *, now: datetime) -> None:
    """Make a person staff, or no longer staff. Staff rights follow this record (the token's group claim must
    agree with it), and every token from before the change is refused."""
    roster = UserModel.roster.set(STAFF_ROSTER) if kind is UserKind.STAFF else UserModel.roster.remove()
    user.update(actions=[UserModel.kind.set(kind.value), roster, end_sessions(now)])


def staff_page(*, limit: int, start: dict[str, Any] | None) -> tuple[list[UserModel], dict[str, Any] | None]:
    """One page of the staff, removed ones included, by user id, and the key to continue after (None at the
    end)."""
    found = list(
        UserModel.by_roster.query(
            STAFF_ROSTER, limit=limit + 1, page_size=limit + 1, last_evaluated_key=start
        )
    )
    if len(found) <= limit:
        return found, None
    last = found[limit - 1]
    return found[:limit], {"roster": {"S": STAFF_ROSTER}, "user_id": {"S": last.user_id}}


def staff_with_email(email: str) -> list[UserModel]:
    """The staff records with this e-mail address (the operator names a member by it), removed ones too."""
    found = UserModel.by_subject.query(subject_of(email))
    return [user for user in found if user.kind == UserKind.STAFF.value]


def record_second_factor(user: UserModel) -> None:
    """Remember that the user has enrolled a second factor. Only the flag is written, under the version
    check; if a concurrent edit wins, the flag is simply recorded again on the user's next request."""
    with contextlib.suppress(UpdateError):
        user.update(actions=[UserModel.second_factor_enrolled.set(True)])
