"""Journey 1 and 2: anyone applies for a login for an organisation; a letter with a username and an
activation code goes to the official mailbox the company register has on record for the CVR.

The letter proves control of the company, so its address comes from the register and from nowhere else:
nothing the applicant types (their e-mail included) is ever an address a letter goes to. The letter says who
applied and for which name, so that a mailbox holder who did not expect it ignores it.

Every application stands on its own, with its own letter: a pending one never blocks or absorbs another
(a stranger applying first decides nothing; activating a letter binds that letter's application). What
bounds them is the letter quota per CVR: the application, its activation, the letter (outbox), the audit
record and the quota's counter commit in one transaction, the counter under a condition on the value read,
so that concurrent applications never send more letters than the quota allows. Beyond it: 429 with
Retry-After, and nothing is written. Sending the very same form again while it is pending answers with that
application and writes nothing, so a double click neither spends the quota nor grows the audit trail.

Subsidiaries are not proven by the main company's letter: they are named here, and proven after activation
(chalicelib/services/proofs.py). Until then they block nobody, so an application is never refused because
another organisation merely named one of its companies.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import Field
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition

from chalicelib.adapters.registry import CompanyRegistry, RegistryEntry
from chalicelib.clock import Clock, isoformat
from chalicelib.errors import (
    AdministratorExists,
    Conflict,
    FieldError,
    InvalidInput,
    UnknownCompany,
)
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
    LetterQuotaModel,
    LetterWatch,
    applications_for,
    letter_message_id,
)
from chalicelib.models.audit import Actor, AuditAction, AuditEvent, Origin, audit_record
from chalicelib.models.base import failed_conditions, transaction
from chalicelib.models.organisation import get_company, get_organisation
from chalicelib.models.outbox import Language, MailKind, Recipient, outgoing
from chalicelib.models.retention import subject_of
from chalicelib.models.user import active_administrators
from chalicelib.services.activation_codes import ActivationCodes, new_code, new_username
from chalicelib.services.letter_quota import one_more_letter

MAX_SUBSIDIARIES = 20
MAX_ACCOUNTS = 50
WRITE_ATTEMPTS = 3


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


class _Raced(Exception):
    """A concurrent application moved the quota on, or (rarely) the username was taken: look again."""


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
    def __init__(
        self, *, registry: CompanyRegistry, codes: ActivationCodes, clock: Clock, letters_per_day: int = 3
    ) -> None:
        self._registry = registry
        self._codes = codes
        self._clock = clock
        self._letters_per_day = letters_per_day

    def apply(self, form: ApplicationForm, *, origin: Origin) -> ApplicationReceipt:
        errors = inconsistencies(form)
        if errors:
            raise InvalidInput("Some fields do not fit together.", errors=errors)
        found = self._registered(form)
        org_id = self._organisation_for(form)
        applied = form.model_dump(mode="json")
        for _ in range(WRITE_ATTEMPTS):
            now = self._clock.now()
            same = _same_pending(form.cvr, applied, now)
            if same is not None:
                return ApplicationReceipt(same.application_id, same.letter_due_by, already_pending=True)
            quota = one_more_letter(form.cvr, now, self._letters_per_day)
            try:
                return self._submit(form, applied, found, org_id, quota, now, origin)
            except _Raced:
                continue
        raise Conflict("The application could not be registered; please try again.")

    def _registered(self, form: ApplicationForm) -> dict[str, RegistryEntry]:
        """The register's entry for every CVR named: each must be there, active, with an official mailbox."""
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
        entries = {cvr: entry for cvr, entry in found.items() if entry is not None}
        ceased = [
            FieldError(field, "The company register lists this company as ceased.")
            for field, cvr in wanted
            if entries[cvr].ceased
        ]
        if ceased:
            raise UnknownCompany("A company that has ceased cannot apply.", errors=ceased)
        unaddressed = [
            FieldError(field, "The company register has no official mailbox on record for this company.")
            for field, cvr in wanted
            if "@" not in entries[cvr].official_mailbox
        ]
        if unaddressed:
            raise UnknownCompany("No letter can reach some of the companies.", errors=unaddressed)
        return entries

    def _organisation_for(self, form: ApplicationForm) -> str:
        """The organisation the new administrator joins: the one that owns the CVR, or a new one."""
        company = get_company(form.cvr)
        if company is None:
            self._refuse_taken_subsidiaries(form.subsidiaries)
            return f"org-{uuid.uuid4().hex[:16]}"
        organisation = get_organisation(company.org_id)
        if organisation is None or organisation.primary_cvr != form.cvr:
            # Never the group's main CVR: an anonymous caller learns nothing about another company.
            raise Conflict(
                "This company belongs to a group in Godkend with another main company.",
                errors=[
                    FieldError("cvr", "Apply with the group's main company's CVR number, or contact support.")
                ],
            )
        if active_administrators(organisation.org_id):
            raise AdministratorExists(
                "The organisation already has an administrator. Ask your administrator to create a login "
                "for you, or contact support if nobody knows the administrator's login."
            )
        return organisation.org_id

    def _refuse_taken_subsidiaries(self, subsidiaries: Iterable[SubsidiaryIn]) -> None:
        # Only a proven company is taken: another organisation's pending claim blocks nobody.
        taken = [
            FieldError(f"subsidiaries.{index}.cvr", "Already part of another organisation in Godkend.")
            for index, subsidiary in enumerate(subsidiaries)
            if get_company(subsidiary.cvr) is not None
        ]
        if taken:
            raise Conflict("A company can belong to one organisation only; contact support.", errors=taken)

    def _submit(
        self,
        form: ApplicationForm,
        applied: dict[str, Any],
        found: dict[str, RegistryEntry],
        org_id: str,
        quota: tuple[LetterQuotaModel, Condition],
        now: datetime,
        origin: Origin,
    ) -> ApplicationReceipt:
        main = found[form.cvr]
        application_id = str(uuid.uuid4())
        username = new_username()
        code = new_code()
        expires_at = now + ACTIVATION_VALIDITY
        application = ApplicationModel(
            form.cvr,
            application_id=application_id,
            org_id=org_id,
            # What the register said at application: legal names, the subsidiaries' mailboxes (their proof
            # letters go there after activation), and which subsidiaries the main company owns.
            form={**applied, "register": _register_view(form.cvr, found)},
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
                "applicant_email": form.applicant.email,
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
                tx.save(quota[0], condition=quota[1])
                tx.save(activation, condition=ActivationModel.username.does_not_exist())
                tx.save(application, condition=ApplicationModel.application_id.does_not_exist())
                tx.save(*letter)
                tx.save(*audit)
        except TransactWriteError as exc:
            if failed_conditions(exc) & {0, 1}:
                raise _Raced from exc
            raise
        return ApplicationReceipt(application_id, now + LETTER_PROMISE, already_pending=False)


def _register_view(main: str, found: dict[str, RegistryEntry]) -> dict[str, Any]:
    return {
        cvr: {
            "legal_name": entry.name,
            "official_mailbox": entry.official_mailbox,
            "owned_by_main": cvr != main and entry.owned_by(main),
        }
        for cvr, entry in found.items()
    }


def _same_pending(cvr: str, applied: dict[str, Any], now: datetime) -> ApplicationModel | None:
    """A pending application with exactly this form: the same application sent again."""
    for application in applications_for(cvr):
        kept = {k: v for k, v in dict(application.form).items() if k != "register"}
        if application.is_pending(now) and kept == applied:
            return application
    return None
