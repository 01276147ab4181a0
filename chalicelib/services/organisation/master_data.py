"""The organisation's master data (`GET`/`PATCH /v1/organisation`): name, address, contact e-mail, the names
of its companies and their accounts.

Every user of the organisation reads it, cut to their scope: the companies they see and, with limited access,
the accounts they see. Changing it needs the `masterdata` function; renaming a company or adding an account
to it needs full access to the company, and an account outside the caller's scope answers as if it did not
exist. Companies are neither added nor removed here: a company joins a group through an application and the
letter to its official mailbox.

The organisation's handle (after the `@` in its codes) does not follow a new name: it was fixed when the
organisation was approved, and codes already handed out carry it.

An account is closed, not deleted, once it has codes: closing stops new codes and renewals under it (the
code transaction checks that the account is open), while codes already issued keep validating. Only a
closed account without any code can be removed; since a closed account cannot get new codes, the check for
codes cannot be overtaken by a code being issued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    StrictBool,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.clock import Clock, isoformat
from chalicelib.errors import AccountHasCodes, Conflict, FieldError, Forbidden, InvalidInput, NotFound
from chalicelib.fields import (
    UNIQUE_OBJECTS,
    AccountNumber,
    CityName,
    CompanyName,
    Cvr,
    Email,
    OrganisationName,
    Postcode,
    StreetName,
    Strict,
)
from chalicelib.models.audit import Actor, ActorKind, AuditAction, AuditEvent, Origin, audit_record
from chalicelib.models.base import transaction
from chalicelib.models.code import CodeModel, account_key
from chalicelib.models.organisation import (
    AccountModel,
    AccountStatus,
    CompanyModel,
    OrganisationModel,
    OrganisationStatus,
    accounts_of,
    claims_of,
    companies_of,
    get_company,
    get_organisation,
    renamed,
    touch,
)
from chalicelib.services.access.authz import Access, CompanyScope, Principal
from chalicelib.services.access.scope import NO_SUCH_ACCOUNT, NO_SUCH_COMPANY
from chalicelib.services.vendors.vendor_view import publish, view_of

NAME_NEEDED = {"en": "The organisation needs a name.", "da": "Skriv organisationens navn."}
RENAME_ORGANISATION_NEEDS_FULL = {
    "en": "Renaming the organisation needs full access to the main company.",
    "da": "Behold navnet: kun en med fuld adgang til hovedselskabet kan give organisationen nyt navn.",
}
RENAME_COMPANY_NEEDS_FULL = {
    "en": "Renaming a company needs full access to it.",
    "da": "Behold navnet: kun en med fuld adgang til selskabet kan give det nyt navn.",
}
ADD_NEEDS_FULL = {
    "en": "Adding an account needs full access.",
    "da": "Spørg en med fuld adgang til selskabet: kun de kan tilføje en konto.",
}
ACCOUNT_NAME_NEEDED = {"en": "A new account needs a name.", "da": "Skriv kontoens navn."}
CLOSE_FIRST = {"en": "Close the account before removing it.", "da": "Luk kontoen, før du fjerner den."}
HAS_CODES = {
    "en": "The account has codes.",
    "da": "Behold kontoen, og luk den i stedet: der er udstedt koder til den.",
}

MAX_COMPANY_CHANGES = 20
# With the organisation, its companies and the audit record, a change stays under 100 items per transaction.
MAX_ACCOUNT_CHANGES = 60


class _Form(Strict):
    pass


class AddressIn(_Form):
    street: StreetName
    postcode: Postcode = Field(description="A Danish postcode: 4 digits")
    city: CityName


class AccountChange(_Form):
    number: AccountNumber = Field(description="An account of the company; a new number adds an account")
    name: CompanyName | None = Field(
        default=None, description="A new account needs one; given for an existing one, renames it"
    )
    status: Literal["open", "closed"] | None = Field(
        default=None, description="'closed' stops new codes under it; existing codes keep working"
    )
    remove: StrictBool = Field(
        default=False, description="Remove a closed account that has never had a code (else 409)"
    )

    @model_validator(mode="after")
    def _remove_alone(self) -> AccountChange:
        if self.remove and (self.name is not None or self.status is not None):
            raise PydanticCustomError("remove", "Removing an account changes nothing else about it.")
        return self


class CompanyChange(_Form):
    cvr: Cvr = Field(description="A company of the organisation (CVR number)")
    name: CompanyName | None = Field(default=None, description="The company's new name")
    accounts: Annotated[list[AccountChange], UNIQUE_OBJECTS] = Field(
        default_factory=list, max_length=MAX_ACCOUNT_CHANGES, description="Each account number once"
    )

    @field_validator("accounts")
    @classmethod
    def _distinct(cls, accounts: list[AccountChange]) -> list[AccountChange]:
        if len({account.number for account in accounts}) != len(accounts):
            raise PydanticCustomError("accounts", "An account number is listed twice.")
        return accounts


def _no_default(schema: dict[str, Any]) -> None:
    # Left out means "keep it"; the document must not name null as the default of a non-null string.
    schema.pop("default", None)


class OrganisationChanges(_Form):
    """Only what is given changes; `address` and `contact_email` can be cleared with null."""

    @field_validator("name", mode="before")
    @classmethod
    def _named(cls, name: Any) -> Any:
        if name is None:
            raise PydanticCustomError("name", "The organisation needs a name; leave `name` out to keep it.")
        return name

    # Optional, but never null: an organisation always has a name.
    name: OrganisationName | SkipJsonSchema[None] = Field(
        default=None, description="The handle does not change with it", json_schema_extra=_no_default
    )
    address: AddressIn | None = None
    contact_email: Email | None = None
    companies: Annotated[list[CompanyChange], UNIQUE_OBJECTS] = Field(
        default_factory=list, max_length=MAX_COMPANY_CHANGES, description="Each company (CVR) once"
    )

    @field_validator("companies")
    @classmethod
    def _distinct(cls, companies: list[CompanyChange]) -> list[CompanyChange]:
        if len({company.cvr for company in companies}) != len(companies):
            raise PydanticCustomError("companies", "A company is listed twice.")
        if sum(len(company.accounts) for company in companies) > MAX_ACCOUNT_CHANGES:
            raise PydanticCustomError("companies", f"At most {MAX_ACCOUNT_CHANGES} account changes at once.")
        return companies


@dataclass
class _Refusals:
    """What is wrong with a change, by the answer it gets; raised outside in."""

    missing: list[FieldError] = field(default_factory=list)  # 404: outside the scope, or no such thing
    beyond: list[FieldError] = field(default_factory=list)  # 403: seen, but not the caller's to change
    invalid: list[FieldError] = field(default_factory=list)  # 400
    conflicts: list[FieldError] = field(default_factory=list)  # 409: an open account cannot be removed
    with_codes: list[FieldError] = field(default_factory=list)  # 409: an account with codes stays

    def raise_any(self) -> None:
        if self.missing:
            raise NotFound("Some companies or accounts do not exist.", errors=self.missing)
        if self.beyond:
            raise Forbidden("Some changes need full access to the company.", errors=self.beyond)
        if self.invalid:
            raise InvalidInput("Some fields are missing or invalid.", errors=self.invalid)
        if self.conflicts:
            raise Conflict("Only a closed account can be removed; close it first.", errors=self.conflicts)
        if self.with_codes:
            raise AccountHasCodes(
                "An account that has codes cannot be removed; it stays closed, and its codes keep working.",
                errors=self.with_codes,
            )


@dataclass
class _Writes:
    """The master-data transaction, and what the audit trail says about it."""

    organisation: list[Action] = field(default_factory=list)
    companies: dict[str, list[Action]] = field(default_factory=dict)
    added: list[AccountModel] = field(default_factory=list)
    updated: list[tuple[AccountModel, list[Action]]] = field(default_factory=list)
    removed: list[AccountModel] = field(default_factory=list)
    changes: dict[str, Any] = field(default_factory=dict)
    company_changes: list[dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.organisation or self.companies or self.added or self.updated or self.removed)


class OrganisationService:
    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    def describe(self, principal: Principal) -> OrganisationView:
        organisation = _organisation(principal)
        return OrganisationView(
            org_id=organisation.org_id,
            name=organisation.name,
            legal_name=organisation.legal_name,
            requested_name=organisation.requested_name,
            handle=organisation.handle,
            status=organisation.status,
            address=organisation.address,
            contact_email=organisation.contact_email,
            companies=companies_in_scope(principal, organisation.org_id),
            pending_companies=[
                PendingCompany(
                    cvr=c.cvr,
                    name=c.name,
                    legal_name=c.legal_name,
                    proof=c.proof,
                    letter_expires_at=isoformat(c.expires_at),
                )
                for c in claims_of(organisation.org_id, self._clock.now())
            ],
        )

    def update(
        self, principal: Principal, changes: OrganisationChanges, *, origin: Origin
    ) -> OrganisationView:
        organisation = _organisation(principal)
        refusals = _Refusals()
        writes = _Writes()
        _plan_organisation(principal, organisation, changes, writes, refusals, self._clock.now())
        for index, change in enumerate(changes.companies):
            _plan_company(principal, index, change, writes, refusals)
        refusals.raise_any()
        if writes:
            self._commit(principal, organisation, writes, origin)
        return self.describe(principal)

    def _commit(
        self, principal: Principal, organisation: OrganisationModel, writes: _Writes, origin: Origin
    ) -> None:
        now = self._clock.now()
        if writes.company_changes:
            writes.changes["companies"] = writes.company_changes
        event = AuditEvent(
            organisation.org_id,
            AuditAction.ORGANISATION_UPDATED,
            Actor(ActorKind.USER, principal.user_id),
            origin,
            targets={"org_id": organisation.org_id},
            details={"changes": writes.changes},
            # A contact address may be a person's: their request about their data finds the change, and
            # through it the organisation.
            mentions=tuple(str(a) for a in dict(writes.changes.get("contact_email") or {}).values() if a),
        )
        try:
            with transaction() as tx:
                _write(tx, organisation, writes, now)
                _publish_names(tx, organisation, writes, now)
                tx.save(*audit_record(event, now=now))
        except TransactWriteError as exc:
            if exc.cause_response_code == "TransactionCanceledException":
                raise Conflict("The organisation changed meanwhile; look at it again and retry.") from exc
            raise


@dataclass(frozen=True)
class AccountShown:
    number: str
    name: str
    status: str


@dataclass(frozen=True)
class CompanyInScope:
    cvr: str
    name: str
    # The caller's access: 'full', or 'limited' to the accounts listed.
    access: str
    accounts: list[AccountShown]


@dataclass(frozen=True)
class PendingCompany:
    """A subsidiary named in the application and not yet proven: no codes, no scope."""

    cvr: str
    name: str
    legal_name: str | None
    proof: str
    letter_expires_at: str


@dataclass(frozen=True)
class OrganisationView:
    """The caller's own organisation, cut to the companies and accounts the caller sees."""

    org_id: str
    name: str
    legal_name: str | None
    requested_name: str | None
    handle: str
    status: str
    address: dict[str, Any] | None
    contact_email: str | None
    companies: list[CompanyInScope]
    pending_companies: list[PendingCompany]


def companies_in_scope(principal: Principal, org_id: str) -> list[CompanyInScope]:
    """The organisation's companies the caller sees, each with the accounts the caller sees."""
    found = []
    for company in companies_of(org_id):
        scope = principal.companies.get(company.cvr)
        if scope is None:
            continue
        found.append(
            CompanyInScope(
                cvr=company.cvr,
                name=company.name,
                access=scope.access.value,
                accounts=[
                    AccountShown(number=a.number, name=a.name, status=a.status)
                    for a in accounts_of(company.cvr)
                    if scope.covers(a.number)
                ],
            )
        )
    return found


def _organisation(principal: Principal) -> OrganisationModel:
    organisation = get_organisation(principal.org_id) if principal.org_id else None
    if organisation is None:
        raise NotFound("No such organisation.")
    return organisation


def _plan_organisation(
    principal: Principal,
    organisation: OrganisationModel,
    changes: OrganisationChanges,
    writes: _Writes,
    refusals: _Refusals,
    now: datetime,
) -> None:
    given = changes.model_fields_set
    if "name" in given and changes.name is None:
        refusals.invalid.append(FieldError("name", NAME_NEEDED["en"], translations=NAME_NEEDED))
    if changes.name is not None:
        _plan_name(principal, organisation, changes.name, writes, refusals, now)
    _plan_contact(organisation, changes, writes)


def _plan_name(
    principal: Principal,
    organisation: OrganisationModel,
    name: str,
    writes: _Writes,
    refusals: _Refusals,
    now: datetime,
) -> None:
    """Before approval the name staff will review changes at once; after it, a new name is a request that
    staff approve or refuse, and vendors keep seeing the approved one
    (chalicelib/services/vendors/vendor_view.py). Either way only a user with full access to the main company
    may ask."""
    wanted = organisation.requested_name or organisation.name
    if name == wanted:
        return
    main = principal.companies.get(organisation.primary_cvr)
    if main is None or main.access is not Access.FULL:
        refusals.beyond.append(
            FieldError(
                "name", RENAME_ORGANISATION_NEEDS_FULL["en"], translations=RENAME_ORGANISATION_NEEDS_FULL
            )
        )
        return
    if organisation.status == OrganisationStatus.PENDING_REVIEW.value:
        writes.organisation.extend(renamed(name))
        writes.changes["name"] = {"from": organisation.name, "to": name}
        return
    if name == organisation.name:
        # Back to the approved name: the request is withdrawn.
        writes.organisation += [
            OrganisationModel.requested_name.remove(),
            OrganisationModel.name_requested_at.remove(),
            OrganisationModel.name_requested_by.remove(),
        ]
        writes.changes["requested_name"] = {"from": organisation.requested_name, "to": None}
        return
    writes.organisation += [
        OrganisationModel.requested_name.set(name),
        OrganisationModel.name_requested_at.set(now),
        OrganisationModel.name_requested_by.set(principal.user_id),
    ]
    writes.changes["requested_name"] = {"from": organisation.requested_name, "to": name}


def _plan_contact(organisation: OrganisationModel, changes: OrganisationChanges, writes: _Writes) -> None:
    given = changes.model_fields_set
    address = changes.address.model_dump() if changes.address is not None else None
    if "address" in given and address != organisation.address:
        writes.organisation.append(
            OrganisationModel.address.remove() if address is None else OrganisationModel.address.set(address)
        )
        writes.changes["address"] = {"from": organisation.address, "to": address}
    email = changes.contact_email
    if "contact_email" in given and email != organisation.contact_email:
        writes.organisation.append(
            OrganisationModel.contact_email.remove()
            if email is None
            else OrganisationModel.contact_email.set(email)
        )
        writes.changes["contact_email"] = {"from": organisation.contact_email, "to": email}


def _plan_company(
    principal: Principal, index: int, change: CompanyChange, writes: _Writes, refusals: _Refusals
) -> None:
    company = get_company(change.cvr)
    if company is None or company.org_id != principal.org_id or not principal.sees_company(change.cvr):
        refusals.missing.append(
            FieldError(f"companies.{index}.cvr", NO_SUCH_COMPANY["en"], translations=NO_SUCH_COMPANY)
        )
        return
    scope = principal.companies[change.cvr]
    described: dict[str, Any] = {"cvr": company.cvr, "accounts": []}
    if change.name is not None and change.name != company.name:
        if scope.access is not Access.FULL:
            refusals.beyond.append(
                FieldError(
                    f"companies.{index}.name",
                    RENAME_COMPANY_NEEDS_FULL["en"],
                    translations=RENAME_COMPANY_NEEDS_FULL,
                )
            )
        writes.companies[company.cvr] = [CompanyModel.name.set(change.name)]
        described["name"] = {"from": company.name, "to": change.name}
    existing = {account.number: account for account in accounts_of(company.cvr)}
    for position, account in enumerate(change.accounts):
        where = f"companies.{index}.accounts.{position}"
        stored = existing.get(account.number) if scope.covers(account.number) else None
        planned = (
            _plan_new_account(company, scope, account, where, writes, refusals)
            if stored is None
            else _plan_account(stored, account, where, writes, refusals)
        )
        if planned:
            described["accounts"].append(planned)
    if "name" in described or described["accounts"]:
        writes.company_changes.append(described)


def _plan_new_account(
    company: CompanyModel,
    scope: CompanyScope,
    change: AccountChange,
    where: str,
    writes: _Writes,
    refusals: _Refusals,
) -> dict[str, Any] | None:
    # Whether or not it exists, an account outside a limited scope is one the caller cannot add.
    if scope.access is not Access.FULL:
        refusals.beyond.append(
            FieldError(f"{where}.number", ADD_NEEDS_FULL["en"], translations=ADD_NEEDS_FULL)
        )
        return None
    if change.remove:
        refusals.missing.append(
            FieldError(f"{where}.number", NO_SUCH_ACCOUNT["en"], translations=NO_SUCH_ACCOUNT)
        )
        return None
    if change.name is None:
        refusals.invalid.append(
            FieldError(f"{where}.name", ACCOUNT_NAME_NEEDED["en"], translations=ACCOUNT_NAME_NEEDED)
        )
        return None
    status = change.status or AccountStatus.OPEN.value
    writes.added.append(
        AccountModel(company.cvr, change.number, org_id=company.org_id, name=change.name, status=status)
    )
    return {"number": change.number, "added": {"name": change.name, "status": status}}


def _plan_account(
    stored: AccountModel, change: AccountChange, where: str, writes: _Writes, refusals: _Refusals
) -> dict[str, Any] | None:
    if change.remove:
        if stored.status != AccountStatus.CLOSED.value:
            refusals.conflicts.append(
                FieldError(f"{where}.remove", CLOSE_FIRST["en"], translations=CLOSE_FIRST)
            )
            return None
        if _has_codes(stored):
            refusals.with_codes.append(FieldError(f"{where}.remove", HAS_CODES["en"], translations=HAS_CODES))
            return None
        writes.removed.append(stored)
        return {"number": stored.number, "removed": True}
    actions: list[Action] = []
    described: dict[str, Any] = {"number": stored.number}
    if change.name is not None and change.name != stored.name:
        actions.append(AccountModel.name.set(change.name))
        described["name"] = {"from": stored.name, "to": change.name}
    if change.status is not None and change.status != stored.status:
        actions.append(AccountModel.status.set(change.status))
        described["status"] = {"from": stored.status, "to": change.status}
    if not actions:
        return None
    writes.updated.append((stored, actions))
    return described


def _has_codes(account: AccountModel) -> bool:
    """Any code ever made under the account, whatever its status."""
    codes = CodeModel.by_account.query(account_key(account.cvr, account.number), limit=1)
    return next(iter(codes), None) is not None


def _publish_names(
    tx: TransactWrite, organisation: OrganisationModel, writes: _Writes, now: datetime
) -> None:
    """A display name that changes at once (before approval) is what vendors see from the very next check,
    so it is published in the same transaction. A requested name waits for staff, who publish it
    (`EligibilityService.approve_name_change`); the legal name is the register's and no edit changes it."""
    new_name = writes.changes.get("name", {}).get("to")
    if new_name is None:
        return
    publish(tx, view_of(organisation).changed(name=new_name), now=now)


def _write(tx: TransactWrite, organisation: OrganisationModel, writes: _Writes, now: datetime) -> None:
    org_id = organisation.org_id
    if writes.organisation:
        # Under the organisation's version: a staff decision or another edit meanwhile makes this a conflict.
        tx.update(organisation, actions=writes.organisation)
    elif writes.companies:
        # A company's name is part of what staff review: renaming one moves the organisation's version.
        touch(tx, org_id, now)
    for cvr, actions in writes.companies.items():
        tx.update(CompanyModel(cvr), actions=actions, condition=CompanyModel.org_id == org_id)
    for account in writes.added:
        account.created_at = now
        tx.save(account, condition=AccountModel.number.does_not_exist())
    for account, actions in writes.updated:
        tx.update(
            account,
            actions=actions,
            condition=(AccountModel.org_id == org_id) & AccountModel.number.exists(),
        )
    for account in writes.removed:
        tx.delete(
            account,
            condition=(AccountModel.org_id == org_id) & (AccountModel.status == AccountStatus.CLOSED.value),
        )
