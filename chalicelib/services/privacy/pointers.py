"""Pointers for what was written before items named the people in them (chalicelib/models/mentions.py).

Audit entries and mail written before pointers existed name people nobody's address leads to: a deleted
colleague's `user.invited` and `user.deleted` entries, an activation letter's applicant. This one-off pass
reads both tables once and writes the pointers such an item would have been written with, wherever the item
itself says whose it is: the address in a login's entry (its profile, an address change), an organisation's
contact address change, an entry about a login that still exists (its address now), a letter's applicant.
What names a person only by name (a mail to the administrators about a colleague, support's removal of a
login that is gone) cannot be tied to an address afterwards; it ages out with its retention (mail after 90
days).

It is a Scan of two tables, run once by an operator after the deploy that introduced pointers, never on a
request path; writing a pointer is idempotent, so it may be run again, or stopped and started over.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.models import Model

from chalicelib.models.audit import AuditModel
from chalicelib.models.base import transaction
from chalicelib.models.mentions import MentionModel, pointers_for
from chalicelib.models.outbox import OutboxModel, addresses_named_in
from chalicelib.models.user import get_user
from chalicelib.services.privacy.pseudonyms import looks_like_address

# Pointers written per transaction: DynamoDB takes 100 items; fewer keep a throttled retry cheap.
BATCH = 25


@dataclass
class Backfilled:
    audit: int = 0
    mail: int = 0
    pointers: int = 0


def point_existing(*, now: datetime) -> Backfilled:
    """Write the missing pointers of every audit entry and mail still kept; answers how many items and
    pointers."""
    report = Backfilled()
    batch: list[MentionModel] = []
    for item, addresses in _named():
        if not _kept(item, now):
            continue
        pointers = pointers_for(item, addresses)
        if not pointers:
            continue
        if isinstance(item, AuditModel):
            report.audit += 1
        else:
            report.mail += 1
        batch += pointers
        if len(batch) >= BATCH:
            report.pointers += _write(batch)
            batch = []
    report.pointers += _write(batch)
    return report


def _named() -> Iterator[tuple[Model, list[str]]]:
    for entry in AuditModel.scan():
        yield entry, entry_addresses(entry)
    for message in OutboxModel.scan():
        named = addresses_named_in(dict(message.context or {}))
        yield message, [address for address in named if looks_like_address(address)]


def entry_addresses(entry: AuditModel) -> list[str]:
    """The addresses an audit entry is about, as far as the entry (or the login it is about) says."""
    details = dict(entry.details or {})
    changes = dict(details.get("changes") or {})
    found: list[Any] = []
    login = (entry.targets or {}).get("user_id")
    if login:
        found.append(details.get("email"))
        found += _both(changes.get("email"))
        user = get_user(str(login))
        if user is not None:
            found.append(user.email)
    found += _both(changes.get("contact_email"))
    return [str(address) for address in found if looks_like_address(address)]


def _both(change: Any) -> list[Any]:
    return [change.get("from"), change.get("to")] if isinstance(change, dict) else []


def _kept(item: Model, now: datetime) -> bool:
    until = getattr(item, "purge_at", None) or getattr(item, "expires_at", None)
    return until is None or now < until


def _write(pointers: list[MentionModel]) -> int:
    if not pointers:
        return 0
    with transaction() as tx:
        for pointer in pointers:
            until = pointer.purge_when
            keep = MentionModel.purge_at.set(until) if until else MentionModel.purge_at.remove()
            tx.update(pointer, actions=[keep])
    return len(pointers)
