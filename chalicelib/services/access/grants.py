"""What one user may grant or change of another: functions and a scope of companies and accounts.

Two rules, both relative to the caller's own access:
- **granting**: an administrator grants only functions they hold, companies they see and accounts they see;
  full access to a company needs full access to it. A company or account outside the caller's scope answers
  as if it did not exist (404, with the field); a function or full access they lack is 403, since they can
  see that it exists.
- **changing**: an administrator sees every user of the organisation, but changes (edits, disables, deletes,
  re-invites) only those whose access lies within their own: every function of theirs held by the caller,
  every company of theirs seen by the caller with at least the same access. Shown to a caller, another
  user's scope is cut to what the caller sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic_core import PydanticCustomError

from chalicelib.errors import FieldError, Forbidden, NotFound
from chalicelib.fields import CompanyGrant
from chalicelib.models.organisation import accounts_of, get_company
from chalicelib.models.user import CompanyAccess, UserModel, company_access
from chalicelib.services.access.authz import Access, Function, Principal
from chalicelib.services.access.scope import NO_SUCH_ACCOUNT, NO_SUCH_COMPANY

FULL_NEEDS_FULL = {
    "en": "Full access needs full access to the company yourself.",
    "da": "Vælg adgang til udvalgte konti: fuld adgang kan kun gives af en, der selv har fuld adgang til "
    "selskabet.",
}

MAX_COMPANIES = 20


def distinct_functions(functions: list[Function]) -> list[Function]:
    if len(set(functions)) != len(functions):
        raise PydanticCustomError("functions", "A function is listed twice.")
    # Kept in one canonical order, so that equal sets compare equal in records and the audit trail.
    return [function for function in Function if function in functions]


def distinct_companies(companies: list[CompanyGrant]) -> list[CompanyGrant]:
    if len({company.cvr for company in companies}) != len(companies):
        raise PydanticCustomError("companies", "A company is listed twice.")
    return companies


def check_grants(
    principal: Principal, functions: Sequence[Function], companies: Sequence[CompanyGrant]
) -> None:
    """Raise NotFound for companies or accounts the caller does not see, then Forbidden for what they see but
    may not grant. Outside in, so that a probe learns nothing about what lies beyond the caller's scope."""
    missing: list[FieldError] = []
    beyond: list[FieldError] = []
    for index, grant in enumerate(companies):
        found, refused = _check_company(principal, index, grant)
        missing += found
        beyond += refused
    if missing:
        raise NotFound("Some companies or accounts do not exist.", errors=missing)
    beyond += [
        FieldError(
            f"functions.{index}",
            f"You cannot grant '{function.value}': your login does not have it.",
            translations={
                "en": f"You cannot grant '{function.value}': your login does not have it.",
                "da": f"Fjern '{function.value}': du kan kun give adgang, som dit eget login har.",
            },
        )
        for index, function in enumerate(functions)
        if not principal.has(function)
    ]
    if beyond:
        raise Forbidden("You can only grant access you have yourself.", errors=beyond)


def _check_company(
    principal: Principal, index: int, grant: CompanyGrant
) -> tuple[list[FieldError], list[FieldError]]:
    company = get_company(grant.cvr)
    if company is None or company.org_id != principal.org_id or not principal.sees_company(grant.cvr):
        return [FieldError(f"companies.{index}.cvr", NO_SUCH_COMPANY["en"], translations=NO_SUCH_COMPANY)], []
    scope = principal.companies[grant.cvr]
    if grant.access == "full":
        if scope.access is Access.FULL:
            return [], []
        return [], [
            FieldError(f"companies.{index}.access", FULL_NEEDS_FULL["en"], translations=FULL_NEEDS_FULL)
        ]
    existing = {account.number for account in accounts_of(grant.cvr)}
    return [
        FieldError(
            f"companies.{index}.accounts.{position}", NO_SUCH_ACCOUNT["en"], translations=NO_SUCH_ACCOUNT
        )
        for position, number in enumerate(grant.accounts or [])
        if number not in existing or not scope.covers(number)
    ], []


def as_access(companies: Sequence[CompanyGrant]) -> list[CompanyAccess]:
    return [
        company_access(grant.cvr, None if grant.access == "full" else list(grant.accounts or []))
        for grant in companies
    ]


def scope_json(companies: Sequence[CompanyAccess]) -> list[dict[str, Any]]:
    """A stored scope as JSON: for answers and the audit trail (where `companies` lists are cut to a reader's
    scope by `visible_scope`)."""
    return [
        {
            "cvr": entry.cvr,
            "access": entry.access,
            "accounts": [] if entry.access == Access.FULL.value else list(entry.accounts or []),
        }
        for entry in companies
    ]


def within_scope(principal: Principal, user: UserModel) -> bool:
    """Whether the caller's own access covers all of the user's: then the caller may change the user."""
    if principal.org_id is None or user.org_id != principal.org_id:
        return False
    if not all(str(function) in principal.functions for function in user.functions or []):
        return False
    for entry in user.companies or []:
        scope = principal.companies.get(entry.cvr)
        if scope is None:
            return False
        if entry.access == Access.FULL.value:
            if scope.access is not Access.FULL:
                return False
        elif not all(scope.covers(str(account)) for account in entry.accounts or []):
            return False
    return True


def require_within(principal: Principal, user: UserModel) -> None:
    if not within_scope(principal, user):
        raise Forbidden(
            "This user has access beyond yours (a function, company or account you do not have); only an "
            "administrator whose access covers theirs can change them."
        )


def visible_scope(principal: Principal, companies: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A scope (as `scope_json` writes it) cut to what the caller sees: other companies left out, and of a
    limited company only the accounts the caller sees."""
    shown = []
    for entry in companies:
        cvr = str(entry.get("cvr", ""))
        scope = principal.companies.get(cvr)
        if scope is None:
            continue
        accounts = [a for a in entry.get("accounts") or [] if scope.covers(_number(a))]
        shown.append({**entry, "accounts": accounts} if "accounts" in entry else dict(entry))
    return shown


def _number(account: Any) -> str:
    # Account lists hold numbers (scopes) or objects with a number (master-data changes).
    return str(account.get("number", "")) if isinstance(account, dict) else str(account)
