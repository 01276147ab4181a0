"""Support finds an organisation by CVR number, handle or the beginning of its name, and sees its logins and
its audit trail. All are key lookups, never a Scan: a CVR number is the companies table's key (any company of
a group leads to its organisation), a handle the handles table's (reserved when an organisation is first
approved), a name the beginning of a key in the organisations' by-name index
(chalicelib/values/search_names.py), a login page the users' by-org index.

Journey 9: when an organisation's only administrator has left and nobody knows the login, support removes
that login (in Cognito and our record), with a reason for the audit trail. The organisation can then apply
again, which sends a new letter to its official mailbox; any administrators who remain are told.

The login goes first: if removing our record then fails, the same request can simply be made again (a login
that is already gone is fine), and a record without a login lets nobody in. Done the other way round, a
failure would leave a login that our records no longer explain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pynamodb.exceptions import TransactWriteError

from chalicelib.clock import Clock
from chalicelib.errors import NotFound
from chalicelib.models.audit import Actor, ActorKind, AuditAction, AuditEvent, Origin, audit_record
from chalicelib.models.base import transaction
from chalicelib.models.handle import owner_of
from chalicelib.models.organisation import CompanyModel, get_organisation, organisations_named
from chalicelib.models.outbox import MailKind, Recipient, outgoing
from chalicelib.models.paging import InvalidCursor, bad_cursor, encode_cursor, page_start
from chalicelib.models.user import UserKind, UserModel, active_administrators, get_user, users_page
from chalicelib.services.access.authz import Principal
from chalicelib.services.access.user_view import UserView, user_view
from chalicelib.services.onboarding.eligibility import (
    MAX_MAILED_ADMINISTRATORS,
    StaffOrganisationView,
    staff_view,
)
from chalicelib.services.organisation import audit_trail
from chalicelib.values.page import Page
from chalicelib.values.search_names import initial, name_key

CVR = re.compile(r"^\d{8}$")
USERS_INDEX = "users.by-org"
USERS_CURSOR_KEYS = frozenset({"org_id", "user_id"})
NAMES_INDEX = "organisations.by-name"
NAMES_CURSOR_KEYS = frozenset({"org_id", "name_initial", "name_key"})
NAMES_PER_PAGE = 25


class LoginRemover(Protocol):
    def delete_login(self, username: str) -> None: ...


@dataclass(frozen=True)
class LoginRemoved:
    org_id: str
    user_id: str
    administrators_left: int

    @property
    def may_apply_again(self) -> bool:
        """No active administrator is left: a new application for the organisation's CVR sends a letter."""
        return self.administrators_left == 0


@dataclass(frozen=True)
class Found:
    """What a search found, and what the query was taken as: one organisation by CVR number or handle, or a
    page of them by name."""

    items: list[StaffOrganisationView]
    matched: str | None
    next_cursor: str | None = None


class SupportService:
    def __init__(self, *, logins: LoginRemover, clock: Clock) -> None:
        self._logins = logins
        self._clock = clock

    def search(self, q: str, *, limit: int = NAMES_PER_PAGE, cursor: str | None = None) -> Found:
        """A CVR number names one company and so one organisation, a handle names one organisation; anything
        else (or a handle nobody has) is the beginning of organisations' names, a page at a time."""
        org_id, matched = (None, None) if cursor else _found(q)
        organisation = get_organisation(org_id) if org_id else None
        if organisation is not None:
            return Found(items=[staff_view(organisation, self._clock.now())], matched=matched)
        if CVR.match(q.replace(" ", "")):
            return Found(items=[], matched=None)
        return self._by_name(q, limit=limit, cursor=cursor)

    def _by_name(self, q: str, *, limit: int, cursor: str | None) -> Found:
        key = name_key(q)
        start = page_start(cursor, index=NAMES_INDEX, key_names=NAMES_CURSOR_KEYS, partition=_partition(key))
        if start is not None and not start["name_key"]["S"].startswith(key):
            raise bad_cursor(InvalidCursor("not a cursor for this search"))
        found, last = organisations_named(q, limit=limit, start=start)
        now = self._clock.now()
        return Found(
            items=[staff_view(organisation, now) for organisation in found],
            matched="name" if found else None,
            next_cursor=encode_cursor(NAMES_INDEX, last) if last else None,
        )

    def logins(self, org_id: str, *, limit: int, cursor: str | None) -> Page[UserView]:
        """Every login of the organisation, whatever its scope, by user id."""
        if get_organisation(org_id) is None:
            raise NotFound("No such organisation.")
        start = page_start(
            cursor, index=USERS_INDEX, key_names=USERS_CURSOR_KEYS, partition=("org_id", org_id)
        )
        users, last = users_page(org_id, limit=limit, start=start)
        return Page(
            [user_view(user) for user in users if user.kind == UserKind.MEMBER.value],
            encode_cursor(USERS_INDEX, last) if last else None,
        )

    def audit(self, org_id: str, *, limit: int, cursor: str | None) -> Page[audit_trail.AuditEntry]:
        """The organisation's audit trail as its administrators see it, with every company."""
        if get_organisation(org_id) is None:
            raise NotFound("No such organisation.")
        return audit_trail.organisation_page_for_staff(
            org_id, limit=limit, cursor=cursor, now=self._clock.now()
        )

    def remove_login(
        self, staff: Principal, org_id: str, user_id: str, *, reason: str, origin: Origin
    ) -> LoginRemoved:
        organisation = get_organisation(org_id)
        user = get_user(user_id)
        if (
            organisation is None
            or user is None
            or user.org_id != org_id
            or user.kind != UserKind.MEMBER.value
        ):
            raise NotFound("No such user in this organisation.")
        self._logins.delete_login(user.user_id)
        now = self._clock.now()
        remaining = sorted(
            (admin for admin in active_administrators(org_id) if admin.user_id != user.user_id),
            key=lambda admin: admin.created_at,
        )
        removed_name = f"{user.first_name} {user.last_name}"
        event = AuditEvent(
            org_id,
            AuditAction.LOGIN_REMOVED_BY_SUPPORT,
            Actor(ActorKind.STAFF, staff.user_id),
            origin,
            targets={"user_id": user.user_id},
            details={"reason": reason, "removed_name": removed_name, "administrators_left": len(remaining)},
            mentions=(user.email,),
        )
        try:
            self._commit(user, remaining, organisation.name, removed_name, reason, event, now)
        except TransactWriteError as exc:
            raise NotFound("No such user in this organisation (removed meanwhile).") from exc
        return LoginRemoved(org_id=org_id, user_id=user.user_id, administrators_left=len(remaining))

    def _commit(
        self,
        user: UserModel,
        remaining: list[UserModel],
        organisation_name: str,
        removed_name: str,
        reason: str,
        event: AuditEvent,
        now: datetime,
    ) -> None:
        with transaction() as tx:
            # Whatever else changed on the record meanwhile (its version), it goes.
            tx.delete(user, condition=UserModel.user_id.exists(), add_version_condition=False)
            for admin in remaining[:MAX_MAILED_ADMINISTRATORS]:
                tx.save(
                    *outgoing(
                        MailKind.LOGIN_REMOVED,
                        to=Recipient(address=admin.email, name=f"{admin.first_name} {admin.last_name}"),
                        language=admin.language or "da",
                        context={
                            "organisation_name": organisation_name,
                            "removed_name": removed_name,
                            "reason": reason,
                        },
                        now=now,
                        message_id=f"{MailKind.LOGIN_REMOVED.value}:{user.user_id}:{admin.user_id}",
                        mentions=(user.email,),
                    )
                )
            tx.save(*audit_record(event, now=now))


def _partition(key: str) -> tuple[str, str] | None:
    return ("name_initial", initial(key)) if key else None


def _found(q: str) -> tuple[str | None, str | None]:
    """(org_id, what matched) for a CVR number or a handle."""
    compact = q.replace(" ", "")
    if CVR.match(compact):
        try:
            return CompanyModel.get(compact).org_id, "cvr"
        except CompanyModel.DoesNotExist:
            return None, None
    org_id = owner_of(q.removeprefix("@"))
    return (org_id, "handle") if org_id else (None, None)
