"""Who may do what: the one permission check every route uses.

A user belongs to one organisation and holds a set of functions. Their scope is a set of the group's
companies, each with full access to its account numbers or a list of them. Anything outside the scope
answers as if it did not exist (NotFound); a missing function is Forbidden, since the caller can see that
the feature exists but was not given it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from chalicelib.errors import Forbidden, NotFound

NEVER = datetime.min.replace(tzinfo=UTC)


class Function(StrEnum):
    CODES = "codes"
    USERS = "users"
    MASTERDATA = "masterdata"
    HISTORY = "history"


class Access(StrEnum):
    FULL = "full"
    LIMITED = "limited"


@dataclass(frozen=True)
class CompanyScope:
    cvr: str
    access: Access
    accounts: frozenset[str] = frozenset()

    def covers(self, account: str) -> bool:
        return self.access is Access.FULL or account in self.accounts


@dataclass(frozen=True)
class Principal:
    """An authenticated person: an organisation's user, one of the operator's staff, or a vendor's person."""

    user_id: str
    org_id: str | None
    functions: frozenset[Function] = frozenset()
    companies: Mapping[str, CompanyScope] = field(default_factory=dict)
    is_staff: bool = False
    # A vendor's person: the vendor they work for (no organisation, no functions).
    vendor_id: str | None = None
    # The bearer token, kept only so that the enrolment step can hand it back to Cognito.
    access_token: str = field(default="", repr=False)
    # When the person last signed in with their password (the token's `auth_time`).
    authenticated_at: datetime = NEVER

    def has(self, function: Function) -> bool:
        return function in self.functions

    def sees_company(self, cvr: str) -> bool:
        return cvr in self.companies

    def sees_account(self, cvr: str, account: str) -> bool:
        scope = self.companies.get(cvr)
        return scope is not None and scope.covers(account)

    def visible_accounts(self, cvr: str, accounts: Iterable[str]) -> list[str]:
        return [account for account in accounts if self.sees_account(cvr, account)]


def authorize(
    principal: Principal,
    function: Function | None = None,
    *,
    org_id: str | None = None,
    company: str | None = None,
    account: str | None = None,
) -> None:
    """Raise unless the principal may use `function` on the organisation, company and account named.

    Checks run from the outside in, so that a caller probing another tenant learns nothing: a foreign
    organisation, company or account is NotFound before any function check could say Forbidden.
    """
    if org_id is not None and principal.org_id != org_id:
        raise NotFound("No such resource.")
    if company is not None and not principal.sees_company(company):
        raise NotFound("No such company.")
    if account is not None and (company is None or not principal.sees_account(company, account)):
        raise NotFound("No such account.")
    if function is not None and not principal.has(function):
        raise Forbidden(f"This needs the '{function.value}' function, which your login does not have.")
