"""What vendors see of an organisation: the one place that decides it.

A vendor is told the approved display name (a requested change waits for staff, see
`EligibilityService.approve_name_change`), the main company's name in the company register, the main CVR,
the handle, and since when the organisation has been approved without interruption. The validation answer
and its receipt are built from this view and from nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.models.organisation import OrganisationModel


@dataclass(frozen=True)
class VendorView:
    name: str
    legal_name: str
    cvr: str
    handle: str
    approved_since: datetime | None


def vendor_view(organisation: OrganisationModel) -> VendorView:
    return VendorView(
        # `name` is only ever the approved name: a requested one lives in `requested_name` until staff
        # approve it.
        name=organisation.name,
        # An organisation from before legal names were kept shows its display name until staff review it.
        legal_name=organisation.legal_name or organisation.name,
        cvr=organisation.primary_cvr,
        handle=organisation.handle,
        approved_since=organisation.approved_at,
    )
