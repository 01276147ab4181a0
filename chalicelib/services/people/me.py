"""`GET /v1/me`: who the caller is, which organisation, which companies and accounts, which functions."""

from __future__ import annotations

from typing import Any

from chalicelib.errors import NotFound
from chalicelib.models.organisation import get_organisation
from chalicelib.models.user import UserModel, get_user
from chalicelib.services.access.authz import Principal
from chalicelib.services.organisation.master_data import companies_in_scope


def describe(principal: Principal) -> dict[str, Any]:
    user = get_user(principal.user_id)
    if user is None:
        raise NotFound("No such user.")
    answer: dict[str, Any] = {
        "user": _user(user),
        "roles": ["staff"] if principal.is_staff else [],
        "functions": sorted(f.value for f in principal.functions),
        "organisation": None,
        "companies": [],
    }
    if principal.org_id is not None:
        answer["organisation"], answer["companies"] = _organisation_in_scope(principal, principal.org_id)
    return answer


def _user(user: UserModel) -> dict[str, Any]:
    return {
        "user_id": user.user_id,
        "username": user.user_id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "mobile": user.mobile,
        "status": user.status,
        "second_factor_enrolled": bool(user.second_factor_enrolled),
    }


def _organisation_in_scope(principal: Principal, org_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    organisation = get_organisation(org_id)
    if organisation is None:
        raise NotFound("No such organisation.")
    companies = companies_in_scope(principal, org_id)
    summary = {
        "org_id": organisation.org_id,
        "name": organisation.name,
        "handle": organisation.handle,
        "status": organisation.status,
    }
    return summary, companies
