"""Journey 1 and 2: anyone applies for a login for an organisation; a letter with a username and an
activation code goes to the official mailbox the company register has on record for the CVR.

The letter proves control of the company, so its address comes from the register and from nowhere else:
nothing the applicant types (their e-mail included) is ever an address a letter goes to. The letter says who
applied (their name and e-mail, under rules that leave no room for a message: `letter_text.py`) and for
which company, by the register's name, so that a mailbox holder who did not expect it ignores it.

Every application stands on its own, with its own block in a letter: a pending one never blocks or absorbs
another (a stranger applying first decides nothing; activating a letter binds that letter's application).
The letters themselves are paced per official mailbox (`mailboxes.py`): the first application in a quiet
period gets its letter at once; the ones that come while a recent letter went to that mailbox are gathered
into the next letter, sent a fixed interval after the previous one by the scheduled sender
(`gathered_letters.py`), so the real company's application is always in a letter within the 2-hour promise
however many strangers applied, and the mailbox gets at most one letter per interval. The application, its
audit record and the mailbox's new state commit in one transaction (with the activation and the letter when
it goes at once), the mailbox under its version, so two concurrent applications never both take a quiet
mailbox. Sending the very same form again while it is pending answers with that application and writes no
letter and no audit record, so a double click neither sends a letter nor grows the audit trail.

Before anything is written, the caller's own limit counts the application (`caller_limits.py`: a handful
per hour, a bounded number per day per source address); beyond it: 429 with Retry-After.

Subsidiaries are not proven by the main company's letter: they are named here, and proven after activation
(chalicelib/services/onboarding/proofs.py). Until then they block nobody, and an application naming them is
answered the same whether or not another organisation holds them: an anonymous caller learns nothing about who
is a customer. One that another organisation holds stays with it, and the activation leaves it out.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import Field
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.registry import CompanyRegistry, RegistryEntry
from chalicelib.clock import Clock, isoformat
from chalicelib.errors import (
    AdministratorExists,
    Conflict,
    FieldError,
    InvalidInput,
    NotPrintable,
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
    LetterWatch,
    applications_for,
    letter_message_id,
)
from chalicelib.models.audit import Actor, AuditAction, AuditEvent, Origin, audit_record
from chalicelib.models.base import failed_conditions, transaction
from chalicelib.models.mailbox import get_mailbox
from chalicelib.models.organisation import get_company, get_organisation
from chalicelib.models.outbox import Language, Recipient, outgoing
from chalicelib.models.retention import subject_of
from chalicelib.models.user import active_administrators
from chalicelib.services.onboarding.activation_codes import ActivationCodes, new_code, new_username
from chalicelib.services.onboarding.caller_limits import CallerLimits
from chalicelib.services.onboarding.letter_text import (
    ApplicationBlock,
    applicant_errors,
    compose,
    printed_person,
)
from chalicelib.services.onboarding.mailboxes import Addressee, Pacing, Slot, slot_for_application
from chalicelib.services.onboarding.refusals import CEASED, NO_OFFICIAL_MAILBOX, NOT_IN_REGISTER

LISTED_AS_MAIN = {
    "en": "The main company is already listed.",
    "da": "Fjern selskabet her: det er allerede ansøgningens hovedselskab.",
}
LISTED_TWICE = {"en": "This company is already listed.", "da": "Fjern selskabet her: det står der allerede."}
NOT_LISTED = {
    "en": "Must be the main CVR or one of the subsidiaries' CVRs.",
    "da": "Vælg hovedselskabets CVR-nummer eller et af datterselskabernes.",
}
ACCOUNT_TWICE = {
    "en": "Listed twice for this company.",
    "da": "Fjern kontoen her: den står der allerede for det samme selskab.",
}
APPLY_WITH_MAIN = {
    "en": "Apply with the group's main company's CVR number, or contact support.",
    "da": "Ansøg med CVR-nummeret på koncernens hovedselskab, eller kontakt support.",
}

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


LETTER_NAME = (
    "Printed in the letter to the company's official mailbox, under the rule for every person's name: "
    "letters (of any script), spaces, hyphens, apostrophes and full stops, beginning with a letter."
)


class ApplicantIn(Strict):
    first_name: PersonName = Field(description=LETTER_NAME)
    last_name: PersonName = Field(description=LETTER_NAME)
    email: Email = Field(
        description="The applicant's own address. Never where the activation letter goes. Printed in the "
        "letter, so a plain address: letters, digits, '.', '_', '+' and '-' before the @ (else 422)."
    )
    mobile: Mobile = Field(
        description="8 digits, with or without +45 or 0045 in front; spaces and hyphens are ignored. "
        "Stored as "
        "+45XXXXXXXX."
    )

    def letter_errors(self) -> list[FieldError]:
        """What the letter could not print (`letter_text.py`): the application is refused with 422 for it,
        so that every accepted application can be printed. The names have passed the person-name rule
        already (400), which is the letter's; the address has a rule of the letter's own."""
        return applicant_errors(self.first_name, self.last_name, self.email, prefix="applicant")


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
    """A concurrent application took the mailbox or joined its letter, or (rarely) the username was taken:
    look again."""


def inconsistencies(form: ApplicationForm) -> list[FieldError]:
    """What the fields say about each other: no company twice, every account under a listed company."""
    errors: list[FieldError] = []
    seen = {form.cvr}
    for index, subsidiary in enumerate(form.subsidiaries):
        if subsidiary.cvr in seen:
            said = LISTED_AS_MAIN if subsidiary.cvr == form.cvr else LISTED_TWICE
            errors.append(FieldError(f"subsidiaries.{index}.cvr", said["en"], translations=said))
        seen.add(subsidiary.cvr)
    numbers: set[tuple[str, str]] = set()
    for index, account in enumerate(form.accounts):
        if account.cvr not in seen:
            errors.append(FieldError(f"accounts.{index}.cvr", NOT_LISTED["en"], translations=NOT_LISTED))
        if (account.cvr, account.number) in numbers:
            errors.append(
                FieldError(f"accounts.{index}.number", ACCOUNT_TWICE["en"], translations=ACCOUNT_TWICE)
            )
        numbers.add((account.cvr, account.number))
    return errors


class ApplicationService:
    def __init__(
        self,
        *,
        registry: CompanyRegistry,
        codes: ActivationCodes,
        clock: Clock,
        pacing: Pacing,
        callers: CallerLimits | None = None,
        service_address: str = "",
    ) -> None:
        self._registry = registry
        self._codes = codes
        self._clock = clock
        self._pacing = pacing
        # The API's container always gives the per-caller limits; a service built without them (a test of
        # the letters alone) limits nothing per caller.
        self._callers = callers
        self._service_address = service_address

    def apply(self, form: ApplicationForm, *, origin: Origin) -> ApplicationReceipt:
        errors = inconsistencies(form)
        if errors:
            raise InvalidInput("Some fields do not fit together.", errors=errors)
        unprintable = form.applicant.letter_errors()
        if unprintable:
            raise NotPrintable(
                "The letter to the company's official mailbox prints the applicant's name and e-mail "
                "address, and these cannot be printed in it.",
                errors=unprintable,
            )
        if self._callers is not None:
            self._callers.admit(origin.source_ip)  # counted before anything else is written
        found = self._registered(form)
        org_id = self._organisation_for(form)
        applied = form.model_dump(mode="json")
        main = found[form.cvr]
        to = Addressee(form.cvr, main.name, main.official_mailbox)
        for _ in range(WRITE_ATTEMPTS):
            mailbox = get_mailbox(form.cvr)
            now = self._clock.now()
            same = _same_pending(form.cvr, applied, now)
            if same is not None:
                return ApplicationReceipt(same.application_id, same.letter_due_by, already_pending=True)
            application_id = str(uuid.uuid4())
            slot = slot_for_application(mailbox, to, application_id, now, self._pacing)
            try:
                return self._submit(form, applied, found, org_id, application_id, slot, now, origin)
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
            FieldError(field, NOT_IN_REGISTER["en"], translations=NOT_IN_REGISTER)
            for field, cvr in wanted
            if found[cvr] is None
        ]
        if unknown:
            raise UnknownCompany("Every CVR number must be in the company register.", errors=unknown)
        entries = {cvr: entry for cvr, entry in found.items() if entry is not None}
        ceased = [
            FieldError(field, CEASED["en"], translations=CEASED)
            for field, cvr in wanted
            if entries[cvr].ceased
        ]
        if ceased:
            raise UnknownCompany("A company that has ceased cannot apply.", errors=ceased)
        unaddressed = [
            FieldError(field, NO_OFFICIAL_MAILBOX["en"], translations=NO_OFFICIAL_MAILBOX)
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
            # Subsidiaries another organisation holds are not refused here: the answer would tell an
            # anonymous caller who is a customer. The activation leaves them out (services/activations.py).
            return f"org-{uuid.uuid4().hex[:16]}"
        organisation = get_organisation(company.org_id)
        if organisation is None or organisation.primary_cvr != form.cvr:
            # Never the group's main CVR: an anonymous caller learns nothing about another company.
            raise Conflict(
                "This company belongs to a group in Godkend with another main company.",
                errors=[FieldError("cvr", APPLY_WITH_MAIN["en"], translations=APPLY_WITH_MAIN)],
            )
        if active_administrators(organisation.org_id):
            raise AdministratorExists(
                "The organisation already has an administrator. Ask your administrator to create a login "
                "for you, or contact support if nobody knows the administrator's login."
            )
        return organisation.org_id

    def _submit(
        self,
        form: ApplicationForm,
        applied: dict[str, Any],
        found: dict[str, RegistryEntry],
        org_id: str,
        application_id: str,
        slot: Slot,
        now: datetime,
        origin: Origin,
    ) -> ApplicationReceipt:
        main = found[form.cvr]
        username = new_username()
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
            letter_id=slot.letter_id,
            letter_watch=LetterWatch.PENDING.value,
            code_expires_at=expires_at,
            delete_after=expires_at + RETENTION_AFTER_EXPIRY,
            subject=subject_of(form.applicant.email),
        )
        details = {"letter_to": main.official_mailbox, "letter_due_by": isoformat(now + LETTER_PROMISE)}
        if not slot.at_once:
            details["gathered_into_letter_at"] = isoformat(slot.due_at)
        audit = audit_record(
            AuditEvent(
                org_id,
                AuditAction.APPLICATION_SUBMITTED,
                Actor.anonymous(),
                origin,
                targets={"application_id": application_id, "cvr": form.cvr, "username": username},
                details=details,
            ),
            now=now,
        )
        try:
            with transaction() as tx:
                # The mailbox as read (its version): another application taking it meanwhile fails this.
                tx.save(slot.mailbox)
                tx.save(application, condition=ApplicationModel.application_id.does_not_exist())
                if slot.at_once:
                    self._letter_at_once(tx, form, main, application, now)
                tx.save(*audit)
        except TransactWriteError as exc:
            if failed_conditions(exc):
                raise _Raced from exc
            raise
        return ApplicationReceipt(application_id, now + LETTER_PROMISE, already_pending=False)

    def _letter_at_once(
        self,
        tx: TransactWrite,
        form: ApplicationForm,
        main: RegistryEntry,
        application: ApplicationModel,
        now: datetime,
    ) -> None:
        """The activation and the letter of an application that goes out at once."""
        code = new_code()
        applicant = form.applicant
        tx.save(
            ActivationModel(
                application.username,
                application_id=application.application_id,
                cvr=form.cvr,
                org_id=application.org_id,
                code_digest=self._codes.digest(application.username, code),
                created_at=now,
                expires_at=application.code_expires_at,
                delete_after=application.code_expires_at + RETENTION_AFTER_EXPIRY,
            ),
            condition=ActivationModel.username.does_not_exist(),
        )
        letter = compose(
            company_name=main.name,
            cvr=form.cvr,
            service_address=self._service_address,
            applications=[
                ApplicationBlock(
                    person=printed_person(applicant.first_name, applicant.last_name, applicant.email),
                    username=application.username,
                    code=code,
                    expires_at=application.code_expires_at,
                )
            ],
        )
        tx.save(
            *outgoing(
                letter.kind,
                # The register's address and name: the whole point of the letter.
                to=Recipient(address=main.official_mailbox, name=main.name),
                language=form.language,
                context=letter.context,
                secrets=letter.secrets,
                now=now,
                message_id=letter_message_id(application.application_id),
            )
        )


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
