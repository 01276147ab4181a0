"""Journey 4: staff review organisations. An organisation starts `pending_review`; staff approve it as an
NGO, reject it with a reason, or later suspend it. Only an approved organisation may create codes.

The decision, the mail to the organisation's administrators and the audit record commit together. Asking
for the status the organisation already has changes nothing and mails nobody, so a double click or a retry
is harmless. Approval fixes the organisation's handle: it is reserved in the handles table first (with a
short suffix when another organisation has it), so that the part after the `@` in a code names exactly one
organisation. The demo seed and the test factories reserve handles through the same function
(`reserve_organisation_handle`), so no two organisations anywhere share one.

A change of the display name after approval is a request (`requested_name`, see
chalicelib/services/organisation.py) that staff approve or refuse here; vendors see the approved name until
then (chalicelib/services/vendor_view.py). Rejection releases the organisation's pending companies.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action

from chalicelib.adapters.registry import CompanyRegistry
from chalicelib.clock import Clock, isoformat
from chalicelib.errors import Conflict, InvalidTransition, NotFound
from chalicelib.models.audit import Actor, ActorKind, AuditAction, AuditEvent, Origin, audit_record
from chalicelib.models.base import transaction
from chalicelib.models.handle import reserve_handle
from chalicelib.models.organisation import (
    OrganisationModel,
    OrganisationStatus,
    get_organisation,
    status_page,
)
from chalicelib.models.outbox import MailKind, Recipient, outgoing
from chalicelib.models.paging import InvalidCursor, encode_cursor, resume_key
from chalicelib.models.user import active_administrators
from chalicelib.services.authz import Principal
from chalicelib.services.handles import MAX_LENGTH, ascii_handle
from chalicelib.services.paging import bad_cursor
from chalicelib.services.proofs import organisation_companies, release_claims
from chalicelib.services.vendor_events import organisation_changed
from chalicelib.services.vendor_view import VendorView, publish, view_of

# A decision's transaction holds the organisation, the audit record, the cause of the vendors' events (one
# item, however many receipts: chalicelib/models/webhook.py) and one mail per administrator, and DynamoDB
# allows 100 items in a transaction.
MAX_MAILED_ADMINISTRATORS = 90
NUMBERED_SUFFIXES = range(2, 10)
RANDOM_SUFFIX_TRIES = 5
INDEX = "organisations.by-status"
CURSOR_KEYS = frozenset({"org_id", "status", "created_at"})


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    SUSPEND = "suspend"


@dataclass(frozen=True)
class Transition:
    to: OrganisationStatus
    allowed_from: frozenset[OrganisationStatus]
    action: AuditAction


TRANSITIONS = {
    # A rejection can be reversed by approving after all; a suspension is lifted by approving again.
    Decision.APPROVE: Transition(
        OrganisationStatus.APPROVED,
        frozenset(
            {OrganisationStatus.PENDING_REVIEW, OrganisationStatus.SUSPENDED, OrganisationStatus.REJECTED}
        ),
        AuditAction.ORGANISATION_APPROVED,
    ),
    Decision.REJECT: Transition(
        OrganisationStatus.REJECTED,
        frozenset({OrganisationStatus.PENDING_REVIEW}),
        AuditAction.ORGANISATION_REJECTED,
    ),
    Decision.SUSPEND: Transition(
        OrganisationStatus.SUSPENDED,
        frozenset({OrganisationStatus.APPROVED}),
        AuditAction.ORGANISATION_SUSPENDED,
    ),
}


@dataclass(frozen=True)
class OrganisationPage:
    items: list[OrganisationModel]
    next_cursor: str | None


def may_create_codes(organisation: OrganisationModel) -> bool:
    """The one rule for the codes feature: only an approved organisation issues codes."""
    return organisation.status == OrganisationStatus.APPROVED.value


class EligibilityService:
    def __init__(self, *, clock: Clock, registry: CompanyRegistry | None = None) -> None:
        self._clock = clock
        self._registry = registry

    def page(self, status: OrganisationStatus, *, limit: int, cursor: str | None) -> OrganisationPage:
        try:
            start = (
                resume_key(cursor, index=INDEX, key_names=CURSOR_KEYS, partition=("status", status.value))
                if cursor
                else None
            )
        except InvalidCursor as exc:
            raise bad_cursor(exc) from exc
        items, last = status_page(status, limit=limit, start=start)
        return OrganisationPage(items=items, next_cursor=encode_cursor(INDEX, last) if last else None)

    def decide(
        self, staff: Principal, org_id: str, decision: Decision, *, reason: str | None, origin: Origin
    ) -> OrganisationModel:
        organisation = get_organisation(org_id)
        if organisation is None:
            raise NotFound("No such organisation.")
        transition = TRANSITIONS[decision]
        if organisation.status == transition.to.value:
            return organisation
        if OrganisationStatus(organisation.status) not in transition.allowed_from:
            raise InvalidTransition(
                f"An organisation that is {organisation.status} cannot be {transition.to.value}; it can be "
                f"from {', '.join(sorted(s.value for s in transition.allowed_from))}."
            )
        now = self._clock.now()
        actions: list[Action] = [
            OrganisationModel.status.set(transition.to.value),
            OrganisationModel.status_changed_at.set(now),
        ]
        view = view_of(organisation).changed(status=transition.to.value)
        if decision is Decision.APPROVE:
            handle = self._reserve_handle(organisation, now)
            actions += [
                OrganisationModel.handle.set(handle),
                OrganisationModel.approved_at.set(now),
                OrganisationModel.status_reason.remove(),
            ]
            view = view.changed(handle=handle, approved_since=now)
        else:
            actions.append(OrganisationModel.status_reason.set(reason or ""))
        self._commit(staff, organisation, transition, actions, view, reason, now, origin)
        if decision is Decision.REJECT:
            release_claims(org_id, now, reason="organisation_rejected")
        changed = get_organisation(org_id)
        assert changed is not None  # it was just updated
        return changed

    def _commit(
        self,
        staff: Principal,
        organisation: OrganisationModel,
        transition: Transition,
        actions: list[Action],
        view: VendorView,
        reason: str | None,
        now: datetime,
        origin: Origin,
    ) -> None:
        administrators = sorted(active_administrators(organisation.org_id), key=lambda u: u.created_at)
        event = AuditEvent(
            organisation.org_id,
            transition.action,
            Actor(ActorKind.STAFF, staff.user_id),
            origin,
            targets={"org_id": organisation.org_id},
            details={"from": organisation.status, "to": transition.to.value, "reason": reason or ""},
        )
        try:
            with transaction() as tx:
                # The version check (added by PynamoDB) makes concurrent decisions on one organisation
                # commit one at a time; the loser is told to look again.
                tx.update(
                    organisation,
                    actions=actions,
                    condition=OrganisationModel.status == organisation.status,
                )
                # What vendors see changes with the decision: the very next check answers by it.
                publish(tx, view, now=now)
                for admin in administrators[:MAX_MAILED_ADMINISTRATORS]:
                    tx.save(
                        *outgoing(
                            MailKind.DECISION,
                            to=Recipient(address=admin.email, name=f"{admin.first_name} {admin.last_name}"),
                            language=admin.language or "da",
                            context={
                                "organisation_name": organisation.name,
                                "decision": transition.to.value,
                                "reason": reason or "",
                                "decided_at": isoformat(now),
                            },
                            now=now,
                            message_id=(
                                f"{MailKind.DECISION.value}:{organisation.org_id}:{organisation.version}:"
                                f"{admin.user_id}"
                            ),
                        )
                    )
                tx.save(*audit_record(event, now=now))
                cause = organisation_changed(organisation, to=transition.to.value, now=now)
                if cause is not None:
                    tx.save(*cause)
        except TransactWriteError as exc:
            raise Conflict("The organisation changed meanwhile; look at it again and retry.") from exc

    def _reserve_handle(self, organisation: OrganisationModel, now: datetime) -> str:
        return reserve_organisation_handle(organisation.org_id, organisation.name, organisation.handle, now)

    def approve_name_change(self, staff: Principal, org_id: str, *, origin: Origin) -> OrganisationModel:
        """The requested display name becomes the one vendors see. The handle stays."""
        organisation = self._with_request(org_id)
        requested = organisation.requested_name or ""
        self._settle_name(
            staff,
            organisation,
            [OrganisationModel.name.set(requested)],
            AuditAction.NAME_CHANGE_APPROVED,
            {"from": organisation.name, "to": requested},
            origin,
            published=view_of(organisation).changed(name=requested),
        )
        return self._reloaded(org_id)

    def refuse_name_change(
        self, staff: Principal, org_id: str, *, reason: str, origin: Origin
    ) -> OrganisationModel:
        organisation = self._with_request(org_id)
        self._settle_name(
            staff,
            organisation,
            [],
            AuditAction.NAME_CHANGE_REFUSED,
            {"requested": organisation.requested_name, "reason": reason},
            origin,
        )
        return self._reloaded(org_id)

    def _with_request(self, org_id: str) -> OrganisationModel:
        organisation = get_organisation(org_id)
        if organisation is None:
            raise NotFound("No such organisation.")
        if not organisation.requested_name:
            raise InvalidTransition("The organisation has not asked for another name.")
        return organisation

    def _settle_name(
        self,
        staff: Principal,
        organisation: OrganisationModel,
        actions: list[Action],
        action: AuditAction,
        details: dict[str, Any],
        origin: Origin,
        published: VendorView | None = None,
    ) -> None:
        now = self._clock.now()
        actions = [
            *actions,
            OrganisationModel.requested_name.remove(),
            OrganisationModel.name_requested_at.remove(),
            OrganisationModel.name_requested_by.remove(),
        ]
        event = AuditEvent(
            organisation.org_id,
            action,
            Actor(ActorKind.STAFF, staff.user_id),
            origin,
            targets={"org_id": organisation.org_id},
            details=details,
        )
        try:
            with transaction() as tx:
                # Under the version (added by PynamoDB) and the request staff looked at.
                tx.update(
                    organisation,
                    actions=actions,
                    condition=OrganisationModel.requested_name == organisation.requested_name,
                )
                if published is not None:
                    # The approved name is what the very next check answers with.
                    publish(tx, published, now=now)
                tx.save(*audit_record(event, now=now))
        except TransactWriteError as exc:
            raise Conflict("The organisation changed meanwhile; look at it again and retry.") from exc

    def _reloaded(self, org_id: str) -> OrganisationModel:
        changed = get_organisation(org_id)
        assert changed is not None  # it was just updated
        return changed

    def review(self, org_id: str) -> dict[str, Any]:
        """One organisation as staff review it: every company with its proof status, the name the
        organisation typed beside the register's name (looked up again now), and who applied."""
        organisation = get_organisation(org_id)
        if organisation is None:
            raise NotFound("No such organisation.")
        companies = organisation_companies(org_id, self._clock.now())
        if self._registry is not None:
            for company in companies:
                entry = self._registry.lookup(company["cvr"])
                company["register_name"] = entry.name if entry is not None else None
                company["register_status"] = entry.status.value if entry is not None else "unknown"
        return {"organisation": organisation, "companies": companies}


def reserve_organisation_handle(org_id: str, name: str, current: str, now: datetime) -> str:
    """The handle the organisation's codes carry, reserved for it alone: its current one if free, else its
    name's ASCII form, else that with a short suffix. Approval, the demo seed and the test factories all
    come through here."""
    base = ascii_handle(name) or current
    for candidate in _handle_candidates(current, base):
        if reserve_handle(candidate, org_id, now):
            return candidate
    raise Conflict("No free handle could be found for this organisation; contact the developers.")


def _handle_candidates(current: str, base: str) -> list[str]:
    suffixes = [str(n) for n in NUMBERED_SUFFIXES]
    suffixes += [
        "".join(secrets.choice("abcdefghjkmnpqrstvwxyz23456789") for _ in range(4))
        for _ in range(RANDOM_SUFFIX_TRIES)
    ]
    candidates = [current, base] + [base[: MAX_LENGTH - len(suffix)] + suffix for suffix in suffixes]
    return list(dict.fromkeys(c for c in candidates if c))
