"""Journey 13, *Kontakt support*: anyone files a case, staff read it, answer it by mail and close it.

Filing is anonymous, so it is built as a spammer would use it:
- it is limited per caller like applications (`caller_limits.py`), counted before anything is written, and the
  WAF's rate rule on the API stage stands in front of it (`infra/resources.json`);
- nothing is mailed when a case is filed. An acknowledgement would go to whatever address was typed, so it
  would let anyone send our mail, with words of theirs in it, to a stranger. The sender is shown the case's
  reference on the page instead, and the first mail they get is staff's answer, read by a person first;
- staff's answer quotes nothing the sender wrote, not even the name: only the reference and staff's text.

Staff's answers and closing are audited in the staff trail, each in the transaction that changes the case
(and writes the answer's mail), under the condition that the case is still open and unchanged since it was
read: two staff answering at once, or one answering while another closes, cannot both succeed (409).

A case that names a CVR of an organisation shows staff that organisation, so that a case of topic
`administrator_left` leads to its logins (`DELETE /v1/staff/organisations/{org_id}/users/{user_id}`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import Field
from pynamodb.exceptions import PutError, TransactWriteError

from chalicelib.clock import Clock, isoformat
from chalicelib.errors import Conflict, NotFound
from chalicelib.fields import CompanyName, Cvr, Email, PersonName, Strict, Text
from chalicelib.models.audit import (
    STAFF_TRAIL,
    Actor,
    ActorKind,
    AuditAction,
    AuditEvent,
    Origin,
    audit_record,
)
from chalicelib.models.base import transaction
from chalicelib.models.organisation import CompanyModel, get_organisation
from chalicelib.models.outbox import Language, MailKind, Recipient, outgoing
from chalicelib.models.paging import encode_cursor, page_start
from chalicelib.models.retention import subject_of, support_case_purge_at
from chalicelib.models.support_case import CaseStatus, CaseTopic, SupportCaseModel, get_case
from chalicelib.services.access.authz import Principal
from chalicelib.services.onboarding.caller_limits import CallerLimits
from chalicelib.values.page import Page

INDEX = "support-cases.by-status"
CURSOR_KEYS = frozenset({"case_id", "status", "created_at"})
# Crockford's base 32: no I, L, O or U, so a reference read aloud or typed from paper comes out right.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_ATTEMPTS = 3


class CaseForm(Strict):
    organisation: CompanyName = Field(
        description="The organisation the case is about, as the sender names it"
    )
    cvr: Cvr | None = Field(default=None, description="Its CVR number, if the sender knows it")
    name: PersonName = Field(description="The sender's name")
    email: Email = Field(description="Where staff's answer goes")
    topic: CaseTopic = Field(
        default=CaseTopic.OTHER,
        description="What it is about: administrator_left (nobody knows the only administrator's login), "
        "sign_in, or other",
    )
    message: Text = Field(description="What the sender wants help with")
    language: Language = Field(default=Language.DA, description="The answer's language: da (default) or en")


class AnswerForm(Strict):
    text: Text = Field(description="Staff's answer, mailed to the case's address as it stands")


@dataclass(frozen=True)
class CaseFiled:
    case_id: str
    created_at: str


@dataclass(frozen=True)
class LinkedOrganisation:
    org_id: str
    name: str
    status: str


@dataclass(frozen=True)
class CaseAnswer:
    at: str
    staff_id: str
    text: str


@dataclass(frozen=True)
class CaseView:
    case_id: str
    status: str
    topic: str
    organisation: str
    cvr: str | None
    name: str
    email: str
    message: str
    language: str
    created_at: str
    closed_at: str | None
    answers: list[CaseAnswer]
    # The organisation the case's CVR belongs to, if any (only on a single case).
    linked_organisation: LinkedOrganisation | None = None


class SupportCaseService:
    def __init__(
        self, *, clock: Clock, callers: CallerLimits | None = None, draw: Callable[[], str] | None = None
    ) -> None:
        self._clock = clock
        self._callers = callers
        # Where references come from; tests give their own to make two cases draw the same.
        self._draw = draw or new_reference

    def file(self, form: CaseForm, *, origin: Origin) -> CaseFiled:
        if self._callers is not None:
            self._callers.admit(origin.source_ip)  # counted before anything else is written
        now = self._clock.now()
        for _ in range(REFERENCE_ATTEMPTS):
            case = SupportCaseModel(
                self._draw(),
                status=CaseStatus.OPEN.value,
                topic=form.topic.value,
                organisation=form.organisation,
                cvr=form.cvr,
                name=form.name,
                email=form.email,
                message=form.message,
                language=form.language.value,
                answers=[],
                answer_count=0,
                created_at=now,
                subject=subject_of(form.email),
                purge_at=support_case_purge_at(now),
            )
            try:
                case.save(condition=SupportCaseModel.case_id.does_not_exist())
            except PutError as exc:
                if exc.cause_response_code != "ConditionalCheckFailedException":
                    raise
                continue  # the reference was taken: draw another
            return CaseFiled(case.case_id, isoformat(now))
        raise Conflict("The case could not be registered; please try again.")

    def cases(self, status: CaseStatus, *, limit: int, cursor: str | None) -> Page[CaseView]:
        start = page_start(cursor, index=INDEX, key_names=CURSOR_KEYS, partition=("status", status.value))
        results = SupportCaseModel.by_status.query(
            status.value, scan_index_forward=False, limit=limit, last_evaluated_key=start
        )
        now = self._clock.now()
        items = [view(case) for case in results if now < case.purge_when]
        last = results.last_evaluated_key
        return Page(items, encode_cursor(INDEX, last) if last else None)

    def case(self, case_id: str) -> CaseView:
        case = self._found(case_id)
        return view(case, linked=linked_organisation(case.cvr))

    def answer(self, staff: Principal, case_id: str, form: AnswerForm, *, origin: Origin) -> CaseView:
        case = self._found(case_id)
        if case.status != CaseStatus.OPEN.value:
            raise Conflict("The case is closed; it cannot be answered.")
        now = self._clock.now()
        number = int(case.answer_count or 0) + 1
        answers = [
            *(case.answers or []),
            {"at": isoformat(now), "staff_id": staff.user_id, "text": form.text},
        ]
        event = self._event(staff, case, AuditAction.SUPPORT_CASE_ANSWERED, origin, {"answer": number})
        mail = outgoing(
            MailKind.SUPPORT_ANSWER,
            # Greeted by nobody's name: the name is the sender's own words, and the address may not be theirs.
            to=Recipient(address=case.email, name=""),
            language=case.language or Language.DA.value,
            context={"reference": case.case_id, "answer": form.text},
            now=now,
            message_id=f"{MailKind.SUPPORT_ANSWER.value}:{case.case_id}:{number}",
            mentions=(case.email,),
        )
        self._commit(
            case,
            [
                SupportCaseModel.answers.set(answers),
                SupportCaseModel.answer_count.set(number),
                SupportCaseModel.purge_at.set(support_case_purge_at(now)),
            ],
            event,
            now,
            mail=mail,
        )
        return self.case(case_id)

    def close(self, staff: Principal, case_id: str, *, origin: Origin) -> CaseView:
        case = self._found(case_id)
        if case.status != CaseStatus.OPEN.value:
            raise Conflict("The case is already closed.")
        now = self._clock.now()
        event = self._event(staff, case, AuditAction.SUPPORT_CASE_CLOSED, origin, {})
        self._commit(
            case,
            [
                SupportCaseModel.status.set(CaseStatus.CLOSED.value),
                SupportCaseModel.closed_at.set(now),
                SupportCaseModel.closed_by.set(staff.user_id),
                SupportCaseModel.purge_at.set(support_case_purge_at(now)),
            ],
            event,
            now,
        )
        return self.case(case_id)

    def _found(self, case_id: str) -> SupportCaseModel:
        case = get_case(case_id) if len(case_id) <= 20 else None
        if case is None or self._clock.now() >= case.purge_when:
            raise NotFound("No such support case.")
        return case

    @staticmethod
    def _event(
        staff: Principal, case: SupportCaseModel, action: AuditAction, origin: Origin, details: dict[str, Any]
    ) -> AuditEvent:
        return AuditEvent(
            STAFF_TRAIL,
            action,
            Actor(ActorKind.STAFF, staff.user_id),
            origin,
            targets={"case_id": case.case_id},
            details=details,
            mentions=(case.email,),
        )

    @staticmethod
    def _commit(
        case: SupportCaseModel,
        actions: list[Any],
        event: AuditEvent,
        now: datetime,
        *,
        mail: tuple[Any, Any] | None = None,
    ) -> None:
        try:
            with transaction() as tx:
                # Still open, and (the version) nothing changed since it was read: another answer, a close,
                # an erasure.
                tx.update(case, actions=actions, condition=SupportCaseModel.status == CaseStatus.OPEN.value)
                if mail is not None:
                    tx.save(*mail)
                tx.save(*audit_record(event, now=now))
        except TransactWriteError as exc:
            raise Conflict(
                "The case changed meanwhile (answered or closed by someone else); look again."
            ) from exc


def new_reference() -> str:
    """`S-` and 8 characters of Crockford's base 32 in two groups: 40 random bits."""
    drawn = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"S-{drawn[:4]}-{drawn[4:]}"


def linked_organisation(cvr: str | None) -> LinkedOrganisation | None:
    if not cvr:
        return None
    try:
        org_id = CompanyModel.get(cvr).org_id
    except CompanyModel.DoesNotExist:
        return None
    organisation = get_organisation(org_id) if org_id else None
    if organisation is None:
        return None
    return LinkedOrganisation(organisation.org_id, organisation.name, organisation.status)


def view(case: SupportCaseModel, *, linked: LinkedOrganisation | None = None) -> CaseView:
    return CaseView(
        case_id=case.case_id,
        status=case.status,
        topic=case.topic,
        organisation=case.organisation,
        cvr=case.cvr,
        name=case.name,
        email=case.email,
        message=case.message,
        language=case.language or Language.DA.value,
        created_at=isoformat(case.created_at),
        closed_at=isoformat(case.closed_at) if case.closed_at else None,
        answers=[CaseAnswer(a["at"], a["staff_id"], a["text"]) for a in case.answers or []],
        linked_organisation=linked,
    )
