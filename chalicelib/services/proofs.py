"""Every company is proven before it counts (journey 2).

The main company is proven by its activation letter. A subsidiary is proven either by the company register
(its ownership data names the main company as owner) or by a letter of its own: after activation each
subsidiary the register does not tie to the main company gets a letter to *its* official mailbox with a
single-use code, which an administrator of the organisation enters (`POST
/v1/organisation/companies/{cvr}/proof`). The code is hashed, expires and locks after five wrong tries
exactly as activation codes do (chalicelib/services/activation_codes.py).

Until proven a subsidiary is a *claim* (`CompanyClaimModel`): listed with the status `pending`, but no
codes, no scope, no receipts, and it blocks nobody, because the company item itself (`CompanyModel`, one
per CVR) is written only by a proof, under `attribute_not_exists`. So the first proof wins, whoever named the
company first; the losing claims are dropped. A claim whose code expired unused, or whose organisation was
rejected, is released.

Every proven company without accounts gets a default account, so that codes can be created at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.clock import Clock, isoformat
from chalicelib.errors import (
    ActivationLocked,
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    WrongActivationCode,
)
from chalicelib.models.application import ACTIVATION_VALIDITY, MAX_ATTEMPTS, RETENTION_AFTER_EXPIRY
from chalicelib.models.audit import Actor, ActorKind, AuditAction, AuditEvent, Origin, audit_record
from chalicelib.models.base import transaction
from chalicelib.models.organisation import (
    AccountModel,
    CompanyClaimModel,
    CompanyModel,
    all_claims_of,
    claims_of,
    claims_on,
    companies_of,
    get_claim,
)
from chalicelib.models.outbox import MailKind, Recipient, outgoing
from chalicelib.models.user import UserModel, company_access, get_user
from chalicelib.services.activation_codes import ActivationCodes, new_code, normalise_code
from chalicelib.services.authz import Principal

DEFAULT_ACCOUNT_NUMBER = "1000"
DEFAULT_ACCOUNT_NAME = "Hovedkonto"
CONDITION_FAILED = "ConditionalCheckFailedException"


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


class ProofService:
    def __init__(self, *, codes: ActivationCodes, clock: Clock) -> None:
        self._codes = codes
        self._clock = clock

    def send_letters(
        self,
        *,
        org_id: str,
        organisation_name: str,
        main_cvr: str,
        applicant: dict[str, Any],
        language: str,
        requests: Iterable[ProofRequest],
        origin: Origin,
    ) -> None:
        """One claim and one letter per subsidiary, each in its own transaction (a claim that stands is
        left alone, so a retry sends nothing twice)."""
        for request in requests:
            now = self._clock.now()
            code = new_code()
            expires_at = now + ACTIVATION_VALIDITY
            claim = CompanyClaimModel(
                request.cvr,
                org_id,
                name=request.name,
                legal_name=request.legal_name,
                official_mailbox=request.official_mailbox,
                parent_cvr=main_cvr,
                accounts=[{"number": n, "name": a} for n, a in request.accounts],
                code_digest=self._codes.digest(proof_subject(org_id, request.cvr), code),
                created_at=now,
                expires_at=expires_at,
                delete_after=expires_at + RETENTION_AFTER_EXPIRY,
            )
            letter = outgoing(
                MailKind.PROOF_LETTER,
                to=Recipient(address=request.official_mailbox, name=request.legal_name),
                language=language,
                context={
                    "cvr": request.cvr,
                    "main_cvr": main_cvr,
                    "organisation_name": organisation_name,
                    "applicant_name": f"{applicant['first_name']} {applicant['last_name']}",
                    "applicant_email": applicant["email"],
                    "expires_at": isoformat(expires_at),
                },
                secrets={"activation_code": code},
                now=now,
                message_id=f"{MailKind.PROOF_LETTER.value}:{org_id}:{request.cvr}",
            )
            event = AuditEvent(
                org_id,
                AuditAction.COMPANY_PROOF_SENT,
                Actor.anonymous(),
                origin,
                targets={"cvr": request.cvr},
                details={"letter_to": request.official_mailbox},
            )
            try:
                with transaction() as tx:
                    tx.save(claim, condition=CompanyClaimModel.cvr.does_not_exist())
                    tx.save(*letter)
                    tx.save(*audit_record(event, now=now))
            except TransactWriteError:
                continue  # already claimed and lettered by an earlier try of this activation

    def prove(self, principal: Principal, cvr: str, typed: str, *, origin: Origin) -> dict[str, Any]:
        """An administrator enters the code from a subsidiary's letter: the company becomes the group's."""
        if normalise_code(typed) is None:
            raise InvalidInput(
                "That is not a code from a letter.",
                errors=[FieldError("activation_code", "12 letters and digits as in the letter.")],
            )
        org_id = principal.org_id or ""
        now = self._clock.now()
        claim = get_claim(cvr, org_id)
        if claim is None or not claim.is_open(now):
            raise NotFound("No company with this CVR number is waiting for proof in your organisation.")
        if claim.attempts >= MAX_ATTEMPTS:
            raise ActivationLocked(
                "This company's code is locked after too many wrong tries; contact support."
            )
        self._count_try(claim)
        if not self._codes.matches(claim.code_digest, proof_subject(org_id, cvr), typed):
            self._refuse(claim, principal, origin, now)
        self._commit(claim, principal, origin, now)
        drop_losing_claims(cvr, winner=org_id, now=now)
        return {"cvr": cvr, "status": "proven"}

    def _count_try(self, claim: CompanyClaimModel) -> None:
        try:
            claim.update(
                actions=[CompanyClaimModel.attempts.add(1)],
                condition=CompanyClaimModel.attempts < MAX_ATTEMPTS,
            )
        except UpdateError as exc:
            if exc.cause_response_code != CONDITION_FAILED:
                raise
            raise ActivationLocked(
                "This company's code is locked after too many wrong tries; contact support."
            ) from exc

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
            raise ActivationLocked("The code is now locked after too many wrong tries; contact support.")
        raise WrongActivationCode("The code is wrong.", errors=[FieldError("activation_code", "Wrong code.")])

    def _commit(self, claim: CompanyClaimModel, principal: Principal, origin: Origin, now: datetime) -> None:
        proven = ProvenCompany(
            cvr=claim.cvr,
            name=claim.name,
            legal_name=claim.legal_name,
            parent_cvr=claim.parent_cvr,
            proven_by=ProvenBy.LETTER,
            accounts=[(str(a["number"]), str(a["name"])) for a in claim.accounts or []],
        )
        prover = get_user(principal.user_id)
        try:
            with transaction() as tx:
                write_proven_company(tx, claim.org_id, proven, now)
                tx.delete(claim, condition=CompanyClaimModel.attempts == claim.attempts)
                if prover is not None:
                    # The administrator who proved it may now give it to colleagues.
                    tx.update(
                        prover,
                        actions=[
                            UserModel.companies.set(
                                UserModel.companies.append([company_access(claim.cvr, None)])
                            )
                        ],
                    )
                tx.save(
                    *audit_record(
                        AuditEvent(
                            claim.org_id,
                            AuditAction.COMPANY_PROVEN,
                            Actor(ActorKind.USER, principal.user_id),
                            origin,
                            targets={"cvr": claim.cvr},
                            details={"by": ProvenBy.LETTER},
                        ),
                        now=now,
                    )
                )
        except TransactWriteError as exc:
            if CompanyModel.count(claim.cvr) and _drop(claim):
                raise Conflict(
                    "Another organisation has proven this company first; it cannot join yours. "
                    "Contact support if you think this is wrong."
                ) from exc
            raise Conflict("This company changed meanwhile; try again.") from exc


def _drop(claim: CompanyClaimModel) -> bool:
    try:
        claim.delete()
    except DeleteError:
        return False
    return True


def drop_losing_claims(cvr: str, *, winner: str, now: datetime) -> None:
    """The company is proven for `winner`: every other organisation's claim on it is dropped."""
    for claim in claims_on(cvr):
        if claim.org_id != winner and _drop(claim):
            _note_dropped(claim, now, reason="proven_by_another_organisation")


def release_claims(org_id: str, now: datetime, *, reason: str) -> None:
    """Drop an organisation's pending companies (it was rejected): their real owners owe it nothing."""
    for claim in all_claims_of(org_id):
        if _drop(claim):
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
            "proof": "pending",
            "proven_by": None,
        }
        for c in claims_of(org_id, now)
    ]
    return found
