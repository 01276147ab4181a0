"""*Kontakt support* (journey 13): anyone files a case; staff read, answer and close the cases.

The rules live in `chalicelib/services/onboarding/support_cases.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.http.callers import ANYONE, STAFF, Call
from chalicelib.api.http.routing import Routes
from chalicelib.container import container

if TYPE_CHECKING:
    from chalicelib.services.onboarding.support_cases import CaseFiled, CaseView
    from chalicelib.values.page import Page

SCHEMAS = "chalicelib.api.schemas.support_cases"
routes = Routes(__name__, schemas=SCHEMAS, tag="Support")
staff_routes = Routes(__name__ + ".staff", schemas=SCHEMAS, tag="Staff: support")


@routes.post(
    "/v1/support/cases",
    rule=ANYONE,
    summary="Contact support: file a case",
    body="chalicelib.services.onboarding.support_cases:CaseForm",
    response="CaseFiled",
    status=201,
    errors=(429,),
    description=(
        "Files a case staff see under Sagsbehandling -> Henvendelser and answer by mail to `email`. The "
        "answer is the case's reference (`case_id`, e.g. `S-7K3M-9QXD`), for the sender to quote; nothing is "
        "mailed when a case is filed, so the form cannot be used to send mail to someone else, and staff's "
        "answer quotes nothing the sender wrote. `topic` `administrator_left` is the case of an "
        "organisation whose only administrator has left: staff remove the old login and the organisation "
        "applies again.\n\n"
        "Cases are limited per caller (the source address; an IPv6 address by its /64): 5 an hour and 20 a "
        "day by default (`GODKEND_SUPPORT_CASES_PER_CALLER_PER_HOUR`, `..._PER_DAY`), in sliding windows; "
        "beyond that 429 with Retry-After, before anything is written."
    ),
)
def file_case(call: Call) -> CaseFiled:
    return container().support_cases.file(call.body(), origin=call.origin)


@staff_routes.get(
    "/v1/staff/support/cases",
    rule=STAFF,
    summary="Support cases by status (default open), newest first",
    response="CasePage",
    errors=(400,),
    query="CaseListQuery",
)
def list_cases(call: Call) -> Page[CaseView]:
    query = call.query_model()
    return container().support_cases.cases(query.status, limit=query.limit, cursor=query.cursor)


@staff_routes.get(
    "/v1/staff/support/cases/{case_id}",
    rule=STAFF,
    summary="One support case, with the organisation its CVR belongs to",
    response="SupportCase",
    errors=(404,),
    description="`linked_organisation` is the organisation that holds the case's CVR, if any: where staff "
    "find its logins (`GET /v1/staff/organisations/{org_id}/users`).",
)
def get_case(call: Call, case_id: str) -> CaseView:
    return container().support_cases.case(case_id)


@staff_routes.post(
    "/v1/staff/support/cases/{case_id}/answer",
    rule=STAFF,
    summary="Answer a support case by mail",
    body="chalicelib.services.onboarding.support_cases:AnswerForm",
    response="SupportCase",
    errors=(404, 409),
    description="Mails `text` to the case's address, in the case's language, with its reference and nothing "
    "the sender wrote; audited in the staff trail. 409 when the case is closed, or was answered or closed "
    "by someone else meanwhile (look again).",
)
def answer_case(call: Call, case_id: str) -> CaseView:
    return container().support_cases.answer(call.principal, case_id, call.body(), origin=call.origin)


@staff_routes.post(
    "/v1/staff/support/cases/{case_id}/close",
    rule=STAFF,
    summary="Close a support case",
    response="SupportCase",
    errors=(404, 409),
    description="Audited in the staff trail. 409 when it is closed already.",
)
def close_case(call: Call, case_id: str) -> CaseView:
    return container().support_cases.close(call.principal, case_id, origin=call.origin)
