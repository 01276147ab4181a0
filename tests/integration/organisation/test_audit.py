"""The audit trail: append-only, per organisation, newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.models.audit import (
    Actor,
    ActorKind,
    AuditAction,
    AuditEvent,
    AuditModel,
    Origin,
    audit_record,
    record_event,
    trail_of,
)


def event(org_id: str, action: AuditAction) -> AuditEvent:
    return AuditEvent(org_id, action, Actor(ActorKind.STAFF, "staff-1"), Origin("10.0.0.1", "UA/1"))


def test_an_organisations_trail_reads_newest_first_and_only_its_own(tables):
    # Given events for two organisations, two of them in the same microsecond
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    record_event(event("org-a", AuditAction.ORGANISATION_APPROVED), now=at)
    record_event(event("org-b", AuditAction.ORGANISATION_REJECTED), now=at)
    record_event(event("org-a", AuditAction.ORGANISATION_SUSPENDED), now=at + timedelta(days=1))
    record_event(event("org-a", AuditAction.ORGANISATION_APPROVED), now=at + timedelta(days=1))

    # When the trail of one is read
    found = trail_of("org-a")

    # Then it has that organisation's events only, none lost, newest first
    assert len(found) == 3
    assert found[-1].action == "organisation.approved"
    assert [e.at for e in found] == sorted((e.at for e in found), reverse=True)
    assert {e.org_id for e in found} == {"org-a"}
    assert (found[0].actor_kind, found[0].actor_id, found[0].source_ip, found[0].user_agent) == (
        "staff",
        "staff-1",
        "10.0.0.1",
        "UA/1",
    )


def test_audit_records_expire_five_years_after_their_event(tables):
    # The trail outlives what it describes, but not for ever: it holds who did what from which address.
    at = datetime(2027, 1, 30, 21, 34, 5, 123456, tzinfo=UTC)
    record, _ = audit_record(
        AuditEvent("org-a", AuditAction.ORGANISATION_APPROVED, Actor.anonymous(), Origin()), now=at
    )
    assert type(AuditModel.get_attributes()["purge_at"]).__name__ == "TTLAttribute"
    # To the second: a TTL is in whole seconds.
    assert record.purge_at == datetime(2032, 1, 30, 21, 34, 5, tzinfo=UTC)


def test_a_very_long_user_agent_is_cut(tables):
    record_event(
        AuditEvent(
            "org-a", AuditAction.ORGANISATION_APPROVED, Actor.anonymous(), Origin("1.2.3.4", "x" * 5000)
        ),
        now=datetime.now(UTC),
    )
    assert len(trail_of("org-a")[0].user_agent) == 512
