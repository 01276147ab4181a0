"""The caller's own organisation: its master data, and its audit trail for administrators."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.http.callers import Call, user
from chalicelib.api.http.routing import Routes
from chalicelib.container import container
from chalicelib.services.access.authz import Function

if TYPE_CHECKING:
    from chalicelib.services.onboarding.proofs import CompanyNamed, CompanyProven
    from chalicelib.services.organisation.audit_trail import AuditEntry
    from chalicelib.services.organisation.master_data import OrganisationView
    from chalicelib.values.page import Page

routes = Routes(__name__, schemas="chalicelib.api.schemas.organisation", tag="Organisation")
# Asking for a company's letter and proving the company with its code take the same rights: this rule, and
# full access to the main company (chalicelib/services/onboarding/proofs.py, `may_add_companies`).
ADDING_COMPANIES = user(Function.USERS)


@routes.get(
    "/v1/organisation",
    rule=user(),
    summary="The caller's organisation: master data, and the companies and accounts in their scope",
    response="Organisation",
)
def get_organisation(call: Call) -> OrganisationView:
    return container().organisation.describe(call.principal)


@routes.patch(
    "/v1/organisation",
    rule=user(Function.MASTERDATA),
    summary="Change master data: name, address, contact e-mail, company names, accounts",
    body="chalicelib.services.organisation.master_data:OrganisationChanges",
    response="Organisation",
    errors=(404, 409),
    description="Only what is given changes. A new account number under a company adds the account; an "
    "existing one is renamed, closed or opened; `remove` deletes a closed account that has never had a "
    "code (an account with codes stays closed: 409 account-has-codes). Renaming a company or adding an "
    "account needs full access to the company. Companies and accounts outside the caller's scope answer "
    "404. The handle does not change with the name. Changing the name needs full access to the main "
    "company; once the organisation is approved, a new name is a request that staff approve or refuse, and "
    "vendors see the approved name until then (`requested_name`).",
)
def change_organisation(call: Call) -> OrganisationView:
    changes = call.body()
    return container().organisation.update(call.principal, changes, origin=call.origin)


@routes.post(
    "/v1/organisation/companies",
    rule=ADDING_COMPANIES,
    summary="Add a company to the group, or ask again for a subsidiary's proof letter",
    body="NewCompany",
    response="NamedCompany",
    status=201,
    errors=(403, 409, 422, 429, 503),
    description="Needs full access to the main company. Where the company register names the main company "
    "as the company's owner, it counts at once (`proven`, in the scope of every administrator with full "
    "access to the main company, the caller among them, with the accounts the "
    "application gave it or else a default one). "
    "Otherwise a letter with a code goes to the official mailbox the register has on record for it "
    "(`pending`), whose code an administrator enters at `POST /v1/organisation/companies/{cvr}/proof`. "
    "This is also how to get a new letter when a code expired or locked, or a letter never came: 409 while "
    "a letter's code is still usable. A company's official mailbox gets at most one letter an hour "
    "(`GODKEND_LETTER_INTERVAL_SECONDS`): when one went there less than that ago, this letter waits for the "
    "next, which carries every request made meanwhile, each with its own code; the answer is `pending` all "
    "the same. The letter prints the caller's name and e-mail as who asked: 422 when they hold anything but "
    "letters, spaces, hyphens, apostrophes and full stops (a plain address for the e-mail). 409 when the "
    "company already belongs to an organisation, or the organisation is suspended or rejected; 422 when the "
    "register does not know the company, lists it as ceased or has no official mailbox for it; 503 when the "
    "register cannot be asked. Nothing is written when refused.",
)
def name_company(call: Call) -> CompanyNamed:
    body = call.body()
    named = container().proofs.name_company(call.principal, body.cvr, body.name, origin=call.origin)
    return named.answer()


@routes.post(
    "/v1/organisation/companies/{cvr}/proof",
    rule=ADDING_COMPANIES,
    summary="Prove a subsidiary with the code from the letter to its own official mailbox",
    body="ProofForm",
    response="ProofOut",
    errors=(403, 404, 409, 423),
    description="Needs what asking for the letter needs: full access to the main company (403 otherwise, "
    "before the code is looked at, so no try is counted). The company then belongs to the organisation "
    "(with a default account when it has none), and every administrator with full access to the main "
    "company gets full access to it. The code is single-use, expires and locks after 5 wrong tries. 404 "
    "when no company with this CVR is waiting for proof in the organisation; 409 when another organisation "
    "proved it first (this claim is then dropped), the organisation is suspended or rejected, or the letter "
    "with the code still waits for the company's mailbox's next letter (within 2 hours).",
)
def prove_company(call: Call, cvr: str) -> CompanyProven:
    code = call.body().activation_code
    return container().proofs.prove(call.principal, cvr, code, origin=call.origin)


@routes.get(
    "/v1/organisation/audit",
    rule=user(Function.USERS),
    summary="The organisation's audit trail, newest first",
    response="AuditPage",
    errors=(400,),
    query="chalicelib.api.schemas.paging:PageQuery",
    description="Who did what, when and from where: applications, activation, staff decisions, every change "
    "to a user, master-data changes. Companies and accounts outside the caller's scope are left out.",
)
def list_audit(call: Call) -> Page[AuditEntry]:
    query = call.query_model()
    from chalicelib.services.organisation import audit_trail

    return audit_trail.page(
        call.principal, limit=query.limit, cursor=query.cursor, now=container().clock.now()
    )
