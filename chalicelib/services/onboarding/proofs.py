"""Every company is proven before it counts (journey 2).

The main company is proven by its activation letter. A subsidiary is proven either by the company register
(its ownership data names the main company as owner) or by a letter of its own: after activation each
subsidiary the register does not tie to the main company gets a letter to *its* official mailbox with a
single-use code, which an administrator of the organisation enters (`POST
/v1/organisation/companies/{cvr}/proof`). The code is hashed, expires and locks after five wrong tries
exactly as activation codes do (chalicelib/services/onboarding/activation_codes.py).

Until proven a subsidiary is a *claim* (`CompanyClaimModel`): listed with the status `pending`, but no
codes, no scope, no receipts, and it blocks nobody, because the company item itself (`CompanyModel`, one
per CVR) is written only by a proof, under `attribute_not_exists`. So the first proof wins, whoever named the
company first; the losing claims are dropped. A claim whose code expired unused, or whose organisation was
rejected, is released. A company another organisation already holds is never claimed: the activation leaves
it out and tells the administrator (chalicelib/services/onboarding/activations.py).

A proof letter shares its company's official mailbox with the activation letters (`mailboxes.py`): it goes
at once to a quiet mailbox, and otherwise its claim waits, without a code, for the mailbox's next gathered
letter, which writes the code and carries it as a block of its own (`gathered_letters.py`). The letter names
who asked by the name and e-mail of their login, and the group by the register's name of its main company,
never by the organisation's typed name (`letter_text.py`).

Every proven company without accounts gets a default account, so that codes can be created at once.

Who may prove a company is who may ask for its letter: an administrator (the `users` function, the routes'
rule) with full access to the main company, of an organisation that may still grow (`may_add_companies`).
A proven company belongs to the group's administrators, not to whoever typed the code: every administrator
with full access to the main company gets full access to it in the proof's transaction, so none of them
finds a colleague beyond their reach because of a company proven after they were made administrators.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.clock import Clock, isoformat
from chalicelib.errors import (
    ActivationLocked,
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    NotPrintable,
    UnknownCompany,
    WrongActivationCode,
)
from chalicelib.log import logger
from chalicelib.models.application import ACTIVATION_VALIDITY, MAX_ATTEMPTS, RETENTION_AFTER_EXPIRY
from chalicelib.models.audit import Actor, ActorKind, AuditAction, AuditEvent, Origin, audit_record
from chalicelib.models.base import failed_conditions, transaction
from chalicelib.models.mailbox import get_mailbox
from chalicelib.models.organisation import (
    AccountModel,
    CompanyClaimModel,
    CompanyModel,
    OrganisationModel,
    OrganisationStatus,
    all_claims_of,
    claims_of,
    claims_on,
    companies_of,
    get_claim,
    get_company,
    get_organisation,
    touch,
)
from chalicelib.models.outbox import MailKind, Recipient, outgoing
from chalicelib.models.user import UserModel, company_access, get_user, users_of
from chalicelib.services.access.authz import Access, CompanyScope, Function, Principal
from chalicelib.services.onboarding.activation_codes import ActivationCodes, new_code, normalise_code
from chalicelib.services.onboarding.letter_text import PrintedPerson, ProofBlock, compose, printed_person
from chalicelib.services.onboarding.mailboxes import Addressee, Pacing, Slot, slot_for_claim
from chalicelib.services.onboarding.refusals import (
    CEASED,
    NO_OFFICIAL_MAILBOX,
    NOT_A_CODE,
    NOT_IN_REGISTER,
    WRONG_CODE,
)

ALREADY_IN_GODKEND = {
    "en": "Already part of an organisation in Godkend.",
    "da": "Selskabet hører allerede til en organisation i Godkend. Kontakt support, hvis det ikke passer.",
}
LETTER_ON_ITS_WAY = {
    "en": "A letter for this company is already on its way.",
    "da": "Der er allerede et brev med en kode på vej til selskabet. Indtast koden fra det brev.",
}

if TYPE_CHECKING:
    # Only for the annotations: the register adapter brings in an HTTP client that most requests never use.
    from chalicelib.adapters.registry import CompanyRegistry, RegistryEntry


DEFAULT_ACCOUNT_NUMBER = "1000"
DEFAULT_ACCOUNT_NAME = "Hovedkonto"
CONDITION_FAILED = "ConditionalCheckFailedException"
ASK_AGAIN = "Ask for a new letter to the company (POST /v1/organisation/companies)."
LOCKED = f"This company's code is locked after too many wrong tries. {ASK_AGAIN}"
# As many as an application may name: what one administrator can have waiting for proof at a time.
MAX_PENDING_COMPANIES = 20
# An organisation that is suspended or rejected cannot add companies (a rejected one's claims are released).
GROWING = frozenset({OrganisationStatus.PENDING_REVIEW.value, OrganisationStatus.APPROVED.value})
WRITE_ATTEMPTS = 3
MAX_TRANSACTION_ITEMS = 100
# Where `_write_claim` puts the mailbox and the claim in its transaction.
MAILBOX_POSITION, CLAIM_POSITION = 0, 1


class ProvenBy:
    LETTER = "letter"  # the activation letter (main company) or the company's own proof letter
    OWNERSHIP = "ownership"  # the register names the main company as its owner


@dataclass(frozen=True)
class ProvenCompany:
    cvr: str
    name: str
    legal_name: str
    parent_cvr: str | None
    proven_by: str
    accounts: Sequence[tuple[str, str]]


def write_proven_company(tx: TransactWrite, org_id: str, company: ProvenCompany, now: datetime) -> None:
    """The company item (only if no organisation has the CVR yet) and its accounts, or the default one."""
    tx.save(
        CompanyModel(
            company.cvr,
            org_id=org_id,
            name=company.name,
            legal_name=company.legal_name,
            parent_cvr=company.parent_cvr,
            proven_by=company.proven_by,
            created_at=now,
        ),
        condition=CompanyModel.cvr.does_not_exist(),
    )
    accounts = list(company.accounts) or [(DEFAULT_ACCOUNT_NUMBER, DEFAULT_ACCOUNT_NAME)]
    for number, name in accounts:
        tx.save(
            AccountModel(company.cvr, number, org_id=org_id, name=name, created_at=now),
            condition=AccountModel.number.does_not_exist(),
        )


def proof_subject(org_id: str, cvr: str) -> str:
    """What a subsidiary's code is bound to in its keyed hash, as an activation code is to its username."""
    return f"proof:{org_id}:{cvr}"


@dataclass(frozen=True)
class ProofRequest:
    """A subsidiary named in an activated application that the register does not tie to the main company."""

    cvr: str
    name: str
    legal_name: str
    official_mailbox: str
    accounts: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class ProofLetter:
    """Who a subsidiary's letter says asked for it (`requester`, the login `requester_id`), and for which
    group: the register's name and CVR of its main company."""

    org_id: str
    main_company_name: str
    main_cvr: str
    requester_id: str
    requester: PrintedPerson
    language: str
    message_id: str | None


@dataclass(frozen=True)
class NamedCompany:
    cvr: str
    status: str  # "proven" (by the register's ownership data) or "pending" (a letter is on its way)
    letter_expires_at: datetime | None

    def answer(self) -> CompanyNamed:
        return CompanyNamed(
            cvr=self.cvr,
            status=self.status,
            letter_expires_at=isoformat(self.letter_expires_at) if self.letter_expires_at else None,
        )


@dataclass(frozen=True)
class CompanyNamed:
    """The answer to naming a company: proven at once, or pending until its letter's code is entered."""

    cvr: str
    status: str
    letter_expires_at: str | None


@dataclass(frozen=True)
class CompanyProven:
    cvr: str
    status: str = "proven"


class ProofService:
    def __init__(
        self,
        *,
        codes: ActivationCodes,
        clock: Clock,
        registry: CompanyRegistry,
        pacing: Pacing,
        service_address: str = "",
    ) -> None:
        self._codes = codes
        self._clock = clock
        self._registry = registry
        self._pacing = pacing
        self._service_address = service_address

    def send_letters(
        self,
        *,
        org_id: str,
        main_company_name: str,
        main_cvr: str,
        requester_id: str,
        applicant: dict[str, Any],
        language: str,
        requests: Iterable[ProofRequest],
        origin: Origin,
    ) -> None:
        """One claim and one letter (at once, or gathered) per subsidiary, each in its own transaction (a
        claim that stands is left alone, so a retry sends nothing twice)."""
        try:
            requester = printed_person(applicant["first_name"], applicant["last_name"], applicant["email"])
        except NotPrintable:
            # Only an application from before letters had print rules: its administrator names the
            # subsidiaries again under Stamdata, where the letter prints their login's name.
            logger.warning("the applicant's name cannot be printed; no subsidiary letters for %s", org_id)
            return
        for request in requests:
            letter = ProofLetter(
                org_id=org_id,
                main_company_name=main_company_name,
                main_cvr=main_cvr,
                requester_id=requester_id,
                requester=requester,
                language=language,
                # Derived from the cause: an activation's letters are written once however often it is tried.
                message_id=f"{MailKind.PROOF_LETTER.value}:{org_id}:{request.cvr}",
            )
            for _ in range(WRITE_ATTEMPTS):
                try:
                    self._write_claim(request, letter, None, Actor.anonymous(), origin, self._clock.now())
                except TransactWriteError as exc:
                    if CLAIM_POSITION in failed_conditions(exc):
                        break  # already claimed and lettered by an earlier try of this activation
                    # Another letter to this mailbox, or another write to the organisation, meanwhile: the
                    # slot and the organisation's version are read again.
                    continue
                break

    def name_company(self, principal: Principal, cvr: str, name: str, *, origin: Origin) -> NamedCompany:
        """An administrator names a company of the group after activation, or asks again for a letter
        whose code expired or locked: it counts at once where the register names the main company as its
        owner, and otherwise gets a letter of its own, within the letter quota of its CVR."""
        organisation = may_add_companies(principal)
        taken = get_company(cvr)
        if taken is not None:
            raise Conflict(
                "This company is already part of your organisation."
                if taken.org_id == organisation.org_id
                else "This company already belongs to another organisation in Godkend; contact support.",
                errors=[FieldError("cvr", ALREADY_IN_GODKEND["en"], translations=ALREADY_IN_GODKEND)],
            )
        entry = self._registered(cvr)
        now = self._clock.now()
        if entry.owned_by(organisation.primary_cvr):
            return self._prove_by_ownership(principal, organisation, entry, name, origin, now)
        return self._ask_for_letter(principal, organisation, entry, name, origin, now)

    def _registered(self, cvr: str) -> RegistryEntry:
        """The register's entry: there, active, with an official mailbox (as an application checks)."""
        entry = self._registry.lookup(cvr)
        if entry is None:
            reason = NOT_IN_REGISTER
        elif entry.ceased:
            reason = CEASED
        elif "@" not in entry.official_mailbox:
            reason = NO_OFFICIAL_MAILBOX
        else:
            return entry
        raise UnknownCompany(reason["en"], errors=[FieldError("cvr", reason["en"], translations=reason)])

    def _prove_by_ownership(
        self,
        principal: Principal,
        organisation: OrganisationModel,
        entry: RegistryEntry,
        name: str,
        origin: Origin,
        now: datetime,
    ) -> NamedCompany:
        own_claim = get_claim(entry.cvr, organisation.org_id)
        proven = ProvenCompany(
            cvr=entry.cvr,
            name=name,
            legal_name=entry.name,
            parent_cvr=organisation.primary_cvr,
            proven_by=ProvenBy.OWNERSHIP,
            accounts=_accounts_of(own_claim),
        )
        try:
            with transaction() as tx:
                left = _write_proof(tx, organisation, proven, principal, origin, now)
                if own_claim is not None:
                    tx.delete(own_claim)  # its letter's code has nothing left to prove
        except TransactWriteError as exc:
            raise Conflict("This company changed meanwhile; try again.") from exc
        give_company_to(left, entry.cvr, main_cvr=organisation.primary_cvr)
        drop_losing_claims(entry.cvr, winner=organisation.org_id, now=now)
        return NamedCompany(cvr=entry.cvr, status="proven", letter_expires_at=None)

    def _ask_for_letter(
        self,
        principal: Principal,
        organisation: OrganisationModel,
        entry: RegistryEntry,
        name: str,
        origin: Origin,
        now: datetime,
    ) -> NamedCompany:
        spent = get_claim(entry.cvr, organisation.org_id)
        if spent is not None and spent.is_open(now) and spent.attempts < MAX_ATTEMPTS:
            raise Conflict(
                "A letter with a code for this company is already on its way to its official mailbox; enter "
                "that code. A new letter can be asked for once the code has expired or locked.",
                errors=[FieldError("cvr", LETTER_ON_ITS_WAY["en"], translations=LETTER_ON_ITS_WAY)],
            )
        if spent is None and len(claims_of(organisation.org_id, now)) >= MAX_PENDING_COMPANIES:
            raise Conflict(
                f"At most {MAX_PENDING_COMPANIES} companies can wait for proof at a time; prove or let "
                "some expire first."
            )
        requester = get_user(principal.user_id)
        if requester is None:
            raise NotFound("No such user.")
        request = ProofRequest(
            cvr=entry.cvr,
            name=name,
            legal_name=entry.name,
            official_mailbox=entry.official_mailbox,
            accounts=_accounts_of(spent),
        )
        letter = ProofLetter(
            org_id=organisation.org_id,
            main_company_name=organisation.legal_name or organisation.primary_cvr,
            main_cvr=organisation.primary_cvr,
            requester_id=requester.user_id,
            # The letter prints the asker's name and e-mail: 422 when its rule refuses them.
            requester=printed_person(requester.first_name, requester.last_name, requester.email),
            language=requester.language,
            message_id=None,  # the claim's condition is what keeps a second letter from going out
        )
        actor = Actor(ActorKind.USER, principal.user_id)
        for _ in range(WRITE_ATTEMPTS):
            try:
                claim = self._write_claim(request, letter, spent, actor, origin, self._clock.now())
            except TransactWriteError as exc:
                failed = failed_conditions(exc)
                if MAILBOX_POSITION in failed and CLAIM_POSITION not in failed:
                    continue  # another letter to this mailbox meanwhile: take the slot again
                raise Conflict(
                    "Another request for this company's letter came at the same time; look at the "
                    "organisation's pending companies before asking again."
                ) from exc
            return NamedCompany(cvr=entry.cvr, status="pending", letter_expires_at=claim.expires_at)
        raise Conflict("The letter could not be registered; please try again.")

    def _write_claim(
        self,
        request: ProofRequest,
        letter: ProofLetter,
        spent: CompanyClaimModel | None,
        actor: Actor,
        origin: Origin,
        now: datetime,
    ) -> CompanyClaimModel:
        """The mailbox, the claim, its letter when it goes at once, and the audit record: one transaction, in
        this order. A claim replaces a spent one only as it was read, so two requests send one letter."""
        to = Addressee(request.cvr, request.legal_name, request.official_mailbox)
        slot = slot_for_claim(get_mailbox(request.cvr), to, letter.org_id, now, self._pacing)
        code = new_code() if slot.at_once else None
        claim = self._claim(request, letter, slot, code, now)
        with transaction() as tx:
            tx.save(slot.mailbox)
            tx.save(
                claim,
                condition=CompanyClaimModel.cvr.does_not_exist()
                if spent is None
                else CompanyClaimModel.created_at == spent.created_at,
            )
            if code is not None:
                self._letter_at_once(tx, request, letter, code, claim.expires_at, now)
            details: dict[str, Any] = {"letter_to": request.official_mailbox}
            if not slot.at_once:
                details["gathered_into_letter_at"] = isoformat(slot.due_at)
            tx.save(
                *audit_record(
                    AuditEvent(
                        letter.org_id,
                        AuditAction.COMPANY_PROOF_SENT,
                        actor,
                        origin,
                        targets={"cvr": request.cvr},
                        details=details,
                    ),
                    now=now,
                )
            )
            touch(tx, letter.org_id, now)  # a new pending company is news to staff's review
        return claim

    def _claim(
        self, request: ProofRequest, letter: ProofLetter, slot: Slot, code: str | None, now: datetime
    ) -> CompanyClaimModel:
        expires_at = now + ACTIVATION_VALIDITY
        return CompanyClaimModel(
            request.cvr,
            letter.org_id,
            name=request.name,
            legal_name=request.legal_name,
            official_mailbox=request.official_mailbox,
            parent_cvr=letter.main_cvr,
            accounts=[{"number": n, "name": a} for n, a in request.accounts],
            # No code yet while it waits for the gathered letter, which writes it.
            code_digest=self._codes.digest(proof_subject(letter.org_id, request.cvr), code) if code else "",
            letter_id=slot.letter_id,
            asked_by=letter.requester_id,
            created_at=now,
            expires_at=expires_at,
            delete_after=expires_at + RETENTION_AFTER_EXPIRY,
        )

    def _letter_at_once(
        self,
        tx: TransactWrite,
        request: ProofRequest,
        letter: ProofLetter,
        code: str,
        expires_at: datetime,
        now: datetime,
    ) -> None:
        composed = compose(
            company_name=request.legal_name,
            cvr=request.cvr,
            service_address=self._service_address,
            proofs=[
                ProofBlock(
                    person=letter.requester,
                    main_company_name=letter.main_company_name,
                    main_cvr=letter.main_cvr,
                    code=code,
                    expires_at=expires_at,
                )
            ],
        )
        tx.save(
            *outgoing(
                composed.kind,
                to=Recipient(address=request.official_mailbox, name=request.legal_name),
                language=letter.language,
                context=composed.context,
                secrets=composed.secrets,
                now=now,
                message_id=letter.message_id,
            )
        )

    def prove(self, principal: Principal, cvr: str, typed: str, *, origin: Origin) -> CompanyProven:
        """An administrator enters the code from a subsidiary's letter: the company becomes the group's."""
        if normalise_code(typed) is None:
            raise InvalidInput(
                "That is not a code from a letter.",
                errors=[FieldError("activation_code", NOT_A_CODE["en"], translations=NOT_A_CODE)],
            )
        # Before the code is looked at: a caller who may not prove the company must not use up its tries.
        organisation = may_add_companies(principal)
        org_id = organisation.org_id
        now = self._clock.now()
        claim = get_claim(cvr, org_id)
        if claim is None or not claim.is_open(now):
            raise NotFound(
                "No company with this CVR number is waiting for proof in your organisation. If its letter's "
                f"code expired, ask for a new one: {ASK_AGAIN}"
            )
        if claim.waits_for_letter:
            raise Conflict(
                "The letter with this company's code has not gone out yet: its official mailbox got a "
                "letter from Godkend a short while ago, so this one follows with the next (within 2 hours). "
                "Enter the code from that letter."
            )
        if claim.attempts >= MAX_ATTEMPTS:
            raise ActivationLocked(LOCKED)
        self._count_try(claim)
        if not self._codes.matches(claim.code_digest, proof_subject(org_id, cvr), typed):
            self._refuse(claim, principal, origin, now)
        self._commit(organisation, claim, principal, origin, now)
        drop_losing_claims(cvr, winner=org_id, now=now)
        return CompanyProven(cvr=cvr)

    def _count_try(self, claim: CompanyClaimModel) -> None:
        if claim.attempts + 1 >= MAX_ATTEMPTS:
            self._count_last_try(claim)
            return
        try:
            claim.update(
                actions=[CompanyClaimModel.attempts.add(1)],
                condition=CompanyClaimModel.attempts < MAX_ATTEMPTS,
            )
        except UpdateError as exc:
            if exc.cause_response_code != CONDITION_FAILED:
                raise
            raise ActivationLocked(LOCKED) from exc

    def _count_last_try(self, claim: CompanyClaimModel) -> None:
        """The try that locks the claim if wrong: counted with the organisation touched, as the company then
        shows as locked in staff's review."""
        try:
            with transaction() as tx:
                tx.update(
                    claim,
                    actions=[CompanyClaimModel.attempts.add(1)],
                    condition=CompanyClaimModel.attempts < MAX_ATTEMPTS,
                )
                touch(tx, claim.org_id, self._clock.now())
        except TransactWriteError as exc:
            raise ActivationLocked(LOCKED) from exc
        claim.attempts += 1

    def _refuse(self, claim: CompanyClaimModel, principal: Principal, origin: Origin, now: datetime) -> None:
        with transaction() as tx:
            tx.save(
                *audit_record(
                    AuditEvent(
                        claim.org_id,
                        AuditAction.COMPANY_PROOF_REFUSED,
                        Actor(ActorKind.USER, principal.user_id),
                        origin,
                        targets={"cvr": claim.cvr},
                        details={"tries": int(claim.attempts)},
                    ),
                    now=now,
                )
            )
        if claim.attempts >= MAX_ATTEMPTS:
            raise ActivationLocked(f"The code is now locked after too many wrong tries. {ASK_AGAIN}")
        raise WrongActivationCode(
            "The code is wrong.",
            errors=[FieldError("activation_code", WRONG_CODE["en"], translations=WRONG_CODE)],
        )

    def _commit(
        self,
        organisation: OrganisationModel,
        claim: CompanyClaimModel,
        principal: Principal,
        origin: Origin,
        now: datetime,
    ) -> None:
        proven = ProvenCompany(
            cvr=claim.cvr,
            name=claim.name,
            legal_name=claim.legal_name,
            parent_cvr=claim.parent_cvr,
            proven_by=ProvenBy.LETTER,
            accounts=_accounts_of(claim),
        )
        try:
            with transaction() as tx:
                left = _write_proof(tx, organisation, proven, principal, origin, now)
                tx.delete(claim, condition=CompanyClaimModel.attempts == claim.attempts)
        except TransactWriteError as exc:
            if CompanyModel.count(claim.cvr) and _drop(claim, now):
                raise Conflict(
                    "Another organisation has proven this company first; it cannot join yours. "
                    "Contact support if you think this is wrong."
                ) from exc
            raise Conflict("This company changed meanwhile; try again.") from exc
        give_company_to(left, claim.cvr, main_cvr=organisation.primary_cvr)


def may_add_companies(principal: Principal) -> OrganisationModel:
    """The caller's organisation, if they may add a company to it: ask for a company's letter, or prove the
    company with its code (the routes ask for the `users` function besides). The one place that says so."""
    organisation = get_organisation(principal.org_id or "")
    if organisation is None:
        raise NotFound("No organisation.")
    if organisation.status not in GROWING:
        raise Conflict("A suspended or rejected organisation cannot add companies.")
    if not is_group_administrator(principal.functions, principal.companies.get(organisation.primary_cvr)):
        raise Forbidden(
            "Adding a company to the organisation, or proving one, needs the 'users' function and full "
            "access to the main company."
        )
    return organisation


def is_group_administrator(functions: Iterable[str], main: CompanyScope | None) -> bool:
    """An administrator with full access to the main company: who adds companies, and who gets each one
    proven later."""
    return Function.USERS.value in {str(function) for function in functions} and (
        main is not None and main.access is Access.FULL
    )


def _accounts_of(claim: CompanyClaimModel | None) -> list[tuple[str, str]]:
    """The accounts the application gave a claimed company: kept when a new letter replaces its claim."""
    return [(str(a["number"]), str(a["name"])) for a in (claim.accounts or [])] if claim else []


def _write_proof(
    tx: TransactWrite,
    organisation: OrganisationModel,
    proven: ProvenCompany,
    principal: Principal,
    origin: Origin,
    now: datetime,
) -> list[UserModel]:
    """The proven company, its accounts and the audit record; every administrator with full access to the
    main company (the one who proved it among them) gets full access to it, and may give it to colleagues.
    Each of them is updated as read (their version), so a scope changed meanwhile cancels the proof, and
    the caller tries again. Answers the administrators left for `give_company_to`."""
    org_id = organisation.org_id
    write_proven_company(tx, org_id, proven, now)
    # A company proven (and its claim gone) changes what staff review of the organisation.
    touch(tx, org_id, now)
    administrators = [
        user
        for user in group_administrators(org_id, main_cvr=organisation.primary_cvr)
        if all(entry.cvr != proven.cvr for entry in user.companies or [])
    ]
    # DynamoDB takes at most 100 items in a transaction: the company, its accounts, the claim, the
    # organisation's version, the audit record and, as a rule, every administrator. Any beyond that are given
    # it right after the commit.
    room = MAX_TRANSACTION_ITEMS - (len(proven.accounts) or 1) - 4
    for administrator in administrators[:room]:
        tx.update(administrator, actions=[_with_company(proven.cvr)])
    tx.save(
        *audit_record(
            AuditEvent(
                org_id,
                AuditAction.COMPANY_PROVEN,
                Actor(ActorKind.USER, principal.user_id),
                origin,
                targets={"cvr": proven.cvr},
                details={"by": proven.proven_by},
            ),
            now=now,
        )
    )
    return administrators[room:]


def _with_company(cvr: str) -> Action:
    return UserModel.companies.set(UserModel.companies.append([company_access(cvr, None)]))


def give_company_to(users: Iterable[UserModel], cvr: str, *, main_cvr: str) -> None:
    """After a proof, for administrators its transaction had no room for: each as read, read again when it
    changed meanwhile (and left alone if it no longer administers the group, or is gone)."""
    for user in users:
        for _ in range(WRITE_ATTEMPTS):
            if not administers_group(user, main_cvr) or any(
                entry.cvr == cvr for entry in user.companies or []
            ):
                break
            try:
                user.update(actions=[_with_company(cvr)])
                break
            except UpdateError as exc:
                if exc.cause_response_code != CONDITION_FAILED:
                    raise
            try:
                user.refresh(consistent_read=True)
            except UserModel.DoesNotExist:
                break


def group_administrators(org_id: str, *, main_cvr: str) -> list[UserModel]:
    """The organisation's users (any status: a disabled one may be enabled again) who hold the `users`
    function and full access to the main company."""
    return [user for user in users_of(org_id) if administers_group(user, main_cvr)]


def administers_group(user: UserModel, main_cvr: str) -> bool:
    main = next((entry for entry in user.companies or [] if entry.cvr == main_cvr), None)
    scope = CompanyScope(main.cvr, Access(main.access)) if main is not None else None
    return is_group_administrator([str(function) for function in user.functions or []], scope)


def _drop(claim: CompanyClaimModel, now: datetime) -> bool:
    try:
        with transaction() as tx:
            tx.delete(claim, condition=CompanyClaimModel.cvr.exists())
            if get_organisation(claim.org_id) is not None:
                # A pending company gone changes what staff review of the organisation.
                touch(tx, claim.org_id, now)
    except TransactWriteError:
        return False
    return True


def drop_losing_claims(cvr: str, *, winner: str, now: datetime) -> None:
    """The company is proven for `winner`: every other organisation's claim on it is dropped."""
    for claim in claims_on(cvr):
        if claim.org_id != winner and _drop(claim, now):
            _note_dropped(claim, now, reason="proven_by_another_organisation")


def release_claims(org_id: str, now: datetime, *, reason: str) -> None:
    """Drop an organisation's pending companies (it was rejected): their real owners owe it nothing."""
    for claim in all_claims_of(org_id):
        if _drop(claim, now):
            _note_dropped(claim, now, reason=reason)


def _note_dropped(claim: CompanyClaimModel, now: datetime, *, reason: str) -> None:
    with transaction() as tx:
        tx.save(
            *audit_record(
                AuditEvent(
                    claim.org_id,
                    AuditAction.COMPANY_CLAIM_DROPPED,
                    # Nobody of this organisation did it; another's proof, or staff's rejection.
                    Actor.anonymous(),
                    Origin(),
                    targets={"cvr": claim.cvr},
                    details={"reason": reason},
                ),
                now=now,
            )
        )


def organisation_companies(org_id: str, now: datetime) -> list[dict[str, Any]]:
    """Every company of an organisation with its proof status: proven ones and open claims."""
    found: list[dict[str, Any]] = [
        {
            "cvr": c.cvr,
            "name": c.name,
            "legal_name": c.legal_name,
            "parent_cvr": c.parent_cvr,
            "proof": "proven",
            "proven_by": c.proven_by or ProvenBy.LETTER,
        }
        for c in companies_of(org_id)
    ]
    found += [
        {
            "cvr": c.cvr,
            "name": c.name,
            "legal_name": c.legal_name,
            "parent_cvr": c.parent_cvr,
            "proof": c.proof,
            "proven_by": None,
        }
        for c in claims_of(org_id, now)
    ]
    return found
