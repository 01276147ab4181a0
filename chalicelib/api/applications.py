"""Applying for a login: the application form, and the letter to the company's official mailbox."""

from __future__ import annotations

from typing import Any

from chalicelib.api.deps import container
from chalicelib.api.routing import ANYONE, Call, Routes
from chalicelib.clock import isoformat

routes = Routes(__name__, schemas="chalicelib.api.schemas.applications", tag="Onboarding")


@routes.post(
    "/v1/applications",
    rule=ANYONE,
    summary="Apply for an administrator login for an organisation",
    body="chalicelib.services.applications:ApplicationForm",
    response="ApplicationAccepted",
    status=202,
    errors=(409, 422, 503),
    description=(
        "Sends a letter with a username and an activation code to the official mailbox (e-Boks) that the "
        "company register has on record for the CVR, within 2 hours. The address never comes from the form. "
        "Every CVR must be in the register (422 otherwise). 409 when the organisation already has an active "
        "administrator (ask them, or contact support).\n\n"
        "Applying again while an application for the same CVR is pending answers 202 with the pending "
        "application's id and `already_pending: true`, and sends no second letter. Not a 409: a double "
        "click, a retry after a timeout, or a colleague applying too all want the same outcome (a letter "
        "on its way), and there is nothing for them to resolve; the letter that stands is the only one. "
        "Once the pending application is activated, locked or expired, a new application sends a new "
        "letter.\n\n"
        "When the CVR already belongs to an organisation with no active administrator (support removed an "
        "orphaned login), the application restores an administrator; the organisation's companies and "
        "accounts are kept as they are, and the form's are not applied."
    ),
)
def apply(call: Call) -> dict[str, Any]:
    receipt = container().applications.apply(call.body(), origin=call.origin)
    return {
        "application_id": receipt.application_id,
        "letter_due_by": isoformat(receipt.letter_due_by),
        "already_pending": receipt.already_pending,
    }
