"""The audit trail: an append-only record of who did what to an organisation, when, and from where.

Records are written in the same transaction as the change they describe, wherever there is one, and are
never updated or deleted by the service, with one exception: erasing a person's data (GDPR article 17,
`chalicelib/services/privacy/personal_data.py`) pseudonymises their name, e-mail and mobile in the entries
that hold them, so that the event stays (who did what, when) and the person does not. An entry that holds a
person's data names them (`AuditEvent.mentions`), and its transaction writes a pointer per address
(`chalicelib/models/mentions.py`): that is how an erasure finds a deleted colleague's entries.

Each entry is kept five years (`purge_at`, the table's TTL; see `chalicelib/models/retention.py`): the
trail outlives the applications, logins and codes it describes (a
removed login stays explained), but not for ever, since it holds who did what from which address.

Keys are made for reading one organisation's trail newest first, a page at a time
(`GET /v1/organisation/audit`): the hash key is the organisation, the range key the time to the microsecond
followed by the event's id, so that two events in the same microsecond neither collide nor reorder.

Access patterns
- an organisation's trail, newest first ..... Query audit[org_id] ScanIndexForward=false, Limit, cursor
- one person's entries as actor (staff:
  an access request) ........................ Query audit.by-actor[actor_id]
- append one event .......................... PutItem audit[org_id, at_event] if absent, with its pointers
- one entry (a pointer's) ................... GetItem audit[org_id, at_event]
- pseudonymise a person in one entry ........ UpdateItem audit[org_id, at_event] (the erasure's transaction)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, cast

from pynamodb.attributes import JSONAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name, transaction
from chalicelib.models.retention import audit_purge_at, is_gone

ANONYMOUS = "anonymous"
# The operator's own actions that belong to no organisation (vendors, mail, personal-data requests) are kept
# in a trail of their own, under this partition; no organisation's id can be it.
STAFF_TRAIL = "staff"
MAX_USER_AGENT = 512


class ActorKind(StrEnum):
    ANONYMOUS = "anonymous"  # not signed in (an applicant)
    USER = "user"  # a person of an organisation, or one proving it with an activation code
    STAFF = "staff"
    OPERATOR = "operator"  # whoever runs the operator's tools (`make staff-remove`), by their AWS identity


class AuditAction(StrEnum):
    APPLICATION_SUBMITTED = "application.submitted"
    APPLICATION_REPEATED = "application.repeated"  # a pending one stood; no letter sent
    ACTIVATION_REFUSED = "activation.refused"  # a wrong code
    ACTIVATION_LOCKED = "activation.locked"
    ACTIVATION_COMPLETED = "activation.completed"
    ORGANISATION_APPROVED = "organisation.approved"
    ORGANISATION_REJECTED = "organisation.rejected"
    ORGANISATION_SUSPENDED = "organisation.suspended"
    LOGIN_REMOVED_BY_SUPPORT = "user.removed_by_support"
    USER_INVITED = "user.invited"  # an administrator created a colleague's login; the invitation was mailed
    INVITATION_RESENT = "user.invitation_resent"
    INVITATION_ACCEPTED = "user.invitation_accepted"
    USER_UPDATED = "user.updated"  # names, contact, functions or scope; details hold each change
    USER_DISABLED = "user.disabled"
    USER_ENABLED = "user.enabled"
    USER_DELETED = "user.deleted"
    COMPANY_PROOF_SENT = "company.proof_sent"  # a subsidiary's own letter went to its official mailbox
    COMPANY_PROOF_REFUSED = "company.proof_refused"  # a wrong code for a subsidiary
    COMPANY_PROVEN = "company.proven"  # by its letter's code, or by the register's ownership data
    COMPANY_CLAIM_DROPPED = "company.claim_dropped"  # another organisation proved it first, or rejection
    # named in the application, but another organisation holds it: it stays there (at activation)
    COMPANY_LEFT_OUT = "company.left_out"
    NAME_CHANGE_APPROVED = "organisation.name_change_approved"
    NAME_CHANGE_REFUSED = "organisation.name_change_refused"
    ORGANISATION_UPDATED = "organisation.updated"  # master data: name, address, contact, companies, accounts
    # A code's representative asked for a new code from their mail's link; a user renewed or declined.
    RENEWAL_REQUESTED = "code.renewal_requested"
    RENEWED_BY_REQUEST = "code.renewed_by_request"
    RENEWAL_DECLINED = "code.renewal_declined"
    # In the staff trail:
    VENDOR_CREATED = "vendor.created"
    VENDOR_KEY_ISSUED = "vendor.key_issued"
    VENDOR_KEY_REVOKED = "vendor.key_revoked"
    # A vendor's person in the vendor console, on their vendor's webhook:
    VENDOR_WEBHOOK_SET = "vendor.webhook_set"
    VENDOR_WEBHOOK_REMOVED = "vendor.webhook_removed"
    VENDOR_WEBHOOK_SECRET_ROTATED = "vendor.webhook_secret_rotated"  # noqa: S105 - an action, no secret
    VENDOR_WEBHOOK_TESTED = "vendor.webhook_tested"
    VENDOR_WEBHOOK_REPLAYED = "vendor.webhook_replayed"
    # A vendor's person replaced the origins a hosted check may send the browser back to.
    VENDOR_REDIRECT_ORIGINS_SET = "vendor.redirect_origins_set"
    MAIL_RETRIED = "mail.retried"
    PERSONAL_DATA_EXPORTED = "personal_data.exported"  # staff answered a person's access request
    PERSONAL_DATA_ERASED = "personal_data.erased"  # staff erased a person's data; details name the codes
    STAFF_REMOVED = "staff.removed"  # a staff member offboarded, by another or by the operator; with why
    SUPPORT_CASE_ANSWERED = "support_case.answered"  # staff mailed an answer to a support case's sender
    SUPPORT_CASE_CLOSED = "support_case.closed"
    # In the organisation's trail, by whoever has the `codes` function:
    CODE_CREATED = "code.created"
    CODE_RENEWED = "code.renewed"
    CODE_REVOKED = "code.revoked"


# Where an entry keeps the names a reader needs (`AuditEvent.names`): inside `details`, so that an erasure's
# pseudonymisation, which rewrites the details, reaches them like any other name the entry holds.
NAMES = "names"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: str
    # The person's name as it was when they acted, so that the trail reads without a look-up per entry.
    name: str | None = None

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(ActorKind.ANONYMOUS, ANONYMOUS)


@dataclass(frozen=True)
class Origin:
    """Where a request came from, as API Gateway saw it."""

    source_ip: str = "unknown"
    user_agent: str = ""


@dataclass(frozen=True)
class AuditEvent:
    org_id: str
    action: AuditAction
    actor: Actor
    origin: Origin
    targets: dict[str, str] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    # The e-mail addresses of the people whose data the entry holds or who it is about (a colleague, a
    # contact address), so that their requests about their data find it; not stored in the entry itself.
    mentions: tuple[str, ...] = ()
    # Who else the entry is about, by role ("representative", "organisation", "user"), as named when written.
    names: dict[str, str] = field(default_factory=dict)


def names_of(event: AuditEvent) -> dict[str, str]:
    """The names an entry keeps: the actor's under "actor", and the others by their role."""
    names = {role: name for role, name in event.names.items() if name}
    if event.actor.name:
        names["actor"] = event.actor.name
    return names


class AuditByActor(GlobalSecondaryIndex["AuditModel"]):
    class Meta:
        index_name = "by-actor"
        projection = AllProjection()

    actor_id = UnicodeAttribute(hash_key=True)
    at_event = UnicodeAttribute(range_key=True)


class AuditModel(Model):
    class Meta:
        table_name = table_name("audit")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    org_id = UnicodeAttribute(hash_key=True)
    at_event = UnicodeAttribute(range_key=True)
    event_id = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    action = UnicodeAttribute()
    actor_kind = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    # Ids of what the event is about: user_id, application_id, cvr, ...
    targets = JSONAttribute(default=dict)
    # What else a reader needs: a reason, the number of tries, where a letter went. Never a secret.
    details = JSONAttribute(default=dict)
    source_ip = UnicodeAttribute()
    user_agent = UnicodeAttribute(default="")
    # The end of the entry's retention; the table's TTL.
    purge_at = TTLAttribute(null=True)

    by_actor = AuditByActor()

    # Whom the entry names, for the transaction that writes it (chalicelib/models/base.py); not an attribute.
    mentioned: tuple[str, ...] = ()

    @property
    def purge_when(self) -> datetime | None:
        return cast("datetime | None", self.purge_at)


def audit_record(event: AuditEvent, *, now: datetime) -> tuple[AuditModel, Condition]:
    """An audit item and the condition to save it under: `tx.save(*audit_record(...))`."""
    event_id = uuid.uuid4().hex
    at = now.astimezone(UTC)
    record = AuditModel(
        event.org_id,
        f"{at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{event_id}",
        event_id=event_id,
        at=at,
        action=event.action.value,
        actor_kind=event.actor.kind.value,
        actor_id=event.actor.id,
        targets=dict(event.targets),
        details=_with_names(event),
        source_ip=event.origin.source_ip or "unknown",
        user_agent=event.origin.user_agent[:MAX_USER_AGENT],
        purge_at=audit_purge_at(at),
    )
    record.mentioned = tuple(event.mentions)
    return record, AuditModel.at_event.does_not_exist()


def _with_names(event: AuditEvent) -> dict[str, Any]:
    names = names_of(event)
    return {**event.details, NAMES: names} if names else dict(event.details)


def record_event(event: AuditEvent, *, now: datetime) -> None:
    """Append one event on its own, for steps that have no transaction of their own to join."""
    record, condition = audit_record(event, now=now)
    if not record.mentioned:
        record.save(condition=condition)
        return
    with transaction() as tx:  # the entry and its pointers, together
        tx.save(record, condition=condition)


def get_entry(org_id: str, at_event: str) -> AuditModel | None:
    try:
        return AuditModel.get(org_id, at_event, consistent_read=True)
    except AuditModel.DoesNotExist:
        return None


def trail_page(
    org_id: str, *, limit: int, start: dict[str, Any] | None, now: datetime
) -> tuple[list[AuditModel], dict[str, Any] | None]:
    """One page of the trail, newest first, and the key to continue after (None on the last page).
    Entries past their retention are left out."""
    kept: Condition = AuditModel.purge_at.does_not_exist() | (AuditModel.purge_at > now)
    found = list(
        AuditModel.query(
            org_id,
            scan_index_forward=False,
            filter_condition=kept,
            limit=limit + 1,
            page_size=limit + 1,
            last_evaluated_key=start,
        )
    )
    if len(found) <= limit:
        return found, None
    last = found[limit - 1]
    return found[:limit], {"org_id": {"S": org_id}, "at_event": {"S": last.at_event}}


def entries_by_actor(actor_id: str, *, now: datetime) -> list[AuditModel]:
    """What one person did, oldest first, past retention left out."""
    return [e for e in AuditModel.by_actor.query(actor_id) if not is_gone(e.purge_when, now)]


def trail_of(org_id: str, *, limit: int = 50) -> list[AuditModel]:
    return list(AuditModel.query(org_id, scan_index_forward=False, limit=limit))
