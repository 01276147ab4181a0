"""Staff: a person's requests about their data, by e-mail address: access (an export) and erasure.

The address travels in the JSON body, never in the URL: query strings and paths end up in access logs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.http.callers import STAFF, Call
from chalicelib.api.http.routing import Routes
from chalicelib.container import container

if TYPE_CHECKING:
    from chalicelib.services.privacy.personal_data import Erasure, Export

routes = Routes(__name__, schemas="chalicelib.api.schemas.staff_personal_data", tag="Staff: personal data")


@routes.post(
    "/v1/staff/personal-data/export",
    rule=STAFF,
    summary="Everything Godkend holds about an e-mail address (a person's access request)",
    body="PersonForm",
    response="ExportOut",
    description="Audited in the staff trail under a digest of the address.",
)
def export(call: Call) -> Export:
    email = call.body().email
    return container().personal_data.export(call.principal, email, origin=call.origin)


@routes.post(
    "/v1/staff/personal-data/erase",
    rule=STAFF,
    summary="Erase a person's name and e-mail wherever they need not be kept (a person's erasure request)",
    body="PersonForm",
    response="EraseOut",
    description=(
        "Replaces the representative's name and e-mail on every code that is no longer active, the "
        "applicant on applications (unless a login still in use was made from one), and the recipient of "
        "mail already handled, with a marker; in the organisations' audit trails and in mail that names the "
        "person to somebody else, the name becomes a stable pseudonym and the e-mail and mobile go, while "
        "the event stays. Active codes, receipts (the vendor's evidence), logins, mail on its way, contact "
        "addresses and a suppression are kept; the answer lists each with why. Safe to run again: a run "
        "that failed midway is completed by the next. Audited."
    ),
)
def erase(call: Call) -> Erasure:
    email = call.body().email
    return container().personal_data.erase(call.principal, email, origin=call.origin)
