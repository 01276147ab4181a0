"""A person's requests about their data (GDPR articles 15 and 17), answered by staff: what Godkend holds
about an e-mail address, and erasing what it need not keep.

The person is found by their e-mail address through the `by-subject` indexes (codes, applications, logins,
mail) and the receipts of their codes; never by a Scan. Erasure replaces names and addresses with a marker
(`retention.ERASED`) where the data is no longer needed, and says in its answer what it kept and why:
- a code that is still active keeps its representative (revoke it first: a vendor may be checking it);
- a vendor's receipt keeps the representative's first and last name until its retention ends: it is the
  vendor's evidence of what it was told when it gave the discount;
- a login keeps its name, e-mail and mobile (both are its second factor); an administrator deletes it;
- a message still waiting to be sent keeps its address until it is sent;
- a suppressed address stays suppressed, so that no mail reaches it again.
An erased item keeps a digest of the address instead (`retention.erased_subject`), so that a later request
from the same person still shows what was kept about them.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition

from chalicelib.clock import Clock, isoformat
from chalicelib.models.application import ApplicationModel, ApplicationStatus
from chalicelib.models.audit import (
    STAFF_TRAIL,
    Actor,
    ActorKind,
    AuditAction,
    AuditEvent,
    Origin,
    entries_by_actor,
    record_event,
)
from chalicelib.models.code import CodeModel, CodeStatus, CodeValueModel, codes_of_subject, get_value
from chalicelib.models.outbox import MailStatus, OutboxModel
from chalicelib.models.retention import ERASED, ERASED_EMAIL, erased_subject, subject_of
from chalicelib.models.suppression import suppression_of
from chalicelib.models.user import UserModel
from chalicelib.models.validation import ReceiptModel, receipts_of_code
from chalicelib.services.authz import Principal

RECEIPT_KEPT_BECAUSE = (
    "A receipt is the vendor's evidence of what Godkend told it when it accepted the code, so it keeps the "
    "representative's first and last name until the receipt's retention ends."
)
ACTIVE_CODE_KEPT_BECAUSE = "The code is active and may be in use at a vendor: revoke it first, then erase."
LOGIN_KEPT_BECAUSE = (
    "A login needs its name, e-mail and mobile (its second factor): an administrator of the organisation "
    "deletes the login, and its data goes with it."
)
MAIL_KEPT_BECAUSE = "The message is still waiting to be sent; ask again once it has been."
SUPPRESSION_KEPT_BECAUSE = "A suppressed address stays suppressed, so that no mail reaches it again."
# Mail that is still on its way keeps its address until the pipeline is done with it.
IN_FLIGHT = frozenset({MailStatus.QUEUED.value})
HANDLED = [status.value for status in MailStatus if status.value not in IN_FLIGHT]


@dataclass
class _Found:
    """Everything held under one e-mail address."""

    codes: list[CodeModel] = field(default_factory=list)
    receipts: list[ReceiptModel] = field(default_factory=list)
    applications: list[ApplicationModel] = field(default_factory=list)
    users: list[UserModel] = field(default_factory=list)
    mail: list[OutboxModel] = field(default_factory=list)


class PersonalDataService:
    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    def export(self, staff: Principal, email: str, *, origin: Origin) -> dict[str, Any]:
        """Everything Godkend holds about the address: as representative, applicant, user and recipient."""
        now = self._now()
        found = _find(email, now)
        record_event(
            _staff_event(AuditAction.PERSONAL_DATA_EXPORTED, staff, email, origin, found),
            now=self._clock.now(),
        )
        return {
            "email": email,
            "exported_at": isoformat(now),
            "codes": [_code(entry, now) for entry in found.codes],
            "receipts": [_receipt(receipt) for receipt in found.receipts],
            "applications": [_application(application) for application in found.applications],
            "users": [_user(user, now) for user in found.users],
            "mail": [_mail(message) for message in found.mail],
            "suppression": _suppression(email),
        }

    def erase(self, staff: Principal, email: str, *, origin: Origin) -> dict[str, Any]:
        """Erase the person's name and address wherever Godkend need not keep them; answer what was erased
        and what was kept, and why."""
        now = self._now()
        found = _find(email, now)
        digest = erased_subject(email)
        erased_codes, active = _erase_codes(found.codes, digest, now)
        erased_applications = _erase_applications(found.applications, digest)
        erased_mail, waiting = _erase_mail(found.mail, digest)
        # The trail orders entries to the microsecond; the answer's times are to the second.
        record_event(
            _staff_event(AuditAction.PERSONAL_DATA_ERASED, staff, email, origin, found), now=self._clock.now()
        )
        for org_id, code_ids in _by_organisation(erased_codes).items():
            record_event(_organisation_event(org_id, staff, origin, code_ids), now=self._clock.now())
        return {
            "email": email,
            "erased_at": isoformat(now),
            "erased": {
                "codes": [entry.code_id for entry in erased_codes],
                "applications": erased_applications,
                "mail": erased_mail,
            },
            "kept": {
                "active_codes": [{**_code_ref(entry), "why": ACTIVE_CODE_KEPT_BECAUSE} for entry in active],
                "receipts": [
                    {**_receipt(receipt), "why": RECEIPT_KEPT_BECAUSE} for receipt in found.receipts
                ],
                "users": [
                    {"user_id": user.user_id, "org_id": user.org_id, "why": LOGIN_KEPT_BECAUSE}
                    for user in found.users
                ],
                "mail": [{"message_id": m.message_id, "why": MAIL_KEPT_BECAUSE} for m in waiting],
                "suppression": (
                    {**_suppression_dict(email), "why": SUPPRESSION_KEPT_BECAUSE}
                    if suppression_of(email)
                    else None
                ),
            },
        }

    def _now(self) -> datetime:
        return self._clock.now().astimezone(UTC).replace(microsecond=0)


# Finding


def _find(email: str, now: datetime) -> _Found:
    subjects = (subject_of(email), erased_subject(email))
    codes = [entry for subject in subjects for entry in codes_of_subject(subject, now=now)]
    receipts = [receipt for entry in codes for receipt in receipts_of_code(entry.code_id, now=now)]
    applications = [a for subject in subjects for a in ApplicationModel.by_subject.query(subject)]
    users = list(UserModel.by_subject.query(subject_of(email)))
    mail_ids = [key.message_id for subject in subjects for key in OutboxModel.by_subject.query(subject)]
    mail = sorted(OutboxModel.batch_get(mail_ids, consistent_read=True), key=lambda m: m.created_at)
    return _Found(codes=codes, receipts=receipts, applications=applications, users=users, mail=mail)


# Erasing


def _erase_codes(
    codes: list[CodeModel], digest: str, now: datetime
) -> tuple[list[CodeModel], list[CodeModel]]:
    erased: list[CodeModel] = []
    active: list[CodeModel] = []
    for entry in codes:
        if entry.erased_when is not None:
            continue
        if entry.status_at(now) is CodeStatus.ACTIVE:
            active.append(entry)
            continue
        if _erase_code(entry, digest, now):
            erased.append(entry)
        else:
            active.append(entry)  # renewed meanwhile: it is active again
    return erased, active


def _erase_code(entry: CodeModel, digest: str, now: datetime) -> bool:
    # Only while it is still not active: a renewal racing the erasure wins, and the code is reported kept.
    inactive: Condition = CodeModel.revoked_at.exists() | (CodeModel.expires_at <= now)
    try:
        entry.update(
            actions=[
                CodeModel.first_name.set(ERASED),
                CodeModel.last_name.set(ERASED),
                CodeModel.email.set(ERASED_EMAIL),
                CodeModel.notify.set(False),
                CodeModel.subject.set(digest),
                CodeModel.erased_at.set(now),
            ],
            condition=inactive,
        )
    except UpdateError:
        return False
    value = get_value(entry.random_part)
    if value is not None and value.code_id == entry.code_id:
        # A revoked value is kept until its TTL so that vendors hear "revoked"; it needs no names for that.
        # Removed or redrawn meanwhile: then nothing of this person is left on it.
        with contextlib.suppress(UpdateError):
            value.update(
                actions=[CodeValueModel.first_name.set(ERASED), CodeValueModel.last_name.set(ERASED)],
                condition=CodeValueModel.code_id == entry.code_id,
            )
    return True


def _erase_applications(applications: list[ApplicationModel], digest: str) -> list[str]:
    erased: list[str] = []
    for application in applications:
        if application.status == ApplicationStatus.ACTIVATED.value or application.subject == digest:
            continue  # an activated application lives on as a login; see LOGIN_KEPT_BECAUSE
        form = dict(application.form or {})
        form["applicant"] = {
            **dict(form.get("applicant") or {}),
            "first_name": ERASED,
            "last_name": ERASED,
            "email": ERASED_EMAIL,
            "mobile": ERASED,
        }
        application.update(
            actions=[ApplicationModel.form.set(form), ApplicationModel.subject.set(digest)],
            condition=ApplicationModel.status != ApplicationStatus.ACTIVATED.value,
        )
        erased.append(application.application_id)
    return erased


def _erase_mail(messages: list[OutboxModel], digest: str) -> tuple[list[str], list[OutboxModel]]:
    erased: list[str] = []
    waiting: list[OutboxModel] = []
    for message in messages:
        if message.subject == digest:
            continue
        if message.status in IN_FLIGHT:
            waiting.append(message)
            continue
        try:
            # The version attribute makes this fail if the pipeline changed the message since it was read.
            message.update(
                actions=[
                    OutboxModel.to_address.set(ERASED_EMAIL),
                    OutboxModel.to_name.set(ERASED),
                    OutboxModel.context.set({}),
                    OutboxModel.secrets.remove(),
                    OutboxModel.subject.set(digest),
                ],
                condition=OutboxModel.status.is_in(
                    *[s.value for s in MailStatus if s.value not in IN_FLIGHT]
                ),
            )
        except UpdateError:
            waiting.append(message)
            continue
        erased.append(message.message_id)
    return erased, waiting


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


def _user(user: UserModel, now: datetime) -> dict[str, Any]:
    return {
        "user_id": user.user_id,
        "org_id": user.org_id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "mobile": user.mobile,
        "status": user.status,
        "functions": list(user.functions or []),
        "created_at": isoformat(user.created_at),
        # What the person did while signed in, with the address and browser each request came from.
        "activity": [
            {
                "at": isoformat(entry.at),
                "action": entry.action,
                "org_id": entry.org_id,
                "source_ip": entry.source_ip,
                "user_agent": entry.user_agent,
            }
            for entry in entries_by_actor(user.user_id, now=now)
        ],
    }


def _mail(message: OutboxModel) -> dict[str, Any]:
    return {
        "message_id": message.message_id,
        "kind": message.kind,
        "to_name": message.to_name,
        "to_address": message.to_address,
        "status": message.status,
        "created_at": isoformat(message.created_at),
        "kept_until": isoformat(message.expires_at),
    }


def _suppression_dict(email: str) -> dict[str, Any]:
    suppression = suppression_of(email)
    if suppression is None:
        return {}
    return {"reason": suppression.reason, "since": isoformat(suppression.suppressed_at)}


def _suppression(email: str) -> dict[str, Any] | None:
    return _suppression_dict(email) or None


# Auditing


def _staff_event(
    action: AuditAction, staff: Principal, email: str, origin: Origin, found: _Found
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
        },
    )


def _organisation_event(org_id: str, staff: Principal, origin: Origin, code_ids: list[str]) -> AuditEvent:
    return AuditEvent(
        org_id,
        AuditAction.PERSONAL_DATA_ERASED,
        Actor(ActorKind.STAFF, staff.user_id),
        origin,
        details={"code_ids": code_ids},
    )


def _by_organisation(codes: list[CodeModel]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for entry in codes:
        grouped.setdefault(entry.org_id, []).append(entry.code_id)
    return grouped
