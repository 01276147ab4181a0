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
    errors=(409, 422, 429, 503),
    description=(
        "Sends a letter with a username and an activation code to the official mailbox (e-Boks) that the "
        "company register has on record for the CVR, within 2 hours. The address never comes from the form. "
        "The letter says who applied (name, e-mail) and for which name. Every CVR must be in the register, "
        "and active (422 otherwise). 409 when the organisation already has an active administrator (ask "
        "them, or contact support). 503 when the register cannot be asked; nothing is written then.\n\n"
        "Every application stands on its own: a pending application for the same CVR never blocks or "
        "absorbs another, and activating a letter binds that letter's application and voids the others. "
        "Sending exactly the same form again while it is pending answers with that application "
        "(`already_pending: true`) and writes nothing. Letters per CVR are bounded per 24 hours "
        "(`GODKEND_LETTERS_PER_CVR_PER_DAY`, 3 by default): beyond that 429 with Retry-After, and "
        "nothing is written."
        "\n\nSubsidiaries count once proven: by the register's ownership data, or after activation by a "
        "letter to each one's own official mailbox, whose code an administrator enters at `POST "
        "/v1/organisation/companies/{cvr}/proof`. Until then they are pending and block nobody.\n\n"
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
