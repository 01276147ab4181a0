"""What part of an organisation a listing shows a caller: the companies and accounts in their scope,
optionally narrowed to one company or one account. Codes and validation receipts are listed the same way."""

from __future__ import annotations

from chalicelib.errors import FieldError, InvalidInput, NotFound
from chalicelib.models.scoped import Visible
from chalicelib.services.access.authz import Access, Function, Principal, authorize

# What a caller is told about a company or account outside what they see: the same as for one that does not
# exist, so that nothing is learnt about what lies beyond.
NO_SUCH_COMPANY = {
    "en": "No such company.",
    "da": "Selskabet findes ikke. Vælg et af organisationens selskaber.",
}
NO_SUCH_ACCOUNT = {"en": "No such account.", "da": "Kontoen findes ikke. Vælg en af selskabets konti."}

COMPANY_TOO = {
    "en": "Give the company too: account numbers belong to one.",
    "da": "Vælg også selskabet: et kontonummer hører til ét selskab.",
}


def visible_to(
    principal: Principal, function: Function, *, company: str | None, account: str | None
) -> list[Visible]:
    """The caller's whole scope, or the one company or account asked for (NotFound outside the scope)."""
    if company is None:
        if account is not None:
            raise InvalidInput(
                "Some fields are missing or invalid.",
                errors=[FieldError("account", COMPANY_TOO["en"], translations=COMPANY_TOO)],
            )
        return [_visible_of(principal, cvr) for cvr in principal.companies]
    authorize(principal, function, company=company, account=account)
    if account is not None:
        return [Visible(company, frozenset({account}))]
    return [_visible_of(principal, company)]


def org_of(principal: Principal) -> str:
    if principal.org_id is None:
        raise NotFound("No such organisation.")
    return principal.org_id


def _visible_of(principal: Principal, cvr: str) -> Visible:
    scope = principal.companies[cvr]
    return Visible(cvr, None if scope.access is Access.FULL else scope.accounts)
