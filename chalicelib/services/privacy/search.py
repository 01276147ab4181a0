"""Everything Godkend holds about a person, found from their e-mail address without a Scan.

Where a person can be, and how each is reached:
- under their own address, by each table's `by-subject` index: the codes made for them, their
  applications, their logins, the mail sent to them;
- through a pointer (`mentions[address]`, chalicelib/models/mentions.py): audit entries about them (a
  colleague invited, changed, deleted or removed by support; an organisation's contact address changed; an
  activation), and mail that names them to someone else (a letter's applicant, the colleague and the
  administrator in a mail to the administrators, who sent an invitation);
- from what those lead to: a code's value item and its receipts (`validations.by-code`) and the expiry
  reminders about it to its issuer (their ids are derived from the code's); a login's own activity
  (`audit.by-actor`), also of logins that were deleted (their ids are in the entries about them); the
  organisations they applied for or gave their address to as contact; a suppressed address;
- the vendors' catalogue (tens of vendors, one partition): a vendor whose contact address is theirs;
- the support cases they filed, by the `support-cases.by-subject` index.

Each address is also looked for under the digest that stands for it once erased
(`retention.erased_subject`), so that a request after an erasure shows what was kept. An address change of a
login links the old and the new address (the entry about the change names both); both are followed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.models.application import ApplicationModel, ApplicationStatus
from chalicelib.models.audit import STAFF_TRAIL, AuditModel, entries_by_actor
from chalicelib.models.code import CodeModel, CodeValueModel, codes_of_subject, get_value
from chalicelib.models.mentions import MentionModel, mentions_of, parse_ref, short_name
from chalicelib.models.organisation import OrganisationModel, organisations_by_id
from chalicelib.models.outbox import OutboxModel
from chalicelib.models.retention import erased_subject, subject_of
from chalicelib.models.support_case import SupportCaseModel, cases_of_subject
from chalicelib.models.suppression import SuppressionModel, suppression_of
from chalicelib.models.user import UserModel
from chalicelib.models.validation import ReceiptModel, receipts_of_code
from chalicelib.models.vendor import CATALOGUE, VendorModel
from chalicelib.services.codes.reminders import Audience, Stage, reminder_message_id
from chalicelib.services.privacy.pseudonyms import Identity, looks_like_address

# Address changes are followed this many links deep: a login whose address changed more often than that is
# rare enough for staff to ask again under the other address.
MAX_LINKS = 4
# Audit details that hold a person's name, address or mobile when the entry is about their login.
NAME_KEYS = ("name", "removed_name")
PART_KEYS = ("first_name", "last_name")
ADDRESS_KEYS = ("email",)
MOBILE_KEYS = ("mobile",)


@dataclass
class Found:
    """Everything held under the person's addresses, and how the person appears in it."""

    subjects: list[str] = field(default_factory=list)
    codes: list[CodeModel] = field(default_factory=list)
    values: dict[str, CodeValueModel] = field(default_factory=dict)  # by code id
    receipts: list[ReceiptModel] = field(default_factory=list)
    applications: list[ApplicationModel] = field(default_factory=list)
    users: list[UserModel] = field(default_factory=list)
    mail: list[OutboxModel] = field(default_factory=list)  # to the person or naming them
    audit: list[AuditModel] = field(default_factory=list)  # about the person
    former_logins: dict[str, list[AuditModel]] = field(default_factory=dict)  # their activity, by login
    organisations: list[OrganisationModel] = field(default_factory=list)
    vendors: list[VendorModel] = field(default_factory=list)
    suppressions: list[SuppressionModel] = field(default_factory=list)
    support_cases: list[SupportCaseModel] = field(default_factory=list)  # that they filed
    # Pointers by the ref of the item they point at: moved along when that item is erased.
    pointers: dict[str, list[MentionModel]] = field(default_factory=dict)
    identity: Identity = field(default_factory=Identity)

    def own(self, value: Any) -> bool:
        """Whether an address (any case) is one of the person's."""
        return isinstance(value, str) and subject_of(value) in self.subjects

    def current_login_in(self, org_id: str | None) -> bool:
        return any(user.org_id == org_id for user in self.users)


def find(email: str, *, now: datetime) -> Found:
    found = Found()
    pending = [subject_of(email)]
    for _ in range(MAX_LINKS):
        if not pending:
            break
        found.subjects += pending
        linked = _find_under(pending, found, now)
        pending = [subject for subject in linked if subject not in found.subjects]
    _follow_links(found, now)
    _describe_person(found)
    return found


def subjects_with_digests(subjects: Iterable[str]) -> list[str]:
    return [key for subject in subjects for key in (subject, erased_subject(subject))]


def _find_under(subjects: list[str], found: Found, now: datetime) -> list[str]:
    """Add what the subjects (and their digests) lead to directly; answer the addresses it links to."""
    keys = subjects_with_digests(subjects)
    _add(found.codes, [c for key in keys for c in codes_of_subject(key, now=now)], "code_id")
    applications = [a for key in keys for a in ApplicationModel.by_subject.query(key)]
    _add(found.applications, [a for a in applications if now < a.delete_after], "application_id")
    _add(found.users, [u for subject in subjects for u in UserModel.by_subject.query(subject)], "user_id")
    mail_ids = [m.message_id for key in keys for m in OutboxModel.by_subject.query(key)]
    audit_keys: list[tuple[str, str]] = []
    for key in keys:
        for pointer in mentions_of(key, now=now):
            found.pointers.setdefault(pointer.ref, []).append(pointer)
            table, hash_key, range_key = parse_ref(pointer.ref)
            if table == short_name(OutboxModel):
                mail_ids.append(hash_key)
            elif table == short_name(AuditModel) and range_key is not None:
                audit_keys.append((hash_key, range_key))
    _add(found.mail, _mail(mail_ids, now), "message_id")
    keys_of_entries = sorted(set(audit_keys))
    entries = (
        [e for e in AuditModel.batch_get(keys_of_entries) if not _gone(e.purge_when, now)]
        if keys_of_entries
        else []
    )
    _add(found.audit, entries, "event_id")
    _add(found.support_cases, [c for s in subjects for c in cases_of_subject(s, now=now)], "case_id")
    for subject in subjects:
        suppression = suppression_of(subject)
        if suppression is not None:
            _add(found.suppressions, [suppression], "address")
    return _linked_addresses(entries, found)


def _follow_links(found: Found, now: datetime) -> None:
    """What the items found under the addresses lead to."""
    found.codes.sort(key=lambda c: c.created_at)
    for entry in found.codes:
        value = get_value(entry.random_part)
        if value is not None and value.code_id == entry.code_id:
            found.values[entry.code_id] = value
        _add(found.receipts, receipts_of_code(entry.code_id, now=now), "validation_id")
    _add(found.mail, _mail(_reminder_ids(found.codes), now), "message_id")
    found.mail.sort(key=lambda m: m.created_at)
    found.audit.sort(key=lambda e: e.at_event)
    current = {user.user_id for user in found.users}
    for about in found.audit:
        login = (about.targets or {}).get("user_id")
        if login and login not in current and login not in found.former_logins:
            found.former_logins[login] = entries_by_actor(login, now=now)
    org_ids = {a.org_id for a in found.applications} | {u.org_id for u in found.users if u.org_id}
    org_ids |= {e.org_id for e in found.audit if e.org_id != STAFF_TRAIL}
    organisations = organisations_by_id(org_ids).values()
    found.organisations = [
        o for o in organisations if found.own((o.applicant or {}).get("email")) or found.own(o.contact_email)
    ]
    # The whole catalogue: tens of vendors in one partition, so the cost does not grow with anything else.
    found.vendors = [v for v in VendorModel.by_catalogue.query(CATALOGUE) if found.own(v.contact_email)]


def _describe_person(found: Found) -> None:
    """How the person appears: the names, addresses and mobiles the items found say are theirs."""
    person = found.identity
    for subject in found.subjects:
        person.add_address(subject)
    _describe_from_logins_and_codes(found)
    applicants = [dict((a.form or {}).get("applicant") or {}) for a in found.applications]
    applicants += [dict(o.applicant or {}) for o in found.organisations]
    for applicant in applicants:
        if found.own(applicant.get("email")):
            person.add_name(applicant.get("first_name"), applicant.get("last_name"))
            person.add_mobile(applicant.get("mobile"))
    for case in found.support_cases:
        person.add_name(case.name)
    for message in found.mail:
        _describe_from_mail(found, message)
    for about in found.audit:
        if (about.targets or {}).get("user_id"):
            _describe_from_details(person, dict(about.details or {}))


def _describe_from_logins_and_codes(found: Found) -> None:
    for user in found.users:
        found.identity.add_name(user.first_name, user.last_name)
        found.identity.add_mobile(user.mobile)
    for entry in found.codes:
        found.identity.add_name(entry.first_name, entry.last_name)


def _describe_from_mail(found: Found, message: OutboxModel) -> None:
    """A mail to the person names them as its recipient; a letter or a reminder names them with their
    address beside the name."""
    if found.own(message.to_address):
        found.identity.add_name(message.to_name)
    context = dict(message.context or {})
    for name_key, address_key in (
        ("applicant_name", "applicant_email"),
        ("representative_name", "representative_email"),
    ):
        if found.own(context.get(address_key)):
            found.identity.add_name(context.get(name_key))


def _describe_from_details(person: Identity, details: dict[str, Any]) -> None:
    """An entry about the person's login: its profile and changes are theirs."""
    for key in NAME_KEYS:
        person.add_name(details.get(key))
    for key in MOBILE_KEYS:
        person.add_mobile(details.get(key))
    changes = dict(details.get("changes") or {})
    for key in PART_KEYS:
        change = dict(changes.get(key) or {})
        person.add_name(change.get("from"))
        person.add_name(change.get("to"))
    for key in MOBILE_KEYS:
        change = dict(changes.get(key) or {})
        person.add_mobile(change.get("from"))
        person.add_mobile(change.get("to"))


def _linked_addresses(entries: list[AuditModel], found: Found) -> list[str]:
    """The addresses that entries about one of the person's logins give it: its profile and its changes."""
    linked: list[str] = []
    for entry in entries:
        if not (entry.targets or {}).get("user_id"):
            continue
        details = dict(entry.details or {})
        changes = dict(details.get("changes") or {})
        change = dict(changes.get("email") or {})
        for value in (details.get("email"), change.get("from"), change.get("to")):
            if looks_like_address(value) and subject_of(str(value)) not in linked:
                linked.append(subject_of(str(value)))
    return linked


def _reminder_ids(codes: list[CodeModel]) -> list[str]:
    """The expiry reminders each value of each code could have had, to its representative and its issuer."""
    ids = []
    for entry in codes:
        for renewals in range(int(entry.renewals) + 1):
            # The id names the value by the renewals it had; an entry as it was then is enough to derive it.
            probe = CodeModel(entry.code_id, renewals=renewals)
            ids += [reminder_message_id(probe, stage, audience) for stage in Stage for audience in Audience]
    return ids


def _mail(message_ids: Iterable[str], now: datetime) -> list[OutboxModel]:
    ids = sorted(set(message_ids))
    return [m for m in OutboxModel.batch_get(ids, consistent_read=True) if now < m.expires_at] if ids else []


def _add(into: list[Any], items: Iterable[Any], key: str) -> None:
    seen = {getattr(item, key) for item in into}
    for item in items:
        if getattr(item, key) not in seen:
            seen.add(getattr(item, key))
            into.append(item)


def _gone(purge_at: datetime | None, now: datetime) -> bool:
    return purge_at is not None and now >= purge_at


def is_activated(application: ApplicationModel) -> bool:
    return application.status == ApplicationStatus.ACTIVATED.value
