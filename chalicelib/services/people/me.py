"""`GET /v1/me`: who the caller is, which organisation, which companies and accounts, which functions."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.errors import NotFound
from chalicelib.models.organisation import get_organisation
from chalicelib.models.user import get_user
from chalicelib.models.vendor import get_vendor
from chalicelib.services.access.authz import Principal
from chalicelib.services.access.user_view import UserView, user_view
from chalicelib.services.organisation.master_data import CompanyInScope, companies_in_scope


@dataclass(frozen=True)
class OrganisationShown:
    org_id: str
    name: str
    handle: str
    status: str


@dataclass(frozen=True)
class VendorShown:
    vendor_id: str
    name: str


@dataclass(frozen=True)
class MeView:
    user: UserView
    roles: list[str]
    functions: list[str]
    organisation: OrganisationShown | None
    companies: list[CompanyInScope]
    vendor: VendorShown | None = None


def describe(principal: Principal) -> MeView:
    user = get_user(principal.user_id)
    if user is None:
        raise NotFound("No such user.")
    organisation, companies = (
        _organisation_in_scope(principal, principal.org_id) if principal.org_id is not None else (None, [])
    )
    return MeView(
        user=user_view(user),
        roles=_roles(principal),
        functions=sorted(f.value for f in principal.functions),
        organisation=organisation,
        companies=companies,
        vendor=_vendor(principal.vendor_id) if principal.vendor_id is not None else None,
    )


def _roles(principal: Principal) -> list[str]:
    """What the console shows: Sagsbehandling for staff, Leverandør for a vendor's person, else Min konto."""
    if principal.is_staff:
        return ["staff"]
    return ["vendor"] if principal.vendor_id is not None else []


def _vendor(vendor_id: str) -> VendorShown:
    vendor = get_vendor(vendor_id)
    if vendor is None:
        raise NotFound("No such vendor.")
    return VendorShown(vendor_id=vendor.vendor_id, name=vendor.name)


def _organisation_in_scope(
    principal: Principal, org_id: str
) -> tuple[OrganisationShown, list[CompanyInScope]]:
    organisation = get_organisation(org_id)
    if organisation is None:
        raise NotFound("No such organisation.")
    summary = OrganisationShown(
        org_id=organisation.org_id,
        name=organisation.name,
        handle=organisation.handle,
        status=organisation.status,
    )
    return summary, companies_in_scope(principal, org_id)
