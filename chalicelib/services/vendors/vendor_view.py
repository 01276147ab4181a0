"""What vendors see of an organisation, kept where a vendor's check reads it in its one round trip.

A vendor is told the approved display name (a requested change waits for staff, see
`EligibilityService.approve_name_change`), the main company's name in the company register, the main CVR,
the handle, and since when the organisation has been approved without interruption.

A check reads that state from the item of the handle the presented code names (`chalicelib/models/handle.py`),
in the same BatchGetItem as the vendor's key and the code. So that item must never lag behind the
organisation: `publish` is the one way to write it, and every change to that state (approval, rejection,
suspension, reinstatement, staff approving a new display name, the demo seed and the test builders) calls
it inside the transaction that makes the change. The transaction also writes the organisation under its
version, so two changes racing cannot leave the item with the loser's state.

An organisation that has never been approved has no reserved handle and no code that names it, so there is
nothing for vendors to see, and nothing is written: publishing for it would reserve a handle no approval
chose.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import cast

from pynamodb.transactions import TransactWrite

from chalicelib.models.handle import HandleModel, handle_key
from chalicelib.models.organisation import OrganisationModel, OrganisationStatus


@dataclass(frozen=True)
class VendorView:
    """The organisation as a vendor's check answers it."""

    org_id: str
    handle: str
    status: str
    name: str
    legal_name: str
    primary_cvr: str
    approved_since: datetime | None

    @property
    def approved(self) -> bool:
        return self.status == OrganisationStatus.APPROVED.value

    def changed(
        self,
        *,
        status: str | None = None,
        name: str | None = None,
        handle: str | None = None,
        approved_since: datetime | None = None,
    ) -> VendorView:
        """This view with some of it changed, as it is to be once the change commits."""
        return replace(
            self,
            status=self.status if status is None else status,
            name=self.name if name is None else name,
            handle=self.handle if handle is None else handle,
            approved_since=self.approved_since if approved_since is None else approved_since,
        )


def view_of(organisation: OrganisationModel) -> VendorView:
    """The organisation's vendor-facing state as stored now."""
    return VendorView(
        org_id=organisation.org_id,
        handle=organisation.handle,
        status=organisation.status,
        # Only ever the approved name: a requested one lives in `requested_name` until staff approve it.
        name=organisation.name,
        # An organisation from before legal names were kept shows its display name until staff review it.
        legal_name=organisation.legal_name or organisation.name,
        primary_cvr=organisation.primary_cvr,
        approved_since=cast("datetime | None", organisation.approved_at),
    )


def publish(tx: TransactWrite, view: VendorView, *, now: datetime) -> None:
    """Write the vendor-facing state in the caller's transaction (which also writes the organisation under
    its version). The handle must be this organisation's or free: reserving it is approval's job."""
    if not view.approved and view.approved_since is None:
        return
    tx.update(
        HandleModel(handle_key(view.handle)),
        actions=[
            HandleModel.handle.set(view.handle),
            HandleModel.org_id.set(view.org_id),
            HandleModel.reserved_at.set(HandleModel.reserved_at | now),
            HandleModel.status.set(view.status),
            HandleModel.name.set(view.name),
            HandleModel.legal_name.set(view.legal_name),
            HandleModel.primary_cvr.set(view.primary_cvr),
            HandleModel.approved_since.remove()
            if view.approved_since is None
            else HandleModel.approved_since.set(view.approved_since),
            HandleModel.changed_at.set(now),
        ],
        condition=HandleModel.handle_key.does_not_exist() | (HandleModel.org_id == view.org_id),
    )
