"""Applying for a login: the application form, and the letter to the company's official mailbox."""

from __future__ import annotations

from typing import Any

from chalicelib.api.http.callers import ANYONE, Call
from chalicelib.api.http.routing import Routes
from chalicelib.clock import isoformat
from chalicelib.container import container

routes = Routes(__name__, schemas="chalicelib.api.schemas.applications", tag="Onboarding")


@routes.post(
    "/v1/applications",
    rule=ANYONE,
    summary="Apply for an administrator login for an organisation",
    body="chalicelib.services.onboarding.applications:ApplicationForm",
    response="ApplicationAccepted",
    status=202,
    errors=(409, 422, 429, 503),
    description=(
        "Sends a letter with a username and an activation code to the official mailbox (e-Boks) that the "
        "company register has on record for the CVR, within 2 hours. The address never comes from the form. "
        "The letter says who applied (name, e-mail) and for which company, by the register's name; the typed "
        "organisation name is never printed. Since the letter prints the applicant, their names may hold "
        "only letters (of any script), spaces, hyphens, apostrophes and full stops, and the e-mail must be a "
        "plain address: 422 (`not-printable`, field by field) otherwise. Every CVR must be in the register, "
        "and active (422 otherwise). 409 when the organisation already has an active administrator (ask "
        "them, or contact support). 503 when the register cannot be asked; nothing is written then.\n\n"
        "Every application stands on its own: a pending application for the same CVR never blocks or "
        "absorbs another, and activating a letter binds that letter's application and voids the others. "
        "Sending exactly the same form again while it is pending answers with that application "
        "(`already_pending: true`) and writes no letter. A company's official mailbox gets at most one "
        "letter per hour (`GODKEND_LETTER_INTERVAL_SECONDS`): the first application in a quiet hour gets its "
        "letter at once, and later ones are gathered into the next letter, an hour after the previous, which "
        "names each application it carries above its own username and code; `letter_due_by` holds either "
        "way. A gathered letter carries at most 10 applications: beyond that 429 with Retry-After (the time "
        "until it has gone), and nothing is written.\n\n"
        "Applications are limited per caller (the source address; an IPv6 address by its /64): 5 an hour and "
        "20 a day by default (`GODKEND_APPLICATIONS_PER_CALLER_PER_HOUR`, `..._PER_DAY`), in sliding "
        "windows; beyond that 429 with Retry-After, before anything else is written."
        "\n\nSubsidiaries count once proven: by the register's ownership data, or after activation by a "
        "letter to each one's own official mailbox, whose code an administrator enters at `POST "
        "/v1/organisation/companies/{cvr}/proof`. Until then they are pending and block nobody. The answer "
        "is the same whether or not another organisation holds a subsidiary named; one that does stays with "
        "it, and activation leaves it out (the audit trail says so: `company.left_out`).\n\n"
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
