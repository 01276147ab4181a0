"""Organisations (an NGO group), their companies (one per CVR number) and the companies' account numbers.

Access patterns
- organisation by id ........................ GetItem organisations[org_id]
- master data (name, address, contact) ...... UpdateItem organisations[org_id] under its version
- organisations by the beginning of their name
  (staff search), by name ................... Query organisations.by-name[name_initial] begins_with(name_key),
                                              paged by the last item's keys (`organisations_named`)
- organisations by status, oldest first ..... Query organisations.by-status[status] (staff review queue),
                                              paged by the last item's keys (`status_page`)
- what staff reviewed changed ............... UpdateItem organisations[org_id] ADD version 1, in the
                                              transaction that changes its companies (`touch`), so a
                                              staff decision under the older version cannot commit
- company by CVR ............................ GetItem companies[cvr] (a CVR belongs to one organisation;
                                              written only once the company is proven, under
                                              `attribute_not_exists`, so the first proof wins)
- a CVR's pending claims .................... Query company-claims[cvr] (dropped when another proves it)
- an organisation's pending claims .......... Query company-claims.by-org[org_id]
- one claim ................................. GetItem company-claims[cvr, org_id]
- an organisation's companies ............... Query companies.by-org[org_id]
- a company's accounts ...................... Query accounts[cvr]
- one account ............................... GetItem accounts[cvr, number]
- names of a page's companies and accounts .. BatchGetItem companies[cvr...], accounts[(cvr, number)...]
- add, rename, close, remove an account ..... Put/Update/DeleteItem accounts[cvr, number] in the master-data
                                              transaction (remove only when closed: see services/organisation)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name
from chalicelib.values.search_names import initial, name_key


class OrganisationStatus(StrEnum):
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class AccountStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class OrganisationsByStatus(GlobalSecondaryIndex["OrganisationModel"]):
    class Meta:
        index_name = "by-status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class OrganisationsByName(GlobalSecondaryIndex["OrganisationModel"]):
    """Staff's search by the beginning of a name (chalicelib/values/search_names.py), in the partition of its
    first character."""

    class Meta:
        index_name = "by-name"
        projection = AllProjection()

    name_initial = UnicodeAttribute(hash_key=True)
    name_key = UnicodeAttribute(range_key=True)


class OrganisationModel(Model):
    class Meta:
        table_name = table_name("organisations")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    org_id = UnicodeAttribute(hash_key=True)
    # The display name vendors see: typed at application, reviewed by staff; a later change waits in
    # `requested_name` until staff approve it.
    name = UnicodeAttribute()
    # The main company's name in the company register.
    legal_name = UnicodeAttribute(null=True)
    requested_name = UnicodeAttribute(null=True)
    name_requested_at = UTCDateTimeAttribute(null=True)
    name_requested_by = UnicodeAttribute(null=True)
    # Who applied in the application that was activated: {first_name, last_name, email}.
    applicant = JSONAttribute(null=True)
    # ASCII form of the name used in codes (`7k2m9xq4@RoedeKorsAarhus`).
    handle = UnicodeAttribute()
    primary_cvr = UnicodeAttribute()
    status = UnicodeAttribute(default=OrganisationStatus.PENDING_REVIEW.value)
    created_at = UTCDateTimeAttribute()
    # Since when it has been approved without interruption: set by every approval from another status.
    approved_at = UTCDateTimeAttribute(null=True)
    # Staff's reason for the current status, when it was rejected or suspended.
    status_reason = UnicodeAttribute(null=True)
    status_changed_at = UTCDateTimeAttribute(null=True)
    # Master data the organisation keeps itself (`PATCH /v1/organisation`): {street, postcode, city}.
    address = JSONAttribute(null=True)
    contact_email = UnicodeAttribute(null=True)
    # When a write to the organisation's companies last moved its version (`touch`).
    companies_changed_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()
    # The name as staff search for it; written with the name, whoever writes it (`renamed`, `__init__`).
    name_initial = UnicodeAttribute(null=True)
    name_key = UnicodeAttribute(null=True)

    by_status = OrganisationsByStatus()
    by_name = OrganisationsByName()

    def __init__(
        self,
        hash_key: Any = None,
        range_key: Any = None,
        _user_instantiated: bool = True,
        **attributes: Any,
    ) -> None:
        # A new organisation is in the name index from its first write.
        if _user_instantiated and isinstance(attributes.get("name"), str):
            key = name_key(attributes["name"])
            attributes.setdefault("name_key", key)
            attributes.setdefault("name_initial", initial(key))
        super().__init__(hash_key, range_key, _user_instantiated, **attributes)


def renamed(name: str) -> list[Action]:
    """The update actions that give an organisation a new name, its search key with it."""
    key = name_key(name)
    return [
        OrganisationModel.name.set(name),
        OrganisationModel.name_key.set(key),
        OrganisationModel.name_initial.set(initial(key)),
    ]


def organisations_named(
    prefix: str, *, limit: int, start: dict[str, Any] | None
) -> tuple[list[OrganisationModel], dict[str, Any] | None]:
    """Organisations whose name begins with `prefix` (as typed), by name, a page at a time."""
    key = name_key(prefix)
    if not key:
        return [], None
    found = list(
        OrganisationModel.by_name.query(
            initial(key),
            OrganisationModel.name_key.startswith(key),
            limit=limit + 1,
            page_size=limit + 1,
            last_evaluated_key=start,
        )
    )
    if len(found) <= limit:
        return found, None
    last = found[limit - 1]
    return found[:limit], {
        "org_id": {"S": last.org_id},
        "name_initial": {"S": last.name_initial},
        "name_key": {"S": last.name_key},
    }


class CompaniesByOrganisation(GlobalSecondaryIndex["CompanyModel"]):
    class Meta:
        index_name = "by-org"
        projection = AllProjection()

    org_id = UnicodeAttribute(hash_key=True)
    cvr = UnicodeAttribute(range_key=True)


class CompanyModel(Model):
    class Meta:
        table_name = table_name("companies")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    cvr = UnicodeAttribute(hash_key=True)
    org_id = UnicodeAttribute()
    # The name the organisation gave the company; `legal_name` is the register's.
    name = UnicodeAttribute()
    legal_name = UnicodeAttribute(null=True)
    # The group's parent company; null for the parent itself.
    parent_cvr = UnicodeAttribute(null=True)
    # How the company was proven: "letter" (its own letter's code), "ownership" (the register says the main
    # company owns it).
    proven_by = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()

    by_org = CompaniesByOrganisation()


class ClaimsByOrganisation(GlobalSecondaryIndex["CompanyClaimModel"]):
    class Meta:
        index_name = "by-org"
        projection = AllProjection()

    org_id = UnicodeAttribute(hash_key=True)
    cvr = UnicodeAttribute(range_key=True)


class CompanyClaimModel(Model):
    """A subsidiary an organisation named but has not proven yet: `pending`. It blocks nobody (the company
    item is written only by a proof), and carries the keyed hash of the code in the company's own letter."""

    class Meta:
        table_name = table_name("company-claims")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    cvr = UnicodeAttribute(hash_key=True)
    org_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    legal_name = UnicodeAttribute()
    official_mailbox = UnicodeAttribute()
    parent_cvr = UnicodeAttribute()
    # The accounts the application gave this company, written when it is proven: [{number, name}].
    accounts = JSONAttribute(default=list)
    # The keyed hash of the code in the company's letter; empty while the claim waits for a gathered letter
    # to its mailbox (`letter_id`), which writes the code
    # (chalicelib/services/onboarding/gathered_letters.py).
    code_digest = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    delete_after = TTLAttribute()
    # The gathered letter that carries (or will carry) this claim's code; absent when it went at once.
    letter_id = UnicodeAttribute(null=True)
    # The user whose name and e-mail the letter prints as who asked (read again when a gathered letter goes).
    asked_by = UnicodeAttribute(null=True)

    by_org = ClaimsByOrganisation()

    def is_open(self, now: datetime) -> bool:
        return now < self.expires_at

    @property
    def waits_for_letter(self) -> bool:
        """Its code is not written yet: the mailbox's gathered letter will carry it."""
        return not self.code_digest

    @property
    def proof(self) -> str:
        """'pending' while its letter's code can be entered; 'locked' after too many wrong tries (a new
        letter is then the way on)."""
        # Imported here: the applications' model is no part of the paths (a vendor's check) that read an
        # organisation without its claims.
        from chalicelib.models.application import MAX_ATTEMPTS

        return "locked" if self.attempts >= MAX_ATTEMPTS else "pending"


def claims_of(org_id: str, now: datetime) -> list[CompanyClaimModel]:
    """The organisation's pending companies whose proof has not expired (an expired one is released)."""
    return [c for c in CompanyClaimModel.by_org.query(org_id) if c.is_open(now)]


def all_claims_of(org_id: str) -> list[CompanyClaimModel]:
    """Every claim of the organisation's, expired ones too (until TTL removes them)."""
    return list(CompanyClaimModel.by_org.query(org_id))


def claims_on(cvr: str) -> list[CompanyClaimModel]:
    return list(CompanyClaimModel.query(cvr, consistent_read=True))


def get_claim(cvr: str, org_id: str) -> CompanyClaimModel | None:
    try:
        return CompanyClaimModel.get(cvr, org_id, consistent_read=True)
    except CompanyClaimModel.DoesNotExist:
        return None


class AccountModel(Model):
    class Meta:
        table_name = table_name("accounts")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    cvr = UnicodeAttribute(hash_key=True)
    number = UnicodeAttribute(range_key=True)
    org_id = UnicodeAttribute()
    name = UnicodeAttribute()
    status = UnicodeAttribute(default=AccountStatus.OPEN.value)
    created_at = UTCDateTimeAttribute()


def touch(tx: TransactWrite, org_id: str, now: datetime) -> None:
    """Moves the organisation's version in `tx`, whatever it is now.

    Staff decide on an organisation as they saw it, companies included, and the decision commits only under
    the version it was read at (chalicelib/services/onboarding/eligibility.py). A company or claim is an item
    of its own, so a transaction that adds, renames, proves, locks or drops one also touches the organisation,
    and a decision racing it fails rather than approving what nobody saw. Without the version condition
    PynamoDB sends `ADD version 1` for any number the instance holds; it needs one, not the right one."""
    tx.update(
        OrganisationModel(org_id, version=0),
        actions=[OrganisationModel.companies_changed_at.set(now)],
        condition=OrganisationModel.org_id.exists(),
        add_version_condition=False,
    )


def get_organisation(org_id: str) -> OrganisationModel | None:
    try:
        return OrganisationModel.get(org_id)
    except OrganisationModel.DoesNotExist:
        return None


def organisations_by_id(org_ids: Iterable[str]) -> dict[str, OrganisationModel]:
    """BatchGetItem, 100 keys at a time; unknown ids are left out."""
    keys = sorted(set(org_ids))
    return {o.org_id: o for o in OrganisationModel.batch_get(keys)} if keys else {}


def get_company(cvr: str) -> CompanyModel | None:
    try:
        return CompanyModel.get(cvr)
    except CompanyModel.DoesNotExist:
        return None


def status_page(
    status: OrganisationStatus, *, limit: int, start: dict[str, Any] | None
) -> tuple[list[OrganisationModel], dict[str, Any] | None]:
    """One page of the organisations with a status, oldest first, and the key to continue after."""
    # One more than asked for tells whether another page exists, so the last page never ends in an empty one.
    found = list(
        OrganisationModel.by_status.query(
            status.value, limit=limit + 1, page_size=limit + 1, last_evaluated_key=start
        )
    )
    if len(found) <= limit:
        return found, None
    last = found[limit - 1]
    created_at = OrganisationModel.created_at.serialize(last.created_at)
    return found[:limit], {
        "org_id": {"S": last.org_id},
        "status": {"S": status.value},
        "created_at": {"S": created_at},
    }


def companies_of(org_id: str) -> list[CompanyModel]:
    return list(CompanyModel.by_org.query(org_id))


def accounts_of(cvr: str) -> list[AccountModel]:
    return list(AccountModel.query(cvr))


def names_of_accounts(keys: Iterable[tuple[str, str]]) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """The current names of some companies (by CVR) and accounts (by CVR and number): one BatchGetItem per
    table, for a page of items that name them (the validation history)."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}, {}
    companies = {c.cvr: c.name for c in CompanyModel.batch_get(sorted({cvr for cvr, _ in wanted}))}
    accounts = {(a.cvr, a.number): a.name for a in AccountModel.batch_get(wanted)}
    return companies, accounts
