"""Journey 1 and 2: anyone applies for a login for an organisation; a letter with a username and an
activation code goes to the official mailbox the company register has on record for the CVR.

The letter proves control of the company, so its address comes from the register and from nowhere else:
nothing the applicant types (their e-mail included) is ever an address a letter goes to.

One letter per pending application: the application is stored per CVR and written on the condition that no
pending one stands, together with the activation, the letter (outbox) and the audit record, in one
transaction. Of concurrent duplicates exactly one commits; the others find the pending application and
answer with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from pydantic import Field
from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters.registry import CompanyRegistry, RegistryEntry
from chalicelib.clock import Clock, isoformat
from chalicelib.errors import AdministratorExists, Conflict, FieldError, InvalidInput, UnknownCompany
from chalicelib.fields import (
    AccountNumber,
    CompanyName,
    Email,
    Mobile,
    NewCvr,
    OrganisationName,
    PersonName,
    Strict,
)
from chalicelib.models.application import (
    ACTIVATION_VALIDITY,
    LETTER_PROMISE,
    RETENTION_AFTER_EXPIRY,
    ActivationModel,
    ApplicationModel,
    LetterWatch,
    get_application,
    letter_message_id,
    may_replace_application,
)
from chalicelib.models.audit import Actor, AuditAction, AuditEvent, Origin, audit_record, record_event
from chalicelib.models.base import transaction
from chalicelib.models.organisation import get_company, get_organisation
from chalicelib.models.outbox import Language, MailKind, Recipient, outgoing
from chalicelib.models.retention import subject_of
from chalicelib.models.user import active_administrators
from chalicelib.services.activation_codes import ActivationCodes, new_code, new_username

MAX_SUBSIDIARIES = 20
MAX_ACCOUNTS = 50
USERNAME_ATTEMPTS = 3


class SubsidiaryIn(Strict):
    cvr: NewCvr
    name: CompanyName


class AccountIn(Strict):
    cvr: NewCvr = Field(description="The main CVR or one of the subsidiaries'")
    number: AccountNumber
    name: CompanyName


class ApplicantIn(Strict):
    first_name: PersonName
    last_name: PersonName
    email: Email = Field(description="The applicant's own address. Never where the activation letter goes.")
    mobile: Mobile = Field(description="+45 and 8 digits; spaces are ignored. Stored as +45XXXXXXXX.")


class ApplicationForm(Strict):
    cvr: NewCvr = Field(description="The main company's CVR number; the letter goes to its official mailbox")
    name: OrganisationName = Field(description="The organisation's name; its ASCII form becomes the handle")
    subsidiaries: list[SubsidiaryIn] = Field(default_factory=list, max_length=MAX_SUBSIDIARIES)
    accounts: list[AccountIn] = Field(default_factory=list, max_length=MAX_ACCOUNTS)
    applicant: ApplicantIn
    language: Language = Field(default=Language.DA, description="The letter's language: da (default) or en")


@dataclass(frozen=True)
class ApplicationReceipt:
    application_id: str
    letter_due_by: datetime
    already_pending: bool


class _PendingStands(Exception):
    pass


class _UsernameTaken(Exception):
    pass


def inconsistencies(form: ApplicationForm) -> list[FieldError]:
    """What the fields say about each other: no company twice, every account under a listed company."""
    errors: list[FieldError] = []
    seen = {form.cvr}
    for index, subsidiary in enumerate(form.subsidiaries):
        if subsidiary.cvr in seen:
            message = "The main company" if subsidiary.cvr == form.cvr else "This company"
            errors.append(FieldError(f"subsidiaries.{index}.cvr", f"{message} is already listed."))
        seen.add(subsidiary.cvr)
    numbers: set[tuple[str, str]] = set()
    for index, account in enumerate(form.accounts):
        if account.cvr not in seen:
            errors.append(
                FieldError(f"accounts.{index}.cvr", "Must be the main CVR or one of the subsidiaries' CVRs.")
            )
        if (account.cvr, account.number) in numbers:
            errors.append(FieldError(f"accounts.{index}.number", "Listed twice for this company."))
        numbers.add((account.cvr, account.number))
    return errors


class ApplicationService:
    def __init__(self, *, registry: CompanyRegistry, codes: ActivationCodes, clock: Clock) -> None:
        self._registry = registry
        self._codes = codes
        self._clock = clock

    def apply(self, form: ApplicationForm, *, origin: Origin) -> ApplicationReceipt:
        errors = inconsistencies(form)
        if errors:
            raise InvalidInput("Some fields do not fit together.", errors=errors)
        main = self._registered(form)
        org_id = self._organisation_for(form)
        for _ in range(USERNAME_ATTEMPTS):
            now = self._clock.now()
            pending = get_application(form.cvr)
            if pending is not None and pending.is_pending(now):
                return self._repeated(pending, origin, now)
            try:
                return self._submit(form, main, org_id, now, origin)
            except (_PendingStands, _UsernameTaken):
                continue  # a concurrent application won, or (rarely) the username was taken: look again
        raise Conflict("The application could not be registered; please try again.")

    def _registered(self, form: ApplicationForm) -> RegistryEntry:
        """The register's entry for the main company; every CVR named must be in the register."""
        wanted = [("cvr", form.cvr)] + [
            (f"subsidiaries.{i}.cvr", s.cvr) for i, s in enumerate(form.subsidiaries)
        ]
        found = {cvr: self._registry.lookup(cvr) for _, cvr in wanted}
        unknown = [
            FieldError(field, "The company register has no company with this CVR number.")
            for field, cvr in wanted
            if found[cvr] is None
        ]
        if unknown:
            raise UnknownCompany("Every CVR number must be in the company register.", errors=unknown)
        main = found[form.cvr]
        assert main is not None  # checked just above
        return main

    def _organisation_for(self, form: ApplicationForm) -> str:
        """The organisation the new administrator joins: the one that owns the CVR, or a new one."""
        company = get_company(form.cvr)
        if company is None:
            self._refuse_taken_subsidiaries(form.subsidiaries)
            return f"org-{uuid.uuid4().hex[:16]}"
        organisation = get_organisation(company.org_id)
        if organisation is None or organisation.primary_cvr != form.cvr:
            main = organisation.primary_cvr if organisation is not None else "another"
            raise Conflict(
                "This company belongs to a group in Godkend with another main company.",
                errors=[FieldError("cvr", f"Apply with the main company's CVR number ({main}).")],
            )
        if active_administrators(organisation.org_id):
            raise AdministratorExists(
                "The organisation already has an administrator. Ask your administrator to create a login "
                "for you, or contact support if nobody knows the administrator's login."
            )
        return organisation.org_id

    def _refuse_taken_subsidiaries(self, subsidiaries: Iterable[SubsidiaryIn]) -> None:
        taken = [
            FieldError(f"subsidiaries.{index}.cvr", "Already part of another organisation in Godkend.")
            for index, subsidiary in enumerate(subsidiaries)
            if get_company(subsidiary.cvr) is not None
        ]
        if taken:
            raise Conflict("A company can belong to one organisation only; contact support.", errors=taken)

    def _repeated(self, pending: ApplicationModel, origin: Origin, now: datetime) -> ApplicationReceipt:
        record_event(
            AuditEvent(
                pending.org_id,
                AuditAction.APPLICATION_REPEATED,
                Actor.anonymous(),
                origin,
                targets={"application_id": pending.application_id, "cvr": pending.cvr},
            ),
            now=now,
        )
        return ApplicationReceipt(pending.application_id, pending.letter_due_by, already_pending=True)

    def _submit(
        self, form: ApplicationForm, main: RegistryEntry, org_id: str, now: datetime, origin: Origin
    ) -> ApplicationReceipt:
        application_id = str(uuid.uuid4())
        username = new_username()
        code = new_code()
        expires_at = now + ACTIVATION_VALIDITY
        application = ApplicationModel(
            form.cvr,
            application_id=application_id,
            org_id=org_id,
            form=form.model_dump(mode="json"),
            company_name=main.name,
            official_mailbox=main.official_mailbox,
            username=username,
            created_at=now,
            letter_due_by=now + LETTER_PROMISE,
            letter_watch=LetterWatch.PENDING.value,
            code_expires_at=expires_at,
            delete_after=expires_at + RETENTION_AFTER_EXPIRY,
            subject=subject_of(form.applicant.email),
        )
        activation = ActivationModel(
            username,
            application_id=application_id,
            cvr=form.cvr,
            org_id=org_id,
            code_digest=self._codes.digest(username, code),
            created_at=now,
            expires_at=expires_at,
            delete_after=expires_at + RETENTION_AFTER_EXPIRY,
        )
        letter = outgoing(
            MailKind.ACTIVATION_LETTER,
            # The register's address and name: the whole point of the letter.
            to=Recipient(address=main.official_mailbox, name=main.name),
            language=form.language,
            context={
                "company_name": main.name,
                "cvr": form.cvr,
                "organisation_name": form.name,
                "applicant_name": f"{form.applicant.first_name} {form.applicant.last_name}",
                "username": username,
                "expires_at": isoformat(expires_at),
            },
            secrets={"activation_code": code},
            now=now,
            message_id=letter_message_id(application_id),
        )
        audit = audit_record(
            AuditEvent(
                org_id,
                AuditAction.APPLICATION_SUBMITTED,
                Actor.anonymous(),
                origin,
                targets={"application_id": application_id, "cvr": form.cvr, "username": username},
                details={
                    "letter_to": main.official_mailbox,
                    "letter_due_by": isoformat(now + LETTER_PROMISE),
                },
            ),
            now=now,
        )
        try:
            # All puts, so DynamoDB sees them in this order: a failed condition's position names its item.
            with transaction() as tx:
                tx.save(application, condition=may_replace_application(now))
                tx.save(activation, condition=ActivationModel.username.does_not_exist())
                tx.save(*letter)
                tx.save(*audit)
        except TransactWriteError as exc:
            failed = _failed_conditions(exc)
            if 0 in failed:
                raise _PendingStands from exc
            if 1 in failed:
                raise _UsernameTaken from exc
            raise
        return ApplicationReceipt(application_id, now + LETTER_PROMISE, already_pending=False)


def _failed_conditions(exc: TransactWriteError) -> set[int]:
    """Which items of a cancelled transaction failed their condition (by position)."""
    return {
        index
        for index, reason in enumerate(exc.cancellation_reasons or [])
        if reason is not None and reason.code == "ConditionalCheckFailed"
    }
