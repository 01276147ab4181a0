"""What part of an organisation a listing shows a caller: the companies and accounts in their scope,
optionally narrowed to one company or one account. Codes and validation receipts are listed the same way."""

from __future__ import annotations

from chalicelib.errors import FieldError, InvalidInput, NotFound
from chalicelib.models.scoped import Visible
from chalicelib.services.access.authz import Access, Function, Principal, authorize


def visible_to(
    principal: Principal, function: Function, *, company: str | None, account: str | None
) -> list[Visible]:
    """The caller's whole scope, or the one company or account asked for (NotFound outside the scope)."""
    if company is None:
        if account is not None:
            raise InvalidInput(
                "Some fields are missing or invalid.",
                errors=[FieldError("account", "Give the company too: account numbers belong to one.")],
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
