"""Journey 9: when an organisation's only administrator has left and nobody knows the login, support removes
that login (in Cognito and our record), with a reason for the audit trail. The organisation can then apply
again, which sends a new letter to its official mailbox; any administrators who remain are told.

The login goes first: if removing our record then fails, the same request can simply be made again (a login
that is already gone is fine), and a record without a login lets nobody in. Done the other way round, a
failure would leave a login that our records no longer explain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pynamodb.exceptions import TransactWriteError

from chalicelib.clock import Clock
from chalicelib.errors import NotFound
from chalicelib.models.audit import Actor, ActorKind, AuditAction, AuditEvent, Origin, audit_record
from chalicelib.models.base import transaction
from chalicelib.models.organisation import get_organisation
from chalicelib.models.outbox import MailKind, Recipient, outgoing
from chalicelib.models.user import UserKind, UserModel, active_administrators, get_user
from chalicelib.services.access.authz import Principal
from chalicelib.services.onboarding.eligibility import MAX_MAILED_ADMINISTRATORS


class LoginRemover(Protocol):
    def delete_login(self, username: str) -> None: ...


@dataclass(frozen=True)
class LoginRemoved:
    org_id: str
    user_id: str
    administrators_left: int


class SupportService:
    def __init__(self, *, logins: LoginRemover, clock: Clock) -> None:
        self._logins = logins
        self._clock = clock

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
