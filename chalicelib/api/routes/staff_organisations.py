"""Staff: the eligibility review of organisations, and support's removal of an orphaned login.

Every view of an organisation carries its version (`etag` in the body; `ETag` on the answer about one
organisation), and every decision requires it back as `If-Match`: staff decide on what they saw, or are told
that it changed (chalicelib/services/onboarding/eligibility.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.http.callers import STAFF, Call
from chalicelib.api.http.routing import Reply, Routes
from chalicelib.container import container

if TYPE_CHECKING:
    from chalicelib.services.onboarding.eligibility import Decision, StaffOrganisationView
    from chalicelib.services.onboarding.support import LoginRemoved
    from chalicelib.values.page import Page

routes = Routes(__name__, schemas="chalicelib.api.schemas.staff_organisations", tag="Staff")


def _with_etag(view: StaffOrganisationView) -> Reply:
    return Reply(body=view, headers={"ETag": view.etag})


DECIDED = "The answer is the organisation as it is now, with its new `ETag`."


@routes.get(
    "/v1/staff/organisations",
    rule=STAFF,
    summary="List organisations by status, oldest first (the review queue)",
    response="StaffOrganisationPage",
    errors=(400,),
    query="OrganisationListQuery",
)
def list_organisations(call: Call) -> Page[StaffOrganisationView]:
    query = call.query_model()
    return container().eligibility.page(query.status, limit=query.limit, cursor=query.cursor)


@routes.get(
    "/v1/staff/organisations/{org_id}",
    rule=STAFF,
    summary="One organisation for review: every company with its proof status and register name",
    response="StaffOrganisationReview",
    errors=(404, 503),
    etag=True,
    description="The register is asked again for each company's name and status, beside the names the "
    "organisation typed. The `ETag` (also `etag`) is the version of everything shown but the register's "
    "own names: a decision on the organisation or its name request sends it as `If-Match`.",
)
def review_organisation(call: Call, org_id: str) -> Reply:
    return _with_etag(container().eligibility.review(org_id))


@routes.post(
    "/v1/staff/organisations/{org_id}/name/approve",
    rule=STAFF,
    summary="Approve the display name the organisation asked for: vendors see it from now on",
    response="StaffOrganisation",
    errors=(404, 409),
    if_match=True,
    etag=True,
    description="409 when no name change is waiting; 412 when the request was replaced or withdrawn, or "
    "anything else staff saw changed, since the version `If-Match` names. The handle does not change. "
    + DECIDED,
)
def approve_name(call: Call, org_id: str) -> Reply:
    seen = call.if_match()
    approved = container().eligibility.approve_name_change(
        call.principal, org_id, origin=call.origin, seen=seen
    )
    return _with_etag(approved)


@routes.post(
    "/v1/staff/organisations/{org_id}/name/refuse",
    rule=STAFF,
    summary="Refuse the display name the organisation asked for: the approved one stays",
    body="ReasonForm",
    response="StaffOrganisation",
    errors=(404, 409),
    if_match=True,
    etag=True,
    description="409 when no name change is waiting; 412 when the request was replaced or withdrawn, or "
    "anything else staff saw changed, since the version `If-Match` names. " + DECIDED,
)
def refuse_name(call: Call, org_id: str) -> Reply:
    seen = call.if_match()
    reason = call.body().reason
    refused = container().eligibility.refuse_name_change(
        call.principal, org_id, reason=reason, origin=call.origin, seen=seen
    )
    return _with_etag(refused)


DECISION_ERRORS = (409,)
TRANSITIONS_DOC = (
    "Approve from pending_review, suspended or rejected; reject from pending_review; suspend from approved. "
    "Others answer 409. Made only on the organisation as staff saw it: `If-Match` names its `ETag`, and "
    "412 answers when anything shown (its name, a requested name, its status, its companies) changed "
    "since. Asking for the status the organisation already has changes nothing and mails nobody, "
    "whatever the version (the decision stands). " + DECIDED
)


@routes.post(
    "/v1/staff/organisations/{org_id}/approve",
    rule=STAFF,
    summary="Approve an organisation as an NGO: it may create codes",
    response="StaffOrganisation",
    errors=DECISION_ERRORS,
    if_match=True,
    etag=True,
    description="Fixes the organisation's handle (unique; a short suffix when taken) and mails its "
    "administrators. " + TRANSITIONS_DOC,
)
def approve(call: Call, org_id: str) -> Reply:
    return _decide(call, org_id, "approve", with_reason=False)


@routes.post(
    "/v1/staff/organisations/{org_id}/reject",
    rule=STAFF,
    summary="Reject an organisation's application, with a reason mailed to its administrators",
    body="ReasonForm",
    response="StaffOrganisation",
    errors=DECISION_ERRORS,
    if_match=True,
    etag=True,
    description=TRANSITIONS_DOC,
)
def reject(call: Call, org_id: str) -> Reply:
    return _decide(call, org_id, "reject", with_reason=True)


@routes.post(
    "/v1/staff/organisations/{org_id}/suspend",
    rule=STAFF,
    summary="Suspend an approved organisation, with a reason mailed to its administrators",
    body="ReasonForm",
    response="StaffOrganisation",
    errors=DECISION_ERRORS,
    if_match=True,
    etag=True,
    description="Its codes stop validating. " + TRANSITIONS_DOC,
)
def suspend(call: Call, org_id: str) -> Reply:
    return _decide(call, org_id, "suspend", with_reason=True)


def _decide(call: Call, org_id: str, decision: str, *, with_reason: bool) -> Reply:
    # The precondition is asked for before the body, so a decision without one is 428 whatever it says.
    seen = call.if_match()
    reason = call.body().reason if with_reason else None
    decided = container().eligibility.decide(
        call.principal, org_id, _decision(decision), reason=reason, origin=call.origin, seen=seen
    )
    return _with_etag(decided)


@routes.delete(
    "/v1/staff/organisations/{org_id}/users/{user_id}",
    rule=STAFF,
    summary="Support: remove a login nobody can use any more, so the organisation can apply again",
    body="ReasonForm",
    response="LoginRemovedOut",
    errors=(503,),
    description=(
        "Removes the login in Cognito and the user record, audited with the reason; the organisation's "
        "remaining administrators are mailed. The reason travels in a JSON body rather than the query "
        "string: it is free text about a person, and query strings end up in access logs."
    ),
)
def remove_login(call: Call, org_id: str, user_id: str) -> LoginRemoved:
    reason = call.body().reason
    return container().support.remove_login(
        call.principal, org_id, user_id, reason=reason, origin=call.origin
    )


def _decision(name: str) -> Decision:
    # The eligibility rules are imported by the staff routes that apply them, not by every cold start.
    from chalicelib.services.onboarding.eligibility import Decision

    return Decision(name)
