"""Journey 4: staff review organisations. An organisation starts `pending_review`; staff approve it as an
NGO, reject it with a reason, or later suspend it. Only an approved organisation may create codes.

The decision, the mail to the organisation's administrators and the audit record commit together. Asking
for the status the organisation already has changes nothing and mails nobody, so a double click or a retry
is harmless. Approval fixes the organisation's handle: it is reserved in the handles table first (with a
short suffix when another organisation has it), so that the part after the `@` in a code names exactly one
organisation. The demo seed and the test factories reserve handles through the same function
(`reserve_organisation_handle`), so no two organisations anywhere share one.

A change of the display name after approval is a request (`requested_name`, see
chalicelib/services/organisation/master_data.py) that staff approve or refuse here; vendors see the approved
name until then (chalicelib/services/vendors/vendor_view.py). Rejection releases the organisation's pending
companies.

Staff decide on what they saw. Each view of an organisation carries its version (`version_of`, an HTTP
`ETag`): a digest of everything the view shows, the display name, the requested name, the status and the
companies with their names and proof. A decision names the version it was made on (`If-Match`) and is
refused (`PreconditionFailed`) when the organisation no longer shows that; the check is repeated inside the
decision's transaction, which writes the organisation under the version it was read at. Every write to
what the view shows moves that version: the organisation's own writes through PynamoDB's version, the
writes to its companies and claims through `touch` (chalicelib/models/organisation.py). So a rename landing
between the check and the write fails the transaction too, and is then answered as a change. The company
register's own names are read afresh for each review and are not part of the version: nothing the
organisation does can change them.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from chalicelib.adapters.registry import CompanyRegistry
from chalicelib.clock import Clock, isoformat
from chalicelib.errors import Conflict, InvalidTransition, NotFound, PreconditionFailed
from chalicelib.models.audit import (
    STAFF_TRAIL,
    Actor,
    ActorKind,
    AuditAction,
    AuditEvent,
    AuditModel,
    Origin,
    audit_record,
)
from chalicelib.models.base import transaction
from chalicelib.models.handle import reserve_handle
from chalicelib.models.organisation import (
    OrganisationModel,
    OrganisationStatus,
    get_organisation,
    renamed,
    status_page,
)
from chalicelib.models.outbox import MailKind, Recipient, outgoing
from chalicelib.models.paging import encode_cursor, page_start
from chalicelib.models.user import active_administrators, get_user
from chalicelib.services.access.authz import Principal
from chalicelib.services.onboarding.proofs import organisation_companies, release_claims
from chalicelib.services.organisation.handles import MAX_LENGTH, ascii_handle
from chalicelib.services.vendors.vendor_view import VendorView, publish, view_of
from chalicelib.services.webhooks.event_feed import organisation_changed
from chalicelib.values.page import Page

# A decision's transaction holds the organisation, the audit records (the organisation's and the staff
# trail's, each with a pointer to the staff member who decided), the cause of the vendors' events (one item,
# however many receipts: chalicelib/models/webhook.py) and one mail per administrator, and DynamoDB allows 100
# items in a transaction.
MAX_MAILED_ADMINISTRATORS = 85
NUMBERED_SUFFIXES = range(2, 10)
RANDOM_SUFFIX_TRIES = 5
# A decision whose transaction lost to a write that left the view as staff saw it (a contact address, say)
# is tried again this many times.
DECISION_ATTEMPTS = 3
# What a company shows in staff's view, and so what its version covers.
REVIEWED_COMPANY_FIELDS = ("cvr", "name", "legal_name", "parent_cvr", "proof", "proven_by")
STALE = "The organisation changed since you looked at it. Look at it again and decide on what it shows now."
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
class StaffOrganisationView:
    """An organisation as staff see it when they decide (`shown`), with the version a decision names."""

    org_id: str
    name: str
    legal_name: str | None
    requested_name: str | None
    applicant: dict[str, Any] | None
    companies: list[dict[str, Any]]
    handle: str
    primary_cvr: str
    status: str
    status_reason: str | None
    created_at: str
    approved_at: str | None
    version: str

    @property
    def etag(self) -> str:
        """The version as an HTTP entity tag (quoted, strong): the body's `etag` and the answer's `ETag`,
        which a decision sends back as `If-Match`."""
        return f'"{self.version}"'


def staff_view(organisation: OrganisationModel, now: datetime) -> StaffOrganisationView:
    facts = shown(organisation, organisation_companies(organisation.org_id, now))
    return StaffOrganisationView(**facts, version=version_of(facts))


def shown(organisation: OrganisationModel, companies: list[dict[str, Any]]) -> dict[str, Any]:
    """The organisation as staff see it when they decide: the answer of the staff routes, and what its
    version covers."""
    return {
        "org_id": organisation.org_id,
        "name": organisation.name,
        "legal_name": organisation.legal_name,
        "requested_name": organisation.requested_name,
        "applicant": organisation.applicant,
        "companies": companies,
        "handle": organisation.handle,
        "primary_cvr": organisation.primary_cvr,
        "status": organisation.status,
        "status_reason": organisation.status_reason,
        "created_at": isoformat(organisation.created_at),
        "approved_at": isoformat(organisation.approved_at) if organisation.approved_at else None,
    }


def version_of(view: dict[str, Any]) -> str:
    """The version of a view (`shown`): equal exactly when everything staff see in it is equal, whatever
    else of the organisation changed. The register's names, looked up afresh, are left out."""
    facts = {
        **{name: value for name, value in view.items() if name != "companies"},
        "companies": sorted(
            ({name: company.get(name) for name in REVIEWED_COMPANY_FIELDS} for company in view["companies"]),
            key=lambda company: str(company["cvr"]),
        ),
    }
    canonical = json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Reviewed:
    """An organisation read for a decision, with the version staff would see now."""

    organisation: OrganisationModel
    version: str


def may_create_codes(organisation: OrganisationModel) -> bool:
    """The one rule for the codes feature: only an approved organisation issues codes."""
    return organisation.status == OrganisationStatus.APPROVED.value


def decision_records(
    staff: Principal,
    organisation: OrganisationModel,
    action: AuditAction,
    origin: Origin,
    details: dict[str, Any],
    now: datetime,
) -> list[tuple[AuditModel, Condition]]:
    """A staff decision is written in the organisation's trail (its administrators see it) and in the staff
    trail (staff see every decision in one place), both naming the staff member and the organisation as they
    are named now; one read, the staff member's login. The staff member's address is the entries' mention, so
    that erasing them reaches their name."""
    person = get_user(staff.user_id)
    actor = Actor(ActorKind.STAFF, staff.user_id, person.full_name if person else None)
    mentions = (person.email,) if person and person.email else ()
    return [
        audit_record(
            AuditEvent(
                trail,
                action,
                actor,
                origin,
                targets={"org_id": organisation.org_id},
                details=details,
                mentions=mentions,
                names={"organisation": organisation.name},
            ),
            now=now,
        )
        for trail in (organisation.org_id, STAFF_TRAIL)
    ]


class EligibilityService:
    def __init__(self, *, clock: Clock, registry: CompanyRegistry | None = None) -> None:
        self._clock = clock
        self._registry = registry

    def page(
        self, status: OrganisationStatus, *, limit: int, cursor: str | None
    ) -> Page[StaffOrganisationView]:
        start = page_start(cursor, index=INDEX, key_names=CURSOR_KEYS, partition=("status", status.value))
        items, last = status_page(status, limit=limit, start=start)
        now = self._clock.now()
        return Page(
            [staff_view(organisation, now) for organisation in items],
            encode_cursor(INDEX, last) if last else None,
        )

    def decide(
        self,
        staff: Principal,
        org_id: str,
        decision: Decision,
        *,
        reason: str | None,
        origin: Origin,
        seen: Collection[str],
    ) -> StaffOrganisationView:
        """The decision, made only on the organisation as staff saw it (`seen`: the versions they name).
        Asking for the status it already has changes nothing, whatever the version: the decision stands, and
        a retry whose first answer was lost is told so (RFC 9110, 13.1.1)."""
        transition = TRANSITIONS[decision]
        for _ in range(DECISION_ATTEMPTS):
            reviewed = self.reviewed(org_id)
            organisation = reviewed.organisation
            if organisation.status == transition.to.value:
                return staff_view(organisation, self._clock.now())
            if reviewed.version not in seen:
                raise PreconditionFailed(STALE)
            if OrganisationStatus(organisation.status) not in transition.allowed_from:
                raise InvalidTransition(
                    f"An organisation that is {organisation.status} cannot be {transition.to.value}; it can "
                    f"be from {', '.join(sorted(s.value for s in transition.allowed_from))}."
                )
            if self._decided(staff, organisation, decision, transition, reason, origin):
                break
        else:
            raise Conflict("The organisation changed meanwhile; look at it again and retry.")
        if decision is Decision.REJECT:
            release_claims(org_id, self._clock.now(), reason="organisation_rejected")
        return staff_view(self._reloaded(org_id), self._clock.now())

    def _decided(
        self,
        staff: Principal,
        organisation: OrganisationModel,
        decision: Decision,
        transition: Transition,
        reason: str | None,
        origin: Origin,
    ) -> bool:
        """Commits the decision under the version the organisation was read at; False when another write
        to it came first (the caller looks again)."""
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
        try:
            self._commit(staff, organisation, transition, actions, view, reason, now, origin)
        except TransactWriteError as exc:
            if _moved_on(organisation):
                return False
            raise Conflict("The organisation changed meanwhile; look at it again and retry.") from exc
        return True

    def reviewed(self, org_id: str) -> Reviewed:
        organisation = get_organisation(org_id)
        if organisation is None:
            raise NotFound("No such organisation.")
        companies = organisation_companies(org_id, self._clock.now())
        return Reviewed(organisation, version_of(shown(organisation, companies)))

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
        details = {"from": organisation.status, "to": transition.to.value, "reason": reason or ""}
        records = decision_records(staff, organisation, transition.action, origin, details, now)
        with transaction() as tx:
            # Under the version it was read at (added by PynamoDB): a change to anything staff saw,
            # or another decision, makes this one look again.
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
            for record in records:
                tx.save(*record)
            cause = organisation_changed(organisation, to=transition.to.value, now=now)
            if cause is not None:
                tx.save(*cause)

    def _reserve_handle(self, organisation: OrganisationModel, now: datetime) -> str:
        return reserve_organisation_handle(organisation.org_id, organisation.name, organisation.handle, now)

    def approve_name_change(
        self, staff: Principal, org_id: str, *, origin: Origin, seen: Collection[str]
    ) -> StaffOrganisationView:
        """The requested display name, as staff saw it, becomes the one vendors see. The handle stays."""
        for _ in range(DECISION_ATTEMPTS):
            organisation = self._with_request(org_id, seen)
            requested = organisation.requested_name or ""
            settled = self._settle_name(
                staff,
                organisation,
                renamed(requested),
                AuditAction.NAME_CHANGE_APPROVED,
                {"from": organisation.name, "to": requested},
                origin,
                published=view_of(organisation).changed(name=requested),
            )
            if settled:
                return staff_view(self._reloaded(org_id), self._clock.now())
        raise Conflict("The organisation changed meanwhile; look at it again and retry.")

    def refuse_name_change(
        self, staff: Principal, org_id: str, *, reason: str, origin: Origin, seen: Collection[str]
    ) -> StaffOrganisationView:
        for _ in range(DECISION_ATTEMPTS):
            organisation = self._with_request(org_id, seen)
            settled = self._settle_name(
                staff,
                organisation,
                [],
                AuditAction.NAME_CHANGE_REFUSED,
                {"requested": organisation.requested_name, "reason": reason},
                origin,
            )
            if settled:
                return staff_view(self._reloaded(org_id), self._clock.now())
        raise Conflict("The organisation changed meanwhile; look at it again and retry.")

    def _with_request(self, org_id: str, seen: Collection[str]) -> OrganisationModel:
        """The organisation as staff saw it, with the name request they decide on still waiting. A request
        replaced, withdrawn or settled since is a change (412): look again."""
        reviewed = self.reviewed(org_id)
        if reviewed.version not in seen:
            raise PreconditionFailed(STALE)
        if not reviewed.organisation.requested_name:
            raise InvalidTransition("The organisation has not asked for another name.")
        return reviewed.organisation

    def _settle_name(
        self,
        staff: Principal,
        organisation: OrganisationModel,
        actions: list[Action],
        action: AuditAction,
        details: dict[str, Any],
        origin: Origin,
        published: VendorView | None = None,
    ) -> bool:
        """Settles the request under the version the organisation was read at; False when another write to
        it came first (the caller looks again)."""
        now = self._clock.now()
        actions = [
            *actions,
            OrganisationModel.requested_name.remove(),
            OrganisationModel.name_requested_at.remove(),
            OrganisationModel.name_requested_by.remove(),
        ]
        records = decision_records(staff, organisation, action, origin, details, now)
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
                for record in records:
                    tx.save(*record)
        except TransactWriteError as exc:
            if _moved_on(organisation):
                return False
            raise Conflict("The organisation changed meanwhile; look at it again and retry.") from exc
        return True

    def _reloaded(self, org_id: str) -> OrganisationModel:
        changed = get_organisation(org_id)
        assert changed is not None  # it was just updated
        return changed

    def review(self, org_id: str) -> StaffOrganisationView:
        """One organisation as staff review it (`shown`, with its `version`): every company with its proof
        status, the name the organisation typed beside the register's name (looked up again now), and who
        applied."""
        organisation = get_organisation(org_id)
        if organisation is None:
            raise NotFound("No such organisation.")
        companies = organisation_companies(org_id, self._clock.now())
        facts = shown(organisation, companies)
        version = version_of(facts)
        if self._registry is not None:
            for company in companies:
                entry = self._registry.lookup(company["cvr"])
                company["register_name"] = entry.name if entry is not None else None
                company["register_status"] = entry.status.value if entry is not None else "unknown"
        return StaffOrganisationView(**facts, version=version)


def _moved_on(organisation: OrganisationModel) -> bool:
    """Whether the organisation was written since it was read: what a cancelled decision was up against."""
    now = get_organisation(organisation.org_id)
    return now is None or now.version != organisation.version


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
