"""Journey 3: the administrator activates the login with the username and activation code from the letter
and a password of their choosing.

Every try is counted before the code is compared (an atomic, conditional counter), so that five wrong
tries lock the code whatever the concurrency. The steps after a right code are ordered so that a failure
leaves nothing half-done:

1. claim the activation (a conditional update: exactly one request proceeds);
2. create the login in Cognito (the password policy speaks here);
3. write the organisation (if new), its proven companies and their accounts (a default account for a
   proven company without any), the user, and mark the activation used and the application activated: one
   transaction, with the audit record.

Activation binds *this* letter's application: its applicant becomes the administrator, its structure the
organisation. A subsidiary the application named that another organisation holds by now stays with it: it
is left out of the new organisation, and the audit trail tells the administrator so in words
(`company.left_out`). The application was answered the same whether or not anyone held it, so that an
anonymous caller learns nothing about who is a customer; this is where it is sorted out, once the applicant
has proven the main company. Afterwards the other pending applications for the CVR are voided, other
organisations' claims on the now proven companies are dropped, and each subsidiary the register does not tie
to the main company gets its own proof letter (chalicelib/services/onboarding/proofs.py).

If 2 fails, the claim is released; if 3 fails, the login is deleted and the claim released. A request that
dies between the steps leaves a claim that expires after a few minutes, and a login with no user record
(which can sign in nowhere) that the next activation replaces.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import Field
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.cognito import LoginExists
from chalicelib.clock import Clock
from chalicelib.errors import (
    ActivationExpired,
    ActivationInProgress,
    ActivationLocked,
    ActivationUsed,
    AdministratorExists,
    Conflict,
    FieldError,
    InvalidInput,
    UnknownUsername,
    WrongActivationCode,
)
from chalicelib.fields import ActivationCode, NewPassword, Strict, Username
from chalicelib.models.application import (
    MAX_ATTEMPTS,
    STALE_CLAIM,
    ActivationModel,
    ActivationStatus,
    ApplicationModel,
    ApplicationStatus,
    applications_for,
    claimable,
    get_activation,
    get_application,
)
from chalicelib.models.audit import (
    Actor,
    ActorKind,
    AuditAction,
    AuditEvent,
    Origin,
    audit_record,
    record_event,
)
from chalicelib.models.base import transaction
from chalicelib.models.organisation import (
    OrganisationModel,
    OrganisationStatus,
    companies_of,
    get_company,
    get_organisation,
)
from chalicelib.models.user import (
    UserKind,
    UserModel,
    UserStatus,
    active_administrators,
    company_access,
    get_user,
)
from chalicelib.services.access.authz import Function
from chalicelib.services.onboarding.activation_codes import (
    ActivationCodes,
    normalise_code,
    normalise_username,
)
from chalicelib.services.onboarding.proofs import (
    ProofRequest,
    ProofService,
    ProvenBy,
    ProvenCompany,
    drop_losing_claims,
    write_proven_company,
)
from chalicelib.services.onboarding.refusals import NOT_A_CODE, WRONG_CODE
from chalicelib.services.organisation.handles import ascii_handle

CONDITION_FAILED = "ConditionalCheckFailedException"


class ActivationForm(Strict):
    username: Username = Field(description="As printed in the letter")
    activation_code: ActivationCode = Field(
        description="As printed in the letter; case, hyphens and spaces do not matter"
    )
    password: NewPassword = Field(description="The new login's password")


@dataclass(frozen=True)
class Activated:
    user_id: str
    org_id: str


class LoginDirectory(Protocol):
    """The service's side of the user pool (`chalicelib/adapters/cognito.py`); tests inject fakes."""

    def create_login(self, *, username: str, email: str, mobile: str, password: str) -> None: ...
    def delete_login(self, username: str) -> None: ...
    def disable_login(self, username: str) -> None: ...
    def enable_login(self, username: str) -> None: ...
    def update_contact(self, username: str, *, email: str, mobile: str) -> None: ...


class ActivationService:
    def __init__(
        self,
        *,
        codes: ActivationCodes,
        logins: LoginDirectory,
        clock: Clock,
        proofs: ProofService,
    ) -> None:
        self._codes = codes
        self._logins = logins
        self._clock = clock
        self._proofs = proofs

    def activate(self, form: ActivationForm, *, origin: Origin) -> Activated:
        username = normalise_username(form.username)
        if normalise_code(form.activation_code) is None:
            raise InvalidInput(
                "That is not an activation code.",
                errors=[FieldError("activation_code", NOT_A_CODE["en"], translations=NOT_A_CODE)],
            )
        now = self._clock.now()
        activation = get_activation(username)
        if activation is None:
            raise UnknownUsername("No activation is waiting for this username; check the letter.")
        refuse_unusable(activation, now)
        attempts = self._count_try(activation, now)
        if not self._codes.matches(activation.code_digest, username, form.activation_code):
            self._refuse_wrong_code(activation, attempts, now, origin)
        self._claim(activation, now)
        try:
            return self._complete(activation, form, now, origin)
        except Exception:
            self._release(activation, now)
            raise

    def _count_try(self, activation: ActivationModel, now: datetime) -> int:
        try:
            activation.update(
                actions=[ActivationModel.attempts.add(1)],
                condition=(ActivationModel.attempts < MAX_ATTEMPTS) & claimable(now),
            )
        except UpdateError as exc:
            if exc.cause_response_code != CONDITION_FAILED:
                raise
            refuse_unusable(get_activation(activation.username) or activation, now)
            raise ActivationInProgress("This activation changed meanwhile; try again.") from exc
        return int(activation.attempts)

    def _refuse_wrong_code(
        self, activation: ActivationModel, attempts: int, now: datetime, origin: Origin
    ) -> None:
        event = AuditEvent(
            activation.org_id,
            AuditAction.ACTIVATION_REFUSED,
            Actor.anonymous(),
            origin,
            targets={"username": activation.username, "application_id": activation.application_id},
            details={"tries": attempts},
        )
        if attempts < MAX_ATTEMPTS:
            record_event(event, now=now)
            raise WrongActivationCode(
                "The activation code is wrong.",
                errors=[FieldError("activation_code", WRONG_CODE["en"], translations=WRONG_CODE)],
            )
        with transaction() as tx:
            tx.update(
                activation,
                actions=[ActivationModel.status.set(ActivationStatus.LOCKED.value)],
                condition=ActivationModel.status != ActivationStatus.USED.value,
            )
            _set_application_status(tx, activation, ApplicationStatus.LOCKED, now)
            tx.save(*audit_record(_with_action(event, AuditAction.ACTIVATION_LOCKED), now=now))
        raise ActivationLocked(
            "The activation code is now locked after too many wrong tries. Apply again for a new letter."
        )

    def _claim(self, activation: ActivationModel, now: datetime) -> None:
        try:
            activation.update(
                actions=[
                    ActivationModel.status.set(ActivationStatus.CLAIMED.value),
                    ActivationModel.claimed_at.set(now),
                ],
                condition=claimable(now),
            )
        except UpdateError as exc:
            if exc.cause_response_code != CONDITION_FAILED:
                raise
            refuse_unusable(get_activation(activation.username) or activation, now)
            raise ActivationInProgress("This activation is being completed; try again in a minute.") from exc

    def _release(self, activation: ActivationModel, claimed_at: datetime) -> None:
        """Undo the claim after a failure; the right code given does not count as a wrong try."""
        with contextlib.suppress(UpdateError):
            activation.update(
                actions=[
                    ActivationModel.status.set(ActivationStatus.PENDING.value),
                    ActivationModel.claimed_at.remove(),
                    ActivationModel.attempts.add(-1),
                ],
                condition=(ActivationModel.status == ActivationStatus.CLAIMED.value)
                & (ActivationModel.claimed_at == claimed_at),
            )

    def _complete(
        self, activation: ActivationModel, form: ActivationForm, now: datetime, origin: Origin
    ) -> Activated:
        application = get_application(activation.cvr, activation.application_id)
        if application is None or application.status == ApplicationStatus.VOIDED.value:
            raise ActivationExpired(
                "Another letter for this company has been activated, so this one no longer counts."
            )
        owner = get_company(activation.cvr)
        if owner is not None and owner.org_id != activation.org_id:
            raise ActivationExpired(
                "Another letter for this company has been activated, so this one no longer counts."
            )
        organisation = get_organisation(activation.org_id)
        if organisation is not None and active_administrators(organisation.org_id):
            raise AdministratorExists(
                "The organisation already has an administrator. Ask your administrator for a login, "
                "or contact support."
            )
        applied: dict[str, Any] = application.form
        structure = None if organisation is not None else _structure(application, applied)
        if structure is not None:
            structure = _without_held(structure, activation.org_id)
        user = _administrator(activation, application, applied, organisation, structure, now)
        self._create_login(user, form.password)
        try:
            _commit(activation, application, applied, user, structure, now, origin)
        except Exception:
            self._logins.delete_login(user.user_id)
            raise
        self._after(application, applied, structure, now, origin)
        return Activated(user_id=user.user_id, org_id=activation.org_id)

    def _after(
        self,
        application: ApplicationModel,
        applied: dict[str, Any],
        structure: _Structure | None,
        now: datetime,
        origin: Origin,
    ) -> None:
        """What follows a committed activation; each step is safe to repeat and guarded on its own."""
        _void_others(application, now)
        if structure is None:
            return
        for company in structure.proven:
            drop_losing_claims(company.cvr, winner=application.org_id, now=now)
        self._proofs.send_letters(
            org_id=application.org_id,
            main_company_name=application.company_name,
            main_cvr=application.cvr,
            requester_id=application.username,
            applicant=applied["applicant"],
            language=applied.get("language", "da"),
            requests=structure.pending,
            origin=origin,
        )

    def _create_login(self, user: UserModel, password: str) -> None:
        details = {"username": user.user_id, "email": user.email, "mobile": user.mobile, "password": password}
        try:
            self._logins.create_login(**details)
        except LoginExists:
            if get_user(user.user_id) is not None:
                raise ActivationUsed("This login has already been activated.") from None
            # Left by an earlier try of this same activation that died before its records were written: the
            # username was reserved for this activation alone, and a login without a record reaches nothing.
            self._logins.delete_login(user.user_id)
            self._logins.create_login(**details)


def refuse_unusable(activation: ActivationModel, now: datetime) -> None:
    """Raise the problem that says why this activation cannot be tried now, if it cannot."""
    if activation.status == ActivationStatus.USED.value:
        raise ActivationUsed(
            "This activation code has already been used. Sign in with your username and password."
        )
    if activation.status == ActivationStatus.LOCKED.value or activation.attempts >= MAX_ATTEMPTS:
        raise ActivationLocked(
            "The activation code is locked after too many wrong tries. Apply again for a new letter."
        )
    if now >= activation.expires_at:
        raise ActivationExpired("The activation code has expired. Apply again for a new letter.")
    if (
        activation.status == ActivationStatus.CLAIMED.value
        and activation.claimed_at is not None
        and activation.claimed_at >= now - STALE_CLAIM
    ):
        raise ActivationInProgress("This activation is being completed; try again in a minute.")


@dataclass(frozen=True)
class _Structure:
    """A new organisation as its application describes it: what is proven now, what waits for proof, and
    the subsidiaries left out because another organisation holds them."""

    proven: list[ProvenCompany]
    pending: list[ProofRequest]
    held_elsewhere: tuple[str, ...] = ()


def _without_held(structure: _Structure, org_id: str) -> _Structure:
    """The structure less the subsidiaries another organisation holds: they stay with it."""
    held = {
        cvr
        for cvr in [c.cvr for c in structure.proven[1:]] + [r.cvr for r in structure.pending]
        if (company := get_company(cvr)) is not None and company.org_id != org_id
    }
    if not held:
        return structure
    return _Structure(
        # The first is the main company, which the letter proved.
        proven=[structure.proven[0]] + [c for c in structure.proven[1:] if c.cvr not in held],
        pending=[r for r in structure.pending if r.cvr not in held],
        held_elsewhere=tuple(sorted(held)),
    )


def _structure(application: ApplicationModel, applied: dict[str, Any]) -> _Structure:
    register: dict[str, Any] = applied.get("register") or {}
    accounts: dict[str, list[tuple[str, str]]] = {}
    for account in applied["accounts"]:
        accounts.setdefault(account["cvr"], []).append((account["number"], account["name"]))
    proven = [
        ProvenCompany(
            cvr=application.cvr,
            name=application.company_name,
            legal_name=application.company_name,
            parent_cvr=None,
            proven_by=ProvenBy.LETTER,
            accounts=accounts.get(application.cvr, []),
        )
    ]
    pending = []
    for subsidiary in applied["subsidiaries"]:
        seen = register.get(subsidiary["cvr"]) or {}
        legal_name = str(seen.get("legal_name") or subsidiary["name"])
        if seen.get("owned_by_main"):
            proven.append(
                ProvenCompany(
                    cvr=subsidiary["cvr"],
                    name=subsidiary["name"],
                    legal_name=legal_name,
                    parent_cvr=application.cvr,
                    proven_by=ProvenBy.OWNERSHIP,
                    accounts=accounts.get(subsidiary["cvr"], []),
                )
            )
        elif seen.get("official_mailbox"):
            pending.append(
                ProofRequest(
                    cvr=subsidiary["cvr"],
                    name=subsidiary["name"],
                    legal_name=legal_name,
                    official_mailbox=str(seen["official_mailbox"]),
                    accounts=accounts.get(subsidiary["cvr"], []),
                )
            )
    return _Structure(proven=proven, pending=pending)


def _administrator(
    activation: ActivationModel,
    application: ApplicationModel,
    applied: dict[str, Any],
    organisation: OrganisationModel | None,
    structure: _Structure | None,
    now: datetime,
) -> UserModel:
    """The first administrator: every function, full access to every proven company of the organisation."""
    if structure is None:
        assert organisation is not None  # an existing organisation, or a new one's structure
        cvrs = [company.cvr for company in companies_of(organisation.org_id)]
    else:
        cvrs = [company.cvr for company in structure.proven]
    applicant = applied["applicant"]
    return UserModel(
        activation.username,
        kind=UserKind.MEMBER.value,
        org_id=activation.org_id,
        first_name=applicant["first_name"],
        last_name=applicant["last_name"],
        email=applicant["email"],
        mobile=applicant["mobile"],
        functions=[function.value for function in Function],
        companies=[company_access(cvr, None) for cvr in cvrs],
        status=UserStatus.ACTIVE.value,
        language=applied.get("language", "da"),
        created_at=now,
    )


def _commit(
    activation: ActivationModel,
    application: ApplicationModel,
    applied: dict[str, Any],
    user: UserModel,
    structure: _Structure | None,
    now: datetime,
    origin: Origin,
) -> None:
    event = AuditEvent(
        activation.org_id,
        AuditAction.ACTIVATION_COMPLETED,
        Actor(ActorKind.USER, user.user_id),
        origin,
        targets={
            "user_id": user.user_id,
            "application_id": application.application_id,
            "cvr": application.cvr,
        },
        details={
            "new_organisation": structure is not None,
            "proven": [c.cvr for c in structure.proven] if structure else [],
            "pending": [c.cvr for c in structure.pending] if structure else [],
        },
        # The organisation keeps who applied (its `applicant`) long after the application is gone: the
        # applicant's request about their data finds it through this entry.
        mentions=(user.email,),
    )
    try:
        with transaction() as tx:
            if structure is not None:
                _write_organisation(tx, application, applied, structure, now)
                for cvr in structure.held_elsewhere:
                    tx.save(*audit_record(_left_out(activation.org_id, user.user_id, cvr, origin), now=now))
            else:
                tx.condition_check(
                    OrganisationModel, activation.org_id, condition=OrganisationModel.org_id.exists()
                )
            tx.save(user, condition=UserModel.user_id.does_not_exist())
            tx.update(
                activation,
                actions=[
                    ActivationModel.status.set(ActivationStatus.USED.value),
                    ActivationModel.used_at.set(now),
                ],
                condition=(ActivationModel.status == ActivationStatus.CLAIMED.value)
                & (ActivationModel.claimed_at == activation.claimed_at),
            )
            _set_application_status(tx, activation, ApplicationStatus.ACTIVATED, now)
            tx.save(*audit_record(event, now=now))
    except TransactWriteError as exc:
        if any(
            reason is not None and reason.code == "ConditionalCheckFailed"
            for reason in exc.cancellation_reasons or []
        ):
            raise Conflict(
                "One of the companies already belongs to another organisation in Godkend, or this activation "
                "was completed meanwhile. Contact support if you cannot sign in."
            ) from exc
        raise


def _left_out(org_id: str, user_id: str, cvr: str, origin: Origin) -> AuditEvent:
    # The CVR is in the details, not the targets: the trail shows a target CVR only to those with the
    # company in scope, and this one is nobody's here. It is the CVR the applicant typed, so nothing new.
    # The console says it in words: named in the application, but it belongs to another organisation.
    return AuditEvent(
        org_id,
        AuditAction.COMPANY_LEFT_OUT,
        Actor(ActorKind.USER, user_id),
        origin,
        details={"reason": "held_by_another_organisation", "cvr": cvr},
    )


def _write_organisation(
    tx: TransactWrite,
    application: ApplicationModel,
    applied: dict[str, Any],
    structure: _Structure,
    now: datetime,
) -> None:
    org_id = application.org_id
    applicant = applied["applicant"]
    tx.save(
        OrganisationModel(
            org_id,
            name=applied["name"],
            legal_name=application.company_name,
            handle=ascii_handle(applied["name"]),
            primary_cvr=application.cvr,
            status=OrganisationStatus.PENDING_REVIEW.value,
            applicant={
                "first_name": applicant["first_name"],
                "last_name": applicant["last_name"],
                "email": applicant["email"],
            },
            created_at=now,
        ),
        condition=OrganisationModel.org_id.does_not_exist(),
    )
    for company in structure.proven:
        write_proven_company(tx, org_id, company, now)


def _void_others(activated: ApplicationModel, now: datetime) -> None:
    """The other pending applications for the CVR no longer count: their letters cannot be activated."""
    for other in applications_for(activated.cvr):
        if (
            other.application_id == activated.application_id
            or other.status != ApplicationStatus.PENDING.value
        ):
            continue
        with contextlib.suppress(UpdateError):
            other.update(
                actions=[ApplicationModel.status.set(ApplicationStatus.VOIDED.value)],
                condition=ApplicationModel.status == ApplicationStatus.PENDING.value,
            )


def _set_application_status(
    tx: TransactWrite, activation: ActivationModel, status: ApplicationStatus, now: datetime
) -> None:
    actions: list[Action] = [ApplicationModel.status.set(status.value)]
    if status is ApplicationStatus.ACTIVATED:
        actions.append(ApplicationModel.activated_at.set(now))
    # Only a pending application is activated (a voided one lost to another letter); any may be locked.
    condition = (
        ApplicationModel.status == ApplicationStatus.PENDING.value
        if status is ApplicationStatus.ACTIVATED
        else ApplicationModel.application_id.exists()
    )
    tx.update(
        ApplicationModel(activation.cvr, activation.application_id), actions=actions, condition=condition
    )


def _with_action(event: AuditEvent, action: AuditAction) -> AuditEvent:
    return AuditEvent(event.org_id, action, event.actor, event.origin, event.targets, event.details)
