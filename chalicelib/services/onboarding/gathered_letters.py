"""The scheduled sender of gathered letters (`chalicelib/services/onboarding/mailboxes.py` has the rules).

Every few minutes (`chalicelib/events/letters.py`) it queries the sparse `by-gathering-due` index for the
mailboxes whose gathered letter is due (never a Scan, so its cost grows with the letters, not the table), and
for each writes the letter in one transaction:

- for each application it carries that is still pending: the activation (a new code, stored as its keyed
  hash, under the username the application was given), and a block in the letter with the applicant's
  name and e-mail above that username and code;
- for each claim on the company still waiting for its code: the code's keyed hash on the claim, and a block
  with who asked (by their login's name and e-mail) and for which group (by the register's name of its main
  company);
- the letter itself (the outbox, which mails it), and the mailbox: the gathered letter closed and its time
  recorded as the mailbox's latest letter, so the next one is gathered for an interval later.

The mailbox is saved under its version, so an application that joins the letter while it is being written
makes the transaction fail; the sender then reads again and the letter carries it too. An application voided
meanwhile (another letter was activated) is left out and its promise no longer watched; a claim dropped
meanwhile (another organisation proved the company) is left out. Claims beyond `MAX_PROOFS` wait for the
next letter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.clock import Clock
from chalicelib.errors import NotPrintable
from chalicelib.log import logger
from chalicelib.models.application import (
    RETENTION_AFTER_EXPIRY,
    ActivationModel,
    ApplicationModel,
    ApplicationStatus,
    LetterWatch,
    applications_by_id,
)
from chalicelib.models.base import transaction
from chalicelib.models.mailbox import MailboxModel, gathered_letters_due, get_mailbox
from chalicelib.models.organisation import CompanyClaimModel, get_claim, get_organisation
from chalicelib.models.outbox import Language, Recipient, outgoing
from chalicelib.models.user import get_user
from chalicelib.services.onboarding.activation_codes import ActivationCodes, new_code
from chalicelib.services.onboarding.letter_text import ApplicationBlock, ProofBlock, compose, printed_person
from chalicelib.services.onboarding.mailboxes import MAX_PROOFS, Pacing, after_sending
from chalicelib.services.onboarding.proofs import proof_subject

WRITE_ATTEMPTS = 3


@dataclass(frozen=True)
class GatheredRun:
    """One run: the letters written, the requests they carried, and the gathered letters left with nothing
    to send (everything in them voided or dropped meanwhile)."""

    letters: int = 0
    applications: int = 0
    proofs: int = 0
    emptied: int = 0
    failed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Carried:
    """What one gathered letter carries once read: its application and claim blocks with their new codes,
    the applications it no longer owes a letter, and the claims left for the next letter."""

    applications: list[tuple[ApplicationModel, ApplicationBlock]]
    proofs: list[tuple[CompanyClaimModel, ProofBlock]]
    released: list[ApplicationModel]
    left_claims: list[str]
    language: str


class GatheredLetterService:
    def __init__(
        self, *, codes: ActivationCodes, clock: Clock, pacing: Pacing, service_address: str = ""
    ) -> None:
        self._codes = codes
        self._clock = clock
        self._pacing = pacing
        self._service_address = service_address

    def send_due(self) -> GatheredRun:
        now = self._clock.now()
        letters = applications = proofs = emptied = 0
        failed: list[str] = []
        for cvr in gathered_letters_due(now):
            try:
                carried = self._send(cvr, now)
            except Exception:
                # One mailbox's failure must not hold up the others; it is due again on the next run.
                logger.exception("the gathered letter to CVR %s could not be written", cvr)
                failed.append(cvr)
                continue
            if carried is None:
                continue
            if carried.applications or carried.proofs:
                letters += 1
                applications += len(carried.applications)
                proofs += len(carried.proofs)
            else:
                emptied += 1
        return GatheredRun(letters, applications, proofs, emptied, failed)

    def _send(self, cvr: str, now: datetime) -> _Carried | None:
        for _ in range(WRITE_ATTEMPTS):
            mailbox = get_mailbox(cvr)
            if mailbox is None or not mailbox.is_gathering or not _due(mailbox, now):
                return None  # sent by an overlapping run, or not due after all
            carried = self._read(mailbox, now)
            try:
                self._write(mailbox, carried, now)
            except TransactWriteError:
                continue  # a request joined the letter meanwhile, or one in it changed: read again
            return carried
        raise RuntimeError(f"the gathered letter to CVR {cvr} kept changing while it was written")

    def _read(self, mailbox: MailboxModel, now: datetime) -> _Carried:
        letter_id = mailbox.gathering_id
        found = applications_by_id(mailbox.cvr, mailbox.waiting_applications)
        applications: list[tuple[ApplicationModel, ApplicationBlock]] = []
        released: list[ApplicationModel] = []
        languages: set[str] = set()
        for application_id in mailbox.waiting_applications:
            application = found.get(application_id)
            if application is None or application.letter_id != letter_id:
                continue  # erased, or not this letter's
            block = self._application_block(application, now)
            if block is None:
                if application.letter_watch == LetterWatch.PENDING.value:
                    released.append(application)
                continue
            applications.append((application, block))
            languages.add(str(application.form.get("language", Language.DA.value)))
        proofs: list[tuple[CompanyClaimModel, ProofBlock]] = []
        waiting = self._waiting_claims(mailbox, now)
        for claim, proof, language in waiting[:MAX_PROOFS]:
            proofs.append((claim, proof))
            languages.add(language)
        return _Carried(
            applications=applications,
            proofs=proofs,
            released=released,
            left_claims=[claim.org_id for claim, _, _ in waiting[MAX_PROOFS:]],
            # The company's letter is in Danish unless everybody it carries asked for English.
            language=Language.EN.value if languages == {Language.EN.value} else Language.DA.value,
        )

    def _application_block(self, application: ApplicationModel, now: datetime) -> ApplicationBlock | None:
        """The block of a still pending application, with a new code; None when it no longer needs one."""
        if application.status != ApplicationStatus.PENDING.value or not application.is_pending(now):
            return None
        applicant: dict[str, Any] = application.form["applicant"]
        try:
            person = printed_person(applicant["first_name"], applicant["last_name"], applicant["email"])
        except NotPrintable:
            return None  # only an application from before the print rules could hold such a name
        return ApplicationBlock(
            person=person,
            username=application.username,
            code=new_code(),
            expires_at=application.code_expires_at,
        )

    def _waiting_claims(
        self, mailbox: MailboxModel, now: datetime
    ) -> list[tuple[CompanyClaimModel, ProofBlock, str]]:
        """Each claim the letter carries that still waits for its code, its block and its asker's language."""
        found: list[tuple[CompanyClaimModel, ProofBlock, str]] = []
        for org_id in mailbox.waiting_claims:
            claim = get_claim(mailbox.cvr, org_id)
            if claim is None or not claim.waits_for_letter or claim.letter_id != mailbox.gathering_id:
                continue  # dropped, proven by ownership, or replaced meanwhile
            if not claim.is_open(now):
                continue  # released as any expired claim is
            asker = get_user(claim.asked_by or "")
            organisation = get_organisation(org_id)
            if asker is None or organisation is None:
                continue
            try:
                person = printed_person(asker.first_name, asker.last_name, asker.email)
            except NotPrintable:
                continue
            block = ProofBlock(
                person=person,
                main_company_name=organisation.legal_name or organisation.primary_cvr,
                main_cvr=organisation.primary_cvr,
                code=new_code(),
                expires_at=claim.expires_at,
            )
            found.append((claim, block, asker.language))
        return found

    def _write(self, mailbox: MailboxModel, carried: _Carried, now: datetime) -> None:
        sent = bool(carried.applications or carried.proofs)
        with transaction() as tx:
            tx.save(after_sending(mailbox, now, self._pacing, sent=sent, left_claims=carried.left_claims))
            for application, block in carried.applications:
                self._activation(tx, application, block, now)
            for application in carried.released:
                # No letter is owed any more (voided, or its code's time is over): not watched either.
                tx.update(
                    application,
                    actions=[ApplicationModel.letter_watch.remove()],
                    condition=ApplicationModel.letter_watch == LetterWatch.PENDING.value,
                )
            for claim, proof in carried.proofs:
                tx.update(
                    claim,
                    actions=[
                        CompanyClaimModel.code_digest.set(
                            self._codes.digest(proof_subject(claim.org_id, claim.cvr), proof.code)
                        )
                    ],
                    condition=(CompanyClaimModel.code_digest == "")
                    & (CompanyClaimModel.letter_id == mailbox.gathering_id),
                )
            if sent:
                self._letter(tx, mailbox, carried, now)

    def _activation(
        self, tx: TransactWrite, application: ApplicationModel, block: ApplicationBlock, now: datetime
    ) -> None:
        tx.save(
            ActivationModel(
                application.username,
                application_id=application.application_id,
                cvr=application.cvr,
                org_id=application.org_id,
                code_digest=self._codes.digest(application.username, block.code),
                created_at=now,
                expires_at=application.code_expires_at,
                delete_after=application.code_expires_at + RETENTION_AFTER_EXPIRY,
            ),
            condition=ActivationModel.username.does_not_exist(),
        )
        # Still pending as read: one activated meanwhile voided it, and its block must not go out.
        tx.condition_check(
            ApplicationModel,
            application.cvr,
            application.application_id,
            condition=ApplicationModel.status == ApplicationStatus.PENDING.value,
        )

    def _letter(self, tx: TransactWrite, mailbox: MailboxModel, carried: _Carried, now: datetime) -> None:
        company_name = mailbox.company_name or mailbox.cvr
        letter = compose(
            company_name=company_name,
            cvr=mailbox.cvr,
            service_address=self._service_address,
            applications=[block for _, block in carried.applications],
            proofs=[block for _, block in carried.proofs],
        )
        tx.save(
            *outgoing(
                letter.kind,
                to=Recipient(address=_address(mailbox, carried), name=company_name),
                language=carried.language,
                context=letter.context,
                secrets=letter.secrets,
                now=now,
                # The gathered letter's own id: a second run can never write it twice.
                message_id=mailbox.gathering_id,
            )
        )


def _due(mailbox: MailboxModel, now: datetime) -> bool:
    return mailbox.gathering_due_at is not None and mailbox.gathering_due_at <= now


def _address(mailbox: MailboxModel, carried: _Carried) -> str:
    """The register's address as the requests in the letter were addressed (the same for all of them)."""
    if mailbox.official_mailbox:
        return mailbox.official_mailbox
    for application, _ in carried.applications:
        return application.official_mailbox
    for claim, _ in carried.proofs:
        return claim.official_mailbox
    raise ValueError(f"no official mailbox known for CVR {mailbox.cvr}")
