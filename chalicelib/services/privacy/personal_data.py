"""A person's requests about their data (GDPR articles 15 and 17), answered by staff: what Godkend holds
about an e-mail address, and erasing what it need not keep.

Finding the person is `chalicelib/services/privacy/search.py`: their own items by the `by-subject`
indexes, the items that name them under another key through their pointers (`mentions`), and what those
lead to; never a Scan.

Erasing replaces the person wherever Godkend need not keep them, and says in its answer what it kept and
why (`KEPT_ON_PURPOSE`, docs/privacy.md says the same):
- codes no longer active, applications, mail already handled: the name and address become a marker
  (`retention.ERASED`, `retention.ERASED_EMAIL`), and the item is then found under a digest of the address
  (`retention.erased_subject`), so that a later request still shows what was kept;
- the organisation's audit trail and mail that names the person to someone else: their name becomes a
  stable pseudonym, their address and mobile go (`chalicelib/services/privacy/pseudonyms.py`); the event
  stays.

Consistency. An erasure changes many items, each in a transaction of its own together with the pointers
that lead to it (moved from the address to its digest): every item is either untouched, and found again
under the address, or done. Running an erasure again is therefore safe and finishes what a failure left:
a done item has nothing left to change and is skipped. Some items are recognised only by a name that other
items state (a mail to the administrators names the colleague; a code's value item has no address), so
those are changed first, and the items that state the name themselves (a login's entry in the trail, the
code, the application, the letter) last: a failure midway never leaves a name that a re-run could no longer
recognise. Items other writers change are written under a condition (their version, their state), so an
erasure never undoes a concurrent change; what changed meanwhile is reported as kept, to be asked again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, cast

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.clock import Clock, isoformat
from chalicelib.models.application import ApplicationModel
from chalicelib.models.audit import (
    STAFF_TRAIL,
    Actor,
    ActorKind,
    AuditAction,
    AuditEvent,
    AuditModel,
    Origin,
    entries_by_actor,
    record_event,
)
from chalicelib.models.base import transaction
from chalicelib.models.code import CodeModel, CodeStatus, CodeValueModel
from chalicelib.models.mentions import MentionModel, ref_of
from chalicelib.models.organisation import OrganisationModel
from chalicelib.models.outbox import MailStatus, OutboxModel
from chalicelib.models.renewal_request import RenewalRequestModel, get_request
from chalicelib.models.retention import ERASED, ERASED_EMAIL, erased_subject, subject_of
from chalicelib.models.support_case import SupportCaseModel
from chalicelib.models.suppression import SuppressionModel
from chalicelib.models.user import UserModel
from chalicelib.models.validation import ReceiptModel
from chalicelib.services.access.authz import Principal
from chalicelib.services.access.user_view import user_view
from chalicelib.services.privacy.pseudonyms import Identity, Replacement, pseudonym, scrub
from chalicelib.services.privacy.search import Found, find, is_activated

RECEIPT_KEPT_BECAUSE = (
    "A receipt is the vendor's evidence of what Godkend told it when it accepted the code, so it keeps the "
    "representative's first and last name until the receipt's retention ends."
)
ACTIVE_CODE_KEPT_BECAUSE = "The code is active and may be in use at a vendor: revoke it first, then erase."
LOGIN_KEPT_BECAUSE = (
    "A login needs its name, e-mail and mobile (its second factor): an administrator of the organisation "
    "deletes the login, and its data goes with it."
)
VENDOR_LOGIN_KEPT_BECAUSE = (
    "A login to the vendor console needs its name, e-mail and mobile (its second factor): a colleague at the "
    "vendor removes the login (DELETE /v1/vendor/users/{user_id}), and its data goes with it."
)
APPLICATION_KEPT_BECAUSE = (
    "The application a login was made from shows staff who applied; it goes with the login, or when its "
    "retention ends."
)
APPLICANT_KEPT_BECAUSE = (
    "The organisation shows staff who applied for it while that person has a login in it; it goes with the "
    "login."
)
CONTACT_KEPT_BECAUSE = (
    "The organisation's contact address is its own master data: its administrators change it "
    "(PATCH /v1/organisation)."
)
MAIL_KEPT_BECAUSE = "The message is still waiting to be sent; ask again once it has been."
CHANGED_MEANWHILE_BECAUSE = "It changed while it was being erased; ask again."
POINTER_KEPT_BECAUSE = "It leads to something kept (above); it goes with it."
SUPPRESSION_KEPT_BECAUSE = "A suppressed address stays suppressed, so that no mail reaches it again."
VENDOR_CONTACT_KEPT_BECAUSE = (
    "The vendor's contact address is how the operator reaches the vendor about its keys and webhook; it "
    "goes when the vendor names another contact."
)
ACTIVITY_KEPT_BECAUSE = (
    "What a login did, when and from which address and browser stays in the audit trail for accountability "
    "until the entry's retention ends (5 years), under the login's id, which names nobody once the login is "
    "gone."
)
# Mail that is still on its way keeps its address until the pipeline is done with it.
IN_FLIGHT = frozenset({MailStatus.QUEUED.value})
HANDLED = [status.value for status in MailStatus if status.value not in IN_FLIGHT]
# A conflicting writer (the mail pipeline, a staff decision) is waited out this many times per item.
ATTEMPTS = 3


@dataclass(frozen=True)
class KeptOnPurpose:
    """What an erasure leaves of a person, and why: a table (its short name), the attributes that keep
    them, and until when."""

    table: str
    attributes: tuple[str, ...]
    why: str
    until: str


# The record of processing's "kept" column (docs/privacy.md): after an erasure, the person is in no
# other attribute of any table. tests/integration/privacy/test_personal_data_everywhere.py holds every table
# to it.
KEPT_ON_PURPOSE: tuple[KeptOnPurpose, ...] = (
    KeptOnPurpose(
        "users",
        ("first_name", "last_name", "email", "mobile", "subject"),
        LOGIN_KEPT_BECAUSE,
        "the login goes",
    ),
    KeptOnPurpose("applications", ("form", "subject"), APPLICATION_KEPT_BECAUSE, "the login it made goes"),
    KeptOnPurpose("organisations", ("applicant",), APPLICANT_KEPT_BECAUSE, "the applicant's login goes"),
    KeptOnPurpose("organisations", ("contact_email",), CONTACT_KEPT_BECAUSE, "the organisation changes it"),
    KeptOnPurpose(
        "codes", ("first_name", "last_name", "email", "subject"), ACTIVE_CODE_KEPT_BECAUSE, "it is revoked"
    ),
    KeptOnPurpose("code-values", ("first_name", "last_name"), ACTIVE_CODE_KEPT_BECAUSE, "it is revoked"),
    KeptOnPurpose(
        "validations", ("first_name", "last_name"), RECEIPT_KEPT_BECAUSE, "5 years after the check"
    ),
    KeptOnPurpose(
        "outbox", ("to_address", "to_name", "subject", "context"), MAIL_KEPT_BECAUSE, "it has been sent"
    ),
    KeptOnPurpose("mentions", ("subject",), POINTER_KEPT_BECAUSE, "what it leads to is erased"),
    KeptOnPurpose("suppressions", ("address",), SUPPRESSION_KEPT_BECAUSE, "always"),
    KeptOnPurpose("vendors", ("contact_email",), VENDOR_CONTACT_KEPT_BECAUSE, "the vendor names another"),
    KeptOnPurpose(
        "audit", ("actor_id", "source_ip", "user_agent"), ACTIVITY_KEPT_BECAUSE, "5 years after the event"
    ),
)


class Writer(Protocol):
    """Runs one of the erasure's writes: the place a test puts a fault."""

    def __call__[T](self, write: Callable[[], T]) -> T: ...


def write_now[T](write: Callable[[], T]) -> T:
    return write()


Entries = list[dict[str, Any]]


@dataclass(frozen=True)
class Export:
    """Everything held about one address. Each list holds the items as the export shows them (their own
    fields, see the functions below), which the answer's schema leaves open."""

    email: str
    exported_at: str
    codes: Entries
    receipts: Entries
    applications: Entries
    users: Entries
    former_logins: Entries
    audit: Entries
    mail: Entries
    organisations: Entries
    vendors: Entries
    suppression: dict[str, Any] | None
    support_cases: Entries


@dataclass(frozen=True)
class Erased:
    codes: list[str]
    applications: list[str]
    mail: list[str]
    audit: list[str]
    organisations: list[str]
    support_cases: list[str]


@dataclass(frozen=True)
class Kept:
    """What an erasure left, each item with why."""

    active_codes: Entries
    receipts: Entries
    users: Entries
    applications: Entries
    organisations: Entries
    mail: Entries
    vendors: Entries
    activity: Entries
    changed_meanwhile: Entries
    suppression: dict[str, Any] | None


@dataclass(frozen=True)
class Erasure:
    email: str
    erased_at: str
    erased: Erased
    kept: Kept


class PersonalDataService:
    def __init__(self, *, clock: Clock, pseudonym_key: bytes, write: Writer = write_now) -> None:
        self._clock = clock
        self._key = pseudonym_key
        self._write = write

    def export(self, staff: Principal, email: str, *, origin: Origin) -> Export:
        """Everything Godkend holds about the address: as representative, applicant, user, colleague,
        contact and recipient, and in the organisations' audit trails."""
        now = self._now()
        found = find(email, now=now)
        record_event(
            _staff_event(AuditAction.PERSONAL_DATA_EXPORTED, staff, email, origin, found),
            now=self._clock.now(),
        )
        return Export(
            email=email,
            exported_at=isoformat(now),
            codes=[_code(entry, now) for entry in found.codes],
            receipts=[_receipt(receipt) for receipt in found.receipts],
            applications=[_application(application) for application in found.applications],
            users=[_user(user, now) for user in found.users],
            former_logins=[
                {"user_id": login, "activity": [_activity(e) for e in entries]}
                for login, entries in found.former_logins.items()
            ],
            audit=[_audit_entry(entry) for entry in found.audit],
            mail=[_mail(message, found) for message in found.mail],
            organisations=[_organisation(o, found) for o in found.organisations],
            vendors=[
                {"vendor_id": v.vendor_id, "name": v.name, "contact_email": v.contact_email}
                for v in found.vendors
            ],
            suppression=_suppression(found.suppressions),
            support_cases=[_support_case(case) for case in found.support_cases],
        )

    def erase(self, staff: Principal, email: str, *, origin: Origin) -> Erasure:
        """Erase the person wherever Godkend need not keep them; answer what was erased and what was kept,
        and why. Safe to run again; see the module docstring."""
        now = self._now()
        found = find(email, now=now)
        erasure = _Erasure(found, pseudonym(self._key, subject_of(email)), now)
        changes = erasure.plan()
        # Recorded before the first write, so that even an erasure that fails midway is accounted for. The
        # trail orders entries to the microsecond; the answer's times are to the second.
        record_event(
            _staff_event(AuditAction.PERSONAL_DATA_ERASED, staff, email, origin, found), now=self._clock.now()
        )
        # Items recognised by a name stated elsewhere go first (module docstring).
        for change in sorted(changes, key=lambda c: c.states_the_name):
            if not self._write(change.commit):
                erasure.changed_meanwhile.append(change)
        for org_id, details in erasure.by_organisation().items():
            record_event(_organisation_event(org_id, staff, origin, details), now=self._clock.now())
        erased, kept = erasure.answer()
        return Erasure(email=email, erased_at=isoformat(now), erased=erased, kept=kept)

    def _now(self) -> datetime:
        return self._clock.now().astimezone(UTC).replace(microsecond=0)


# Erasing


@dataclass
class _Change:
    """One item's erasure: written in one transaction with the pointers that lead to the item."""

    kind: str  # the answer's list it belongs to
    item: Model
    ident: str
    org_id: str | None
    states_the_name: bool
    commit: Callable[[], bool]


class _Erasure:
    def __init__(self, found: Found, name: str, now: datetime) -> None:
        self.found = found
        self.now = now
        person = found.identity
        self.person: Identity = person
        # In the trail the address and mobile go; in mail they become markers, so that it still reads.
        self.in_trail = Replacement(name=name, address=None, mobile=None)
        self.in_mail = Replacement(name=name, address=ERASED_EMAIL, mobile=ERASED)
        self.changes: list[_Change] = []
        self.changed_meanwhile: list[_Change] = []
        self.kept_codes: list[CodeModel] = []
        self.kept_mail: list[OutboxModel] = []
        self.kept_applications: list[ApplicationModel] = []
        self.kept_applicants: list[OrganisationModel] = []

    def plan(self) -> list[_Change]:
        for entry in self.found.codes:
            self._plan_code(entry)
        for application in self.found.applications:
            self._plan_application(application)
        for organisation in self.found.organisations:
            self._plan_organisation(organisation)
        for message in self.found.mail:
            self._plan_mail(message)
        for trail_entry in self.found.audit:
            self._plan_audit(trail_entry)
        for case in self.found.support_cases:
            self._plan_support_case(case)
        return self.changes

    # Support cases: nothing needs them once their sender asks to be forgotten; they go whole, whatever
    # staff did with them meanwhile (the staff trail keeps that staff answered or closed the case, by its id).

    def _plan_support_case(self, case: SupportCaseModel) -> None:
        def commit() -> bool:
            with transaction() as tx:
                tx.delete(case, add_version_condition=False)
            return True

        self._add("support_cases", case, case.case_id, None, True, commit)

    # Codes: the entry and its value item together, only while the code is not active.

    def _plan_code(self, entry: CodeModel) -> None:
        if entry.erased_when is not None:
            return
        if entry.status_at(self.now) is CodeStatus.ACTIVE:
            self.kept_codes.append(entry)
            return
        value = self.found.values.get(entry.code_id)
        digest = self._digest(entry.subject or entry.email)

        def commit() -> bool:
            inactive: Condition = CodeModel.revoked_at.exists() | (CodeModel.expires_at <= self.now)
            try:
                with transaction() as tx:
                    if value is not None:
                        # A revoked value is kept until its TTL so that vendors hear "revoked"; it needs no
                        # names for that. Only while it is still this code's.
                        tx.update(
                            value,
                            actions=[
                                CodeValueModel.first_name.set(ERASED),
                                CodeValueModel.last_name.set(ERASED),
                            ],
                            condition=CodeValueModel.code_id == entry.code_id,
                        )
                    tx.update(
                        entry,
                        actions=[
                            CodeModel.first_name.set(ERASED),
                            CodeModel.last_name.set(ERASED),
                            CodeModel.email.set(ERASED_EMAIL),
                            CodeModel.notify.set(False),
                            CodeModel.subject.set(digest),
                            CodeModel.erased_at.set(self.now),
                        ],
                        condition=inactive,
                    )
                    # The representative's request for a new code holds their own words (a note).
                    tx.delete(RenewalRequestModel(entry.code_id))
            except TransactWriteError:
                # Renewed meanwhile (active again), or its value gone or redrawn: nothing was erased.
                return False
            return True

        self._add("codes", entry, entry.code_id, entry.org_id, True, commit)

    # Applications: unless a login of the person's was made from it and still exists.

    def _plan_application(self, application: ApplicationModel) -> None:
        if self._is_digest(application.subject):
            return
        if is_activated(application) and self.found.current_login_in(application.org_id):
            self.kept_applications.append(application)
            return
        form = dict(application.form or {})
        form["applicant"] = {
            **dict(form.get("applicant") or {}),
            "first_name": ERASED,
            "last_name": ERASED,
            "email": ERASED_EMAIL,
            "mobile": ERASED,
        }
        subject = application.subject or dict((application.form or {}).get("applicant") or {}).get("email")
        actions = [ApplicationModel.form.set(form), ApplicationModel.subject.set(self._digest(subject))]
        unchanged: Condition = ApplicationModel.status == application.status
        self._add(
            "applications",
            application,
            application.application_id,
            application.org_id,
            True,
            self._update(application, actions, unchanged),
        )

    # Organisations: who applied, unless that person still has a login in it; the contact address is kept.

    def _plan_organisation(self, organisation: OrganisationModel) -> None:
        applicant = dict(organisation.applicant or {})
        if not self.found.own(applicant.get("email")):
            return
        if self.found.current_login_in(organisation.org_id):
            self.kept_applicants.append(organisation)
            return
        erased = {**applicant, "first_name": ERASED, "last_name": ERASED, "email": ERASED_EMAIL}
        # Under its version (PynamoDB adds it): a concurrent change of the organisation wins, and is reported.
        self._add(
            "organisations",
            organisation,
            organisation.org_id,
            organisation.org_id,
            True,
            self._update(organisation, [OrganisationModel.applicant.set(erased)], None),
        )

    # Mail: once handled; to the person, the recipient goes; naming the person, they are pseudonymised.

    def _plan_mail(self, message: OutboxModel) -> None:
        if message.status in IN_FLIGHT:
            self.kept_mail.append(message)
            return
        to_them = self.found.own(message.to_address)
        context = dict(message.context or {})
        if to_them:
            actions: list[Action] = [
                OutboxModel.to_address.set(ERASED_EMAIL),
                OutboxModel.to_name.set(ERASED),
                OutboxModel.context.set({}),
                OutboxModel.secrets.remove(),
                OutboxModel.subject.set(self._digest(message.subject or message.to_address)),
            ]
        else:
            scrubbed = scrub(context, self.person, self.in_mail)
            actions = [OutboxModel.context.set(scrubbed)] if scrubbed != context else []
        if not actions and not self._pointers(message):
            return
        # Under its version (PynamoDB adds it) and only while handled: the pipeline's writes win.
        handled: Condition = OutboxModel.status.is_in(*HANDLED)
        states_the_name = to_them or any(self.found.own(v) for v in context.values())
        self._add(
            "mail",
            message,
            message.message_id,
            None,
            states_the_name,
            self._update(message, actions, handled),
        )

    # The audit trail: the event stays, the person does not.

    def _plan_audit(self, entry: AuditModel) -> None:
        details = dict(entry.details or {})
        scrubbed = scrub(details, self.person, self.in_trail)
        actions = [AuditModel.details.set(scrubbed)] if scrubbed != details else []
        if not actions and not self._pointers(entry):
            return
        states_the_name = bool((entry.targets or {}).get("user_id")) and self.person.holds(details)
        # The trail has no other writer; the condition only keeps an entry TTL removed from coming back.
        self._add(
            "audit",
            entry,
            entry.event_id,
            None if entry.org_id == STAFF_TRAIL else entry.org_id,
            states_the_name,
            self._update(entry, actions, AuditModel.at_event.exists()),
        )

    # Writing

    def _add(
        self, kind: str, item: Model, ident: str, org_id: str | None, states: bool, commit: Callable[[], bool]
    ) -> None:
        self.changes.append(_Change(kind, item, ident, org_id, states, commit))

    def _update(
        self, item: Model, actions: Sequence[Action], condition: Condition | None
    ) -> Callable[[], bool]:
        """The item's update and its pointers' move, in one transaction; False when the item changed
        meanwhile (its version or its state), after a few tries."""

        def commit() -> bool:
            for _ in range(ATTEMPTS):
                try:
                    with transaction() as tx:
                        if actions:
                            tx.update(item, actions=list(actions), condition=condition)
                        self._move_pointers(tx, item)
                except TransactWriteError:
                    if not _reread(item):
                        return False
                    continue
                return True
            return False

        return commit

    def _pointers(self, item: Model) -> list[MentionModel]:
        """The item's pointers still under one of the person's addresses (not yet under a digest)."""
        return [p for p in self.found.pointers.get(ref_of(item), []) if p.subject in self.found.subjects]

    def _move_pointers(self, tx: TransactWrite, item: Model) -> None:
        for pointer in self._pointers(item):
            tx.delete(pointer)
            moved = MentionModel(erased_subject(pointer.subject), pointer.ref)
            until = pointer.purge_when
            tx.update(
                moved, actions=[MentionModel.purge_at.set(until) if until else MentionModel.purge_at.remove()]
            )

    def _digest(self, subject: str | None) -> str:
        if self._is_digest(subject):
            return str(subject)
        return erased_subject(subject or "")

    @staticmethod
    def _is_digest(subject: str | None) -> bool:
        return bool(subject) and str(subject).startswith("erased:")

    # Answering

    def _done(self, kind: str) -> list[_Change]:
        return [c for c in self.changes if c.kind == kind and c not in self.changed_meanwhile]

    def answer(self) -> tuple[Erased, Kept]:
        meanwhile = [
            {"kind": c.kind, "id": c.ident, "why": CHANGED_MEANWHILE_BECAUSE} for c in self.changed_meanwhile
        ]
        erased = Erased(
            codes=[c.ident for c in self._done("codes")],
            applications=[c.ident for c in self._done("applications")],
            mail=[c.ident for c in self._done("mail")],
            audit=[c.ident for c in self._done("audit")],
            organisations=[c.ident for c in self._done("organisations")],
            support_cases=[c.ident for c in self._done("support_cases")],
        )
        kept = Kept(
            active_codes=[{**_code_ref(e), "why": ACTIVE_CODE_KEPT_BECAUSE} for e in self.kept_codes],
            receipts=[{**_receipt(r), "why": RECEIPT_KEPT_BECAUSE} for r in self.found.receipts],
            users=[_kept_login(u) for u in self.found.users],
            applications=[
                {"application_id": a.application_id, "why": APPLICATION_KEPT_BECAUSE}
                for a in self.kept_applications
            ],
            organisations=[
                *(
                    {"org_id": o.org_id, "field": "applicant", "why": APPLICANT_KEPT_BECAUSE}
                    for o in self.kept_applicants
                ),
                *(
                    {"org_id": o.org_id, "field": "contact_email", "why": CONTACT_KEPT_BECAUSE}
                    for o in self.found.organisations
                    if self.found.own(o.contact_email)
                ),
            ],
            mail=[{"message_id": m.message_id, "why": MAIL_KEPT_BECAUSE} for m in self.kept_mail],
            vendors=[
                {"vendor_id": v.vendor_id, "why": VENDOR_CONTACT_KEPT_BECAUSE} for v in self.found.vendors
            ],
            activity=[
                {"user_id": login, "entries": len(entries), "why": ACTIVITY_KEPT_BECAUSE}
                for login, entries in self.found.former_logins.items()
                if entries
            ],
            changed_meanwhile=meanwhile,
            suppression=(
                {**_suppression_dict(self.found.suppressions[0]), "why": SUPPRESSION_KEPT_BECAUSE}
                if self.found.suppressions
                else None
            ),
        )
        return erased, kept

    def by_organisation(self) -> dict[str, dict[str, list[str]]]:
        """What each organisation's own trail is told: its codes erased and its entries pseudonymised."""
        grouped: dict[str, dict[str, list[str]]] = {}
        for change in self.changes:
            if change.org_id is None or change in self.changed_meanwhile:
                continue
            if change.kind == "codes":
                grouped.setdefault(change.org_id, {"code_ids": [], "event_ids": []})["code_ids"].append(
                    change.ident
                )
            elif change.kind == "audit":
                grouped.setdefault(change.org_id, {"code_ids": [], "event_ids": []})["event_ids"].append(
                    change.ident
                )
        return grouped


def _reread(item: Model) -> bool:
    """Read the item again after a conflict; False when it is gone or no longer ours to change."""
    try:
        item.refresh(consistent_read=True)
    except item.DoesNotExist:
        return False
    return not (isinstance(item, OutboxModel) and item.status in IN_FLIGHT)


# Describing


def _code_ref(entry: CodeModel) -> dict[str, Any]:
    return {"code_id": entry.code_id, "org_id": entry.org_id, "expires_at": isoformat(entry.expires_at)}


def _code(entry: CodeModel, now: datetime) -> dict[str, Any]:
    purge_at = cast("datetime | None", entry.purge_at)
    return {
        **_code_ref(entry),
        "first_name": entry.first_name,
        "last_name": entry.last_name,
        "email": entry.email,
        "company": entry.cvr,
        "account": entry.account,
        "status": entry.status_at(now).value,
        "created_at": isoformat(entry.created_at),
        "revoked_at": isoformat(entry.revoked_when) if entry.revoked_when else None,
        "erased_at": isoformat(entry.erased_when) if entry.erased_when else None,
        "kept_until": isoformat(purge_at) if purge_at else None,
        "renewal_request": _renewal_request(entry, now),
    }


def _renewal_request(entry: CodeModel, now: datetime) -> dict[str, Any] | None:
    """The representative's latest request for a new value of the code, with their note."""
    request = get_request(entry.code_id, now=now)
    if request is None:
        return None
    return {
        "requested_at": isoformat(request.requested_at),
        "note": request.note,
        "status": request.status,
        "kept_until": isoformat(request.purge_when),
    }


def _receipt(receipt: ReceiptModel) -> dict[str, Any]:
    return {
        "validation_id": receipt.validation_id,
        "code_id": receipt.code_id,
        "vendor_name": receipt.vendor_name,
        "organisation_name": receipt.organisation_name,
        "first_name": receipt.first_name,
        "last_name": receipt.last_name,
        "validated_at": isoformat(receipt.validated_at),
        "kept_until": isoformat(receipt.purge_when) if receipt.purge_when else None,
    }


def _application(application: ApplicationModel) -> dict[str, Any]:
    form = dict(application.form or {})
    return {
        "application_id": application.application_id,
        "cvr": application.cvr,
        "organisation_name": form.get("name"),
        "applicant": dict(form.get("applicant") or {}),
        "status": application.status,
        "created_at": isoformat(application.created_at),
        "kept_until": isoformat(application.delete_after),
    }


def _support_case(case: SupportCaseModel) -> dict[str, Any]:
    return {
        "case_id": case.case_id,
        "status": case.status,
        "topic": case.topic,
        "organisation": case.organisation,
        "cvr": case.cvr,
        "name": case.name,
        "email": case.email,
        "message": case.message,
        "answers": [{"at": a["at"], "text": a["text"]} for a in case.answers or []],
        "created_at": isoformat(case.created_at),
        "kept_until": isoformat(case.purge_when),
    }


def _kept_login(user: UserModel) -> dict[str, Any]:
    if user.vendor_id:
        return {"user_id": user.user_id, "vendor_id": user.vendor_id, "why": VENDOR_LOGIN_KEPT_BECAUSE}
    return {"user_id": user.user_id, "org_id": user.org_id, "why": LOGIN_KEPT_BECAUSE}


def _user(user: UserModel, now: datetime) -> dict[str, Any]:
    shown = user_view(user).picked(
        "user_id", "org_id", "first_name", "last_name", "email", "mobile", "status", "functions", "created_at"
    )
    return {
        **shown,
        # A vendor's person works for a vendor, not an organisation (null for everyone else).
        "vendor_id": user.vendor_id,
        # What the person did while signed in, with the address and browser each request came from.
        "activity": [_activity(entry) for entry in entries_by_actor(user.user_id, now=now)],
    }


def _activity(entry: AuditModel) -> dict[str, Any]:
    return {
        "at": isoformat(entry.at),
        "action": entry.action,
        "org_id": entry.org_id,
        "source_ip": entry.source_ip,
        "user_agent": entry.user_agent,
    }


def _audit_entry(entry: AuditModel) -> dict[str, Any]:
    """An entry about the person (not by them: that is a login's activity)."""
    return {
        "event_id": entry.event_id,
        "org_id": None if entry.org_id == STAFF_TRAIL else entry.org_id,
        "at": isoformat(entry.at),
        "action": entry.action,
        "targets": dict(entry.targets or {}),
        "details": dict(entry.details or {}),
        "kept_until": isoformat(entry.purge_when) if entry.purge_when else None,
    }


def _mail(message: OutboxModel, found: Found) -> dict[str, Any]:
    """A message to the person (with its recipient), or one naming them to somebody else (with only what
    names them: the recipient is another person)."""
    to_them = found.own(message.to_address) or message.to_address == ERASED_EMAIL
    context = dict(message.context or {})
    return {
        "message_id": message.message_id,
        "kind": message.kind,
        "to_name": message.to_name if to_them else None,
        "to_address": message.to_address if to_them else None,
        "about_you": {key: value for key, value in context.items() if found.identity.holds(value)},
        "status": message.status,
        "created_at": isoformat(message.created_at),
        "kept_until": isoformat(message.expires_at),
    }


def _organisation(organisation: OrganisationModel, found: Found) -> dict[str, Any]:
    applicant = dict(organisation.applicant or {})
    return {
        "org_id": organisation.org_id,
        "name": organisation.name,
        "applicant": applicant if found.own(applicant.get("email")) else None,
        "contact_email": organisation.contact_email if found.own(organisation.contact_email) else None,
    }


def _suppression_dict(suppression: SuppressionModel) -> dict[str, Any]:
    return {
        "address": suppression.address,
        "reason": suppression.reason,
        "since": isoformat(suppression.suppressed_at),
    }


def _suppression(suppressions: list[SuppressionModel]) -> dict[str, Any] | None:
    return _suppression_dict(suppressions[0]) if suppressions else None


# Auditing


def _staff_event(
    action: AuditAction, staff: Principal, email: str, origin: Origin, found: Found
) -> AuditEvent:
    # The trail must not itself keep the address it was asked to forget: it names the digest.
    return AuditEvent(
        STAFF_TRAIL,
        action,
        Actor(ActorKind.STAFF, staff.user_id),
        origin,
        targets={"subject": erased_subject(email)},
        details={
            "codes": len(found.codes),
            "receipts": len(found.receipts),
            "applications": len(found.applications),
            "users": len(found.users),
            "mail": len(found.mail),
            "audit": len(found.audit),
            "organisations": len(found.organisations),
            "vendors": len(found.vendors),
            "support_cases": len(found.support_cases),
        },
    )


def _organisation_event(
    org_id: str, staff: Principal, origin: Origin, details: dict[str, list[str]]
) -> AuditEvent:
    return AuditEvent(
        org_id,
        AuditAction.PERSONAL_DATA_ERASED,
        Actor(ActorKind.STAFF, staff.user_id),
        origin,
        details=details,
    )
