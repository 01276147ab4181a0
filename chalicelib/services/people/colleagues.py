"""Journey 5, the administrator's side: colleagues' logins (`/v1/users`).

An administrator (a user with the `users` function) creates a colleague with names, mobile and e-mail, a
scope and functions within their own (`chalicelib/services/access/grants.py`). The colleague is `invited`: the
record, the invitation and its mail commit in one transaction, and the Cognito login is created only when
the colleague accepts (`chalicelib/services/people/invitations.py`). Users are edited, disabled, enabled and
deleted here; disabling and deleting act in Cognito too, after the records have committed, so that the guard
below decides first. Every change is audited in its own transaction, and when someone gains or loses the
`users` function the organisation's administrators are mailed in the same transaction.

**The last administrator.** The organisation always keeps an active user with the `users` function. A change
that takes that away from someone (delete, disable, demote) checks in the same transaction that another
administrator, the witness, still is one (`administrator_condition`). Two such changes racing each check the
other's target; DynamoDB transactions are serialisable, so the second to commit finds its witness gone and is
cancelled. The service then reads again: with another administrator left it tries that one as witness; with
none it refuses (409 last-administrator).

**Cognito after the records.** A disabled record already locks the person out (the service refuses any token
whose record is not active), so Cognito is told afterwards. If that fails, the answer is a 503 saying the
change is saved, and sending the same change again finishes it. A deleted record's login is deleted last;
if Cognito fails then, the record is gone already and the login, under a never-reused random username, can
reach nothing; the failure is logged for an operator to remove it.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal, NoReturn

from pydantic import AfterValidator, Field
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.clock import Clock, isoformat
from chalicelib.errors import Conflict, LastAdministrator, NotFound, UpstreamUnavailable
from chalicelib.fields import (
    UNIQUE_ITEMS,
    UNIQUE_OBJECTS,
    CompanyGrant,
    Email,
    Mobile,
    PersonName,
    Strict,
)
from chalicelib.log import logger
from chalicelib.models.audit import Actor, ActorKind, AuditAction, AuditEvent, Origin, audit_record
from chalicelib.models.base import transaction
from chalicelib.models.invitation import (
    InvitationModel,
    InvitationStatus,
    RevokedBecause,
    get_invitation,
    still_live,
)
from chalicelib.models.organisation import OrganisationModel, get_organisation
from chalicelib.models.outbox import Language, MailKind, Recipient, outgoing
from chalicelib.models.paging import encode_cursor, page_start
from chalicelib.models.user import (
    ADMINISTRATOR_FUNCTION,
    UserKind,
    UserModel,
    UserStatus,
    active_administrators,
    administrator_condition,
    end_sessions,
    functions_of,
    get_user,
    is_active_administrator,
    set_functions,
    users_page,
)
from chalicelib.services.access.authz import Function, Principal
from chalicelib.services.access.grants import (
    MAX_COMPANIES,
    as_access,
    check_grants,
    distinct_companies,
    distinct_functions,
    require_within,
    scope_json,
    visible_scope,
    within_scope,
)
from chalicelib.services.access.user_view import UserView, user_view
from chalicelib.services.onboarding.activation_codes import ALPHABET
from chalicelib.services.onboarding.activations import LoginDirectory
from chalicelib.services.people.invitation_limits import Admission, InvitationLimits
from chalicelib.services.people.invitations import new_invitation
from chalicelib.values.page import Page

USERNAME_PREFIX = "usr-"
USERNAME_RANDOM = 10  # 50 bits: usernames are not secret, only unique (a conditional put makes sure)
USERNAME_ATTEMPTS = 3
# Ids are ours (adm-..., usr-...); anything else in a path is simply not found, without a read.
USER_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
# Each try that meets a vanished witness reads the administrators again; a few tries settle any race.
GUARD_ATTEMPTS = 3
# A transaction holds at most 100 items: the user, a witness, an invitation or two, the audit record, mails.
MAX_MAILED_ADMINISTRATORS = 90
INDEX = "users.by-org"
CURSOR_KEYS = frozenset({"org_id", "user_id"})

Functions = Annotated[list[Function], Field(min_length=1), UNIQUE_ITEMS, AfterValidator(distinct_functions)]
Companies = Annotated[list[CompanyGrant], AfterValidator(distinct_companies), UNIQUE_OBJECTS]


class _Form(Strict):
    pass


class NewColleague(_Form):
    first_name: PersonName
    last_name: PersonName
    email: Email = Field(description="Where the invitation goes; the login's e-mail")
    mobile: Mobile = Field(
        description="8 digits, with or without +45 or 0045 in front; spaces and hyphens are ignored. "
        "Stored as "
        "+45XXXXXXXX; SMS as second factor goes here"
    )
    functions: Functions = Field(description="What the user may do; only ones you hold")
    companies: Companies = Field(
        min_length=1, max_length=MAX_COMPANIES, description="The companies of the group the user works with"
    )
    language: Language = Field(default=Language.DA, description="The language of the user's mail")


class ColleagueChanges(_Form):
    """Only the fields given change. `functions` and `companies` replace the lists."""

    first_name: PersonName | None = None
    last_name: PersonName | None = None
    email: Email | None = None
    mobile: Mobile | None = None
    functions: Functions | None = None
    companies: Companies | None = Field(default=None, min_length=1, max_length=MAX_COMPANIES)
    language: Language | None = None
    status: Literal["active", "disabled"] | None = Field(
        default=None, description="Disable a login (it is signed out at once), or enable it again"
    )


@dataclass
class _Plan:
    """A change to one user: the update actions, and what the audit trail, the guard and Cognito need."""

    actions: list[Action] = field(default_factory=list)
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    status_to: str | None = None  # set when the request names a status and the user has a login
    contact: bool = False  # push e-mail and mobile to Cognito
    after_functions: list[str] = field(default_factory=list)
    after_status: str = ""


class _WitnessGone(Exception):
    """The administrator checked as the one who remains stopped being one before the change committed."""


class ColleagueService:
    def __init__(self, *, logins: LoginDirectory, clock: Clock, limits: InvitationLimits) -> None:
        self._logins = logins
        self._clock = clock
        # Invitation mails per inviting person and per organisation and day, counted with each mail.
        self._limits = limits

    # Reading

    def page(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[ColleagueView]:
        org_id = _org_of(principal)
        start = page_start(cursor, index=INDEX, key_names=CURSOR_KEYS, partition=("org_id", org_id))
        users, last = users_page(org_id, limit=limit, start=start)
        return Page(
            [describe(user, principal) for user in users if user.kind == UserKind.MEMBER.value],
            encode_cursor(INDEX, last) if last else None,
        )

    def get(self, principal: Principal, user_id: str) -> ColleagueView:
        return describe(_colleague(principal, user_id), principal)

    # Creating and re-inviting

    def create(self, principal: Principal, form: NewColleague, *, origin: Origin) -> ColleagueView:
        org_id = _org_of(principal)
        check_grants(principal, form.functions, form.companies)
        organisation = _organisation(org_id)
        actor = _acting(principal)
        notify = active_administrators(org_id) if Function.USERS in form.functions else []
        for _ in range(USERNAME_ATTEMPTS):
            now = self._clock.now()
            user = UserModel(
                new_username(),
                kind=UserKind.MEMBER.value,
                org_id=org_id,
                first_name=form.first_name,
                last_name=form.last_name,
                email=form.email,
                mobile=form.mobile,
                functions=[function.value for function in form.functions],
                companies=as_access(form.companies),
                status=UserStatus.INVITED.value,
                language=form.language.value,
                created_at=now,
                created_by=principal.user_id,
            )
            admission = self._limits.admit(person_id=principal.user_id, group=f"org#{org_id}", now=now)
            try:
                self._commit_new(principal, user, organisation, actor, notify, now, origin, admission)
            except TransactWriteError as exc:
                if exc.cause_response_code == "TransactionCanceledException":
                    # The random username was taken, or the day's last invitation went meanwhile: look again.
                    continue
                raise
            return describe(user, principal)
        raise Conflict("The login could not be created; please try again.")

    def _commit_new(
        self,
        principal: Principal,
        user: UserModel,
        organisation: OrganisationModel,
        actor: _Acting,
        notify: list[UserModel],
        now: datetime,
        origin: Origin,
        admission: Admission,
    ) -> None:
        invitation = new_invitation(
            user,
            organisation,
            invited_by=actor.name,
            by_user_id=principal.user_id,
            now=now,
            inviter_email=actor.email,
        )
        user.invitation_id = invitation.item.invitation_id
        user.invitation_expires_at = invitation.item.expires_at
        event = _event(
            principal,
            user,
            AuditAction.USER_INVITED,
            origin,
            details={**_profile(user), "invitation_expires_at": isoformat(invitation.item.expires_at)},
        )
        with transaction() as tx:
            tx.save(user, condition=UserModel.user_id.does_not_exist())
            tx.save(invitation.item, condition=InvitationModel.invitation_id.does_not_exist())
            tx.save(*invitation.mail)
            _mail_administrators(tx, notify, user, "granted", actor, organisation, now)
            tx.save(*audit_record(event, now=now))
            admission.count(tx)

    def resend(self, principal: Principal, user_id: str, *, origin: Origin) -> ColleagueView:
        """A new invitation mail with a new code; the previous code stops working in the same transaction."""
        user = _colleague(principal, user_id)
        require_within(principal, user)
        if user.status != UserStatus.INVITED.value:
            raise Conflict("This user has already accepted the invitation and has a login.")
        organisation = _organisation(user.org_id)
        now = self._clock.now()
        admission = self._limits.admit(person_id=principal.user_id, group=f"org#{user.org_id}", now=now)
        actor = _acting(principal)
        invitation = new_invitation(
            user,
            organisation,
            invited_by=actor.name,
            by_user_id=principal.user_id,
            now=now,
            inviter_email=actor.email,
        )
        replaced = user.invitation_id
        event = _event(
            principal,
            user,
            AuditAction.INVITATION_RESENT,
            origin,
            details={"invitation_expires_at": isoformat(invitation.item.expires_at)},
        )
        try:
            with transaction() as tx:
                tx.save(invitation.item, condition=InvitationModel.invitation_id.does_not_exist())
                tx.save(*invitation.mail)
                if replaced:
                    _revoke_invitation(tx, replaced, RevokedBecause.REPLACED)
                tx.update(
                    user,
                    actions=[
                        UserModel.invitation_id.set(invitation.item.invitation_id),
                        UserModel.invitation_expires_at.set(invitation.item.expires_at),
                        UserModel.updated_at.set(now),
                    ],
                    condition=UserModel.status == UserStatus.INVITED.value,
                )
                tx.save(*audit_record(event, now=now))
                admission.count(tx)
        except TransactWriteError as exc:
            # The day's last invitation may have gone meanwhile: that is the answer then, not a conflict.
            self._limits.admit(person_id=principal.user_id, group=f"org#{user.org_id}", now=now)
            raise Conflict(
                "The user changed meanwhile (perhaps the invitation was accepted); look again."
            ) from exc
        user.invitation_id = invitation.item.invitation_id
        user.invitation_expires_at = invitation.item.expires_at
        user.updated_at = now
        return describe(user, principal)

    # Changing

    def update(
        self, principal: Principal, user_id: str, changes: ColleagueChanges, *, origin: Origin
    ) -> ColleagueView:
        for _ in range(GUARD_ATTEMPTS):
            user = _colleague(principal, user_id)
            require_within(principal, user)
            plan = _plan(principal, user, changes)
            try:
                changed = self._commit_update(principal, user, plan, origin)
            except _WitnessGone:
                continue
            self._tell_cognito(changed, plan)
            return describe(changed, principal)
        raise Conflict("The organisation's administrators kept changing meanwhile; look again and retry.")

    def _commit_update(self, principal: Principal, user: UserModel, plan: _Plan, origin: Origin) -> UserModel:
        if not plan.changes:
            return user
        administrators = active_administrators(user.org_id)
        was_admin = is_active_administrator(user)
        stays_admin = (
            plan.after_status == UserStatus.ACTIVE.value and ADMINISTRATOR_FUNCTION in plan.after_functions
        )
        witness = _witness(administrators, user) if was_admin and not stays_admin else None
        held = ADMINISTRATOR_FUNCTION in functions_of(user)
        holds = ADMINISTRATOR_FUNCTION in plan.after_functions
        organisation = _organisation(user.org_id) if held != holds else None
        actor = _acting(principal)
        now = self._clock.now()
        event = _event(
            principal,
            user,
            _action_of(plan),
            origin,
            details={"changes": plan.changes},
            # A new address and the old one are the same person's: each finds the entry.
            also=tuple(str(v) for v in dict(plan.changes.get("email") or {}).values() if v),
        )
        try:
            with transaction() as tx:
                _check_witness(tx, witness)
                actions = [*plan.actions, UserModel.updated_at.set(now), *_sessions_end(plan, now)]
                tx.update(user, actions=actions)
                if organisation is not None:
                    active = plan.after_status == UserStatus.ACTIVE.value
                    recipients = administrators + ([user] if active else [])
                    change = "granted" if holds else "revoked"
                    _mail_administrators(tx, recipients, user, change, actor, organisation, now)
                tx.save(*audit_record(event, now=now))
        except TransactWriteError as exc:
            _raise_for(exc, witness_checked=witness is not None)
        return _colleague(principal, user.user_id)

    def _tell_cognito(self, user: UserModel, plan: _Plan) -> None:
        try:
            if plan.status_to == UserStatus.DISABLED.value:
                self._logins.disable_login(user.user_id)
            elif plan.status_to == UserStatus.ACTIVE.value:
                self._logins.enable_login(user.user_id)
            if plan.contact:
                self._logins.update_contact(user.user_id, email=user.email, mobile=user.mobile)
        except UpstreamUnavailable as exc:
            raise UpstreamUnavailable(
                "The change is saved, but the identity provider could not be updated; send the same change "
                "again to finish it."
            ) from exc

    # Deleting

    def delete(self, principal: Principal, user_id: str, *, origin: Origin) -> None:
        for _ in range(GUARD_ATTEMPTS):
            user = _colleague(principal, user_id)
            require_within(principal, user)
            try:
                self._commit_delete(principal, user, origin)
            except _WitnessGone:
                continue
            if user.status != UserStatus.INVITED.value:
                self._delete_login(user)
            return
        raise Conflict("The organisation's administrators kept changing meanwhile; look again and retry.")

    def _commit_delete(self, principal: Principal, user: UserModel, origin: Origin) -> None:
        administrators = active_administrators(user.org_id)
        was_admin = is_active_administrator(user)
        witness = _witness(administrators, user) if was_admin else None
        held = ADMINISTRATOR_FUNCTION in functions_of(user)
        organisation = _organisation(user.org_id) if held else None
        actor = _acting(principal)
        now = self._clock.now()
        event = _event(principal, user, AuditAction.USER_DELETED, origin, details=_profile(user))
        try:
            with transaction() as tx:
                _check_witness(tx, witness)
                tx.delete(user)
                if user.invitation_id:
                    _revoke_invitation(tx, user.invitation_id, RevokedBecause.WITHDRAWN)
                if organisation is not None:
                    others = [admin for admin in administrators if admin.user_id != user.user_id]
                    _mail_administrators(tx, others, user, "deleted", actor, organisation, now)
                tx.save(*audit_record(event, now=now))
        except TransactWriteError as exc:
            _raise_for(exc, witness_checked=witness is not None)

    def _delete_login(self, user: UserModel) -> None:
        try:
            self._logins.delete_login(user.user_id)
        except UpstreamUnavailable:
            # The record is gone, so the login reaches nothing, and its random username is never reused.
            logger.error("login left behind in the user pool", extra={"user_id": user.user_id})


def new_username() -> str:
    """A colleague's username: easy to read aloud, lower case (the pool ignores case)."""
    return USERNAME_PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(USERNAME_RANDOM)).lower()


@dataclass(frozen=True)
class ColleagueView(UserView):
    """A user as the caller may see them: their scope cut to the caller's."""

    companies: list[dict[str, Any]]
    within_your_scope: bool


def describe(user: UserModel, principal: Principal) -> ColleagueView:
    return ColleagueView(
        **vars(user_view(user)),
        companies=visible_scope(principal, scope_json(user.companies or [])),
        within_your_scope=within_scope(principal, user),
    )


def _plan(principal: Principal, user: UserModel, changes: ColleagueChanges) -> _Plan:
    plan = _Plan(after_functions=functions_of(user), after_status=user.status)
    for name in ("first_name", "last_name", "email", "mobile"):
        value = getattr(changes, name)
        if value is not None and value != getattr(user, name):
            plan.changes[name] = {"from": getattr(user, name), "to": value}
            plan.actions.append(getattr(UserModel, name).set(value))
            if name == "email":
                plan.actions.append(UserModel.subject_update(value))
    if changes.language is not None and changes.language.value != user.language:
        plan.changes["language"] = {"from": user.language, "to": changes.language.value}
        plan.actions.append(UserModel.language.set(changes.language.value))
    _plan_access(principal, user, changes, plan)
    _plan_status(user, changes, plan)
    has_login = user.status != UserStatus.INVITED.value
    plan.contact = has_login and (changes.email is not None or changes.mobile is not None)
    return plan


def _plan_access(principal: Principal, user: UserModel, changes: ColleagueChanges, plan: _Plan) -> None:
    if changes.functions is None and changes.companies is None:
        return
    check_grants(principal, changes.functions or [], changes.companies or [])
    if changes.functions is not None:
        functions = [function.value for function in changes.functions]
        if functions != functions_of(user):
            plan.changes["functions"] = {"from": functions_of(user), "to": functions}
            plan.actions.append(set_functions(functions))
            plan.after_functions = functions
    if changes.companies is not None:
        before, after = scope_json(user.companies or []), scope_json(as_access(changes.companies))
        if before != after:
            plan.changes["companies"] = {"from": before, "to": after}
            plan.actions.append(UserModel.companies.set(as_access(changes.companies)))


def _plan_status(user: UserModel, changes: ColleagueChanges, plan: _Plan) -> None:
    if changes.status is None:
        return
    if user.status == UserStatus.INVITED.value:
        raise Conflict(
            "This user has not accepted the invitation yet, so there is no login to enable or disable. "
            "Delete the user to withdraw the invitation, or send it again."
        )
    plan.status_to = changes.status
    if changes.status != user.status:
        plan.changes["status"] = {"from": user.status, "to": changes.status}
        plan.actions.append(UserModel.status.set(changes.status))
        plan.after_status = changes.status


# What a token stands for: a change to any of these ends the user's sessions (older tokens answer 401).
SESSION_FIELDS = frozenset({"functions", "companies", "status"})


def _sessions_end(plan: _Plan, now: datetime) -> list[Action]:
    return [end_sessions(now)] if SESSION_FIELDS & plan.changes.keys() else []


def _action_of(plan: _Plan) -> AuditAction:
    status = plan.changes.get("status", {}).get("to")
    if status == UserStatus.DISABLED.value:
        return AuditAction.USER_DISABLED
    if status == UserStatus.ACTIVE.value:
        return AuditAction.USER_ENABLED
    return AuditAction.USER_UPDATED


def _witness(administrators: list[UserModel], user: UserModel) -> UserModel:
    """Another active administrator to check in the transaction; the oldest, who is the likeliest to stay."""
    others = sorted(
        (admin for admin in administrators if admin.user_id != user.user_id), key=lambda a: a.created_at
    )
    if not others:
        raise LastAdministrator(
            "This is the organisation's last active administrator (a user with the 'users' function). Give "
            "another user the 'users' function first."
        )
    return others[0]


def _check_witness(tx: TransactWrite, witness: UserModel | None) -> None:
    # The first condition check of the transaction, so that `_raise_for` can tell its answer apart.
    if witness is not None:
        tx.condition_check(UserModel, witness.user_id, condition=administrator_condition(str(witness.org_id)))


def _raise_for(exc: TransactWriteError, *, witness_checked: bool) -> NoReturn:
    reasons = exc.cancellation_reasons or []
    # Condition checks come first in a transaction, so the witness's answer is the first reason.
    if witness_checked and reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
        raise _WitnessGone() from exc
    if exc.cause_response_code == "TransactionCanceledException":
        raise Conflict("The user was changed meanwhile by someone else; look again and retry.") from exc
    raise exc


def _revoke_invitation(tx: TransactWrite, invitation_id: str, because: RevokedBecause) -> None:
    """Kill a user's invitation in the transaction that replaces or withdraws it. One that TTL has removed
    (long expired) needs nothing; an update would recreate a stub of it."""
    invitation = get_invitation(invitation_id)
    if invitation is None or invitation.status == InvitationStatus.REVOKED.value:
        return
    tx.update(
        InvitationModel(invitation_id),
        actions=[
            InvitationModel.status.set(InvitationStatus.REVOKED.value),
            InvitationModel.revoked_because.set(because.value),
        ],
        condition=still_live(),
    )


def _mail_administrators(
    tx: TransactWrite,
    recipients: list[UserModel],
    subject: UserModel,
    change: str,
    actor: _Acting,
    organisation: OrganisationModel,
    now: datetime,
) -> None:
    """Tell the administrators that someone gained or lost the `users` function. Each mail names the
    colleague and who changed it, so it is found by either's request about their data."""
    change_id = uuid.uuid4().hex
    unique = {recipient.user_id: recipient for recipient in recipients}
    for recipient in list(unique.values())[:MAX_MAILED_ADMINISTRATORS]:
        tx.save(
            *outgoing(
                MailKind.ADMINISTRATORS_CHANGED,
                to=Recipient(address=recipient.email, name=recipient.full_name),
                language=recipient.language or "da",
                context={
                    "organisation_name": organisation.name,
                    "subject_name": subject.full_name,
                    "change": change,
                    "changed_by": actor.name,
                    "changed_at": isoformat(now),
                },
                now=now,
                message_id=f"{MailKind.ADMINISTRATORS_CHANGED.value}:{change_id}:{recipient.user_id}",
                mentions=tuple(a for a in (subject.email, actor.email) if a),
            )
        )


def _event(
    principal: Principal,
    user: UserModel,
    action: AuditAction,
    origin: Origin,
    *,
    details: dict[str, Any],
    also: tuple[str, ...] = (),
) -> AuditEvent:
    # The entry is about the colleague: their request about their data finds it by their address.
    return AuditEvent(
        user.org_id,
        action,
        Actor(ActorKind.USER, principal.user_id),
        origin,
        targets={"user_id": user.user_id},
        details=details,
        mentions=(user.email, *also),
    )


def _profile(user: UserModel) -> dict[str, Any]:
    return {
        "name": user.full_name,
        "email": user.email,
        "mobile": user.mobile,
        "functions": functions_of(user),
        "companies": scope_json(user.companies or []),
        "status": user.status,
    }


def _colleague(principal: Principal, user_id: str) -> UserModel:
    """A user of the caller's organisation, read consistently; anyone else does not exist."""
    user = None
    if USER_ID.match(user_id):
        try:
            user = UserModel.get(user_id, consistent_read=True)
        except UserModel.DoesNotExist:
            user = None
    if (
        user is None
        or user.kind != UserKind.MEMBER.value
        or principal.org_id is None
        or user.org_id != principal.org_id
    ):
        raise NotFound("No such user.")
    return user


def _organisation(org_id: str | None) -> OrganisationModel:
    organisation = get_organisation(org_id) if org_id else None
    if organisation is None:
        raise NotFound("No such organisation.")
    return organisation


def _org_of(principal: Principal) -> str:
    if principal.org_id is None:
        raise NotFound("No such organisation.")
    return principal.org_id


@dataclass(frozen=True)
class _Acting:
    """Who acts, as the mails to colleagues name them, and the address that finds those mails."""

    name: str
    email: str | None


def _acting(principal: Principal) -> _Acting:
    actor = get_user(principal.user_id)
    if actor is None:
        return _Acting(principal.user_id, None)
    return _Acting(actor.full_name, actor.email)
