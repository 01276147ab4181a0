"""`GET /v1/organisation/audit`: the organisation's audit trail for its administrators, newest first.

An administrator sees every entry of their organisation, but, like everything else, only the companies and
accounts in their own scope: a scope or master-data change written about companies they do not see is shown
without those companies, and a company named as an entry's target is left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from chalicelib.clock import isoformat
from chalicelib.errors import NotFound
from chalicelib.models.audit import NAMES, STAFF_TRAIL, ActorKind, AuditModel, trail_page
from chalicelib.models.paging import encode_cursor, page_start
from chalicelib.models.user import users_by_id
from chalicelib.services.access.authz import Principal
from chalicelib.services.access.grants import visible_scope
from chalicelib.values.page import Page

INDEX = "audit"
CURSOR_KEYS = frozenset({"org_id", "at_event"})


def page(principal: Principal, *, limit: int, cursor: str | None, now: datetime) -> Page[AuditEntry]:
    if principal.org_id is None:
        raise NotFound("No such organisation.")
    return _trail_page(
        principal.org_id, limit=limit, cursor=cursor, now=now, show=lambda e: describe(e, principal)
    )


def staff_page(*, limit: int, cursor: str | None, now: datetime) -> Page[AuditEntry]:
    """The operator's own trail (vendors, mail, personal-data requests), newest first, for staff."""
    return organisation_page_for_staff(STAFF_TRAIL, limit=limit, cursor=cursor, now=now)


def _trail_page(
    partition: str,
    *,
    limit: int,
    cursor: str | None,
    now: datetime,
    show: Callable[[AuditModel], AuditEntry],
) -> Page[AuditEntry]:
    """One page of one trail, newest first; a cursor resumes only the trail it came from."""
    start = page_start(cursor, index=INDEX, key_names=CURSOR_KEYS, partition=("org_id", partition))
    entries, last = trail_page(partition, limit=limit, start=start, now=now)
    shown = with_names_now([show(entry) for entry in entries])
    return Page(shown, encode_cursor(INDEX, last) if last else None)


# Actors whose login the trail can name.
NAMED_KINDS = frozenset({ActorKind.USER.value, ActorKind.STAFF.value})


def with_names_now(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Entries written before names were kept (or by writers that keep none) name their actor and the
    colleague they are about by the login's name now, read for the whole page at once (one BatchGetItem,
    none when every entry names its people). A login since deleted stays unnamed: the console says "a
    former user", never an id."""
    wanted = {e.actor.id for e in entries if e.actor.name is None and e.actor.kind in NAMED_KINDS}
    wanted |= {str(e.targets["user_id"]) for e in entries if _colleague_unnamed(e)}
    if not wanted:
        return entries
    found = {user_id: user.full_name for user_id, user in users_by_id(wanted).items()}
    return [_named(entry, found) for entry in entries]


def _colleague_unnamed(entry: AuditEntry) -> bool:
    return (
        "user_id" in entry.targets
        and "user" not in entry.names
        and not entry.details.get("name")
        and not entry.details.get("removed_name")
    )


def _named(entry: AuditEntry, found: dict[str, str]) -> AuditEntry:
    actor = entry.actor
    if actor.name is None and actor.kind in NAMED_KINDS and actor.id in found:
        actor = replace(actor, name=found[actor.id])
    names = entry.names
    if _colleague_unnamed(entry) and str(entry.targets["user_id"]) in found:
        names = {**names, "user": found[str(entry.targets["user_id"])]}
    return replace(entry, actor=actor, names=names)


@dataclass(frozen=True)
class AuditActor:
    kind: str
    id: str
    name: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    event_id: str
    at: str
    action: str
    actor: AuditActor
    targets: dict[str, Any]
    # What changed, as the trail wrote it (cut to the caller's scope where it names companies).
    details: dict[str, Any]
    # Who else the entry is about, by role, as named when it was written.
    names: dict[str, str]
    source_ip: str
    user_agent: str


def describe(entry: AuditModel, principal: Principal) -> AuditEntry:
    targets = {
        name: value
        for name, value in dict(entry.targets or {}).items()
        if name != "cvr" or principal.sees_company(str(value))
    }
    return _entry(entry, targets, redact(entry.details or {}, principal))


def _entry(entry: AuditModel, targets: dict[str, Any], details: dict[str, Any]) -> AuditEntry:
    kept = details.pop(NAMES, None)
    names = {str(k): str(v) for k, v in kept.items() if v} if isinstance(kept, dict) else {}
    return AuditEntry(
        event_id=entry.event_id,
        at=isoformat(entry.at),
        action=entry.action,
        actor=AuditActor(kind=entry.actor_kind, id=entry.actor_id, name=names.pop("actor", None)),
        targets=targets,
        details=details,
        names=names,
        source_ip=entry.source_ip,
        user_agent=entry.user_agent,
    )


def redact(value: Any, principal: Principal) -> Any:
    """Every list of companies (objects with a `cvr`) anywhere in the details, cut to the caller's scope."""
    if isinstance(value, dict):
        return {key: redact(item, principal) for key, item in value.items()}
    if isinstance(value, list):
        if value and all(isinstance(item, dict) and "cvr" in item for item in value):
            value = visible_scope(principal, value)
        return [redact(item, principal) for item in value]
    return value


def organisation_page_for_staff(
    org_id: str, *, limit: int, cursor: str | None, now: datetime
) -> Page[AuditEntry]:
    """An organisation's whole trail for staff (support, review): staff see every company, so nothing
    is cut."""
    return _trail_page(org_id, limit=limit, cursor=cursor, now=now, show=_unredacted)


def _unredacted(entry: AuditModel) -> AuditEntry:
    return _entry(entry, dict(entry.targets or {}), dict(entry.details or {}))
