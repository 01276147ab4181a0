"""Staff: the eligibility review of organisations, and support's removal of an orphaned login."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.api.deps import container
from chalicelib.api.routing import STAFF, Call, Routes
from chalicelib.clock import isoformat

if TYPE_CHECKING:
    from chalicelib.models.organisation import OrganisationModel

routes = Routes(__name__, schemas="chalicelib.api.schemas.staff_organisations", tag="Staff")


def _organisation(
    organisation: OrganisationModel, companies: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "org_id": organisation.org_id,
        "name": organisation.name,
        "legal_name": organisation.legal_name,
        "requested_name": organisation.requested_name,
        "applicant": organisation.applicant,
        "companies": companies if companies is not None else _companies_of(organisation.org_id),
        "handle": organisation.handle,
        "primary_cvr": organisation.primary_cvr,
        "status": organisation.status,
        "status_reason": organisation.status_reason,
        "created_at": isoformat(organisation.created_at),
        "approved_at": isoformat(organisation.approved_at) if organisation.approved_at else None,
    }


@routes.get(
    "/v1/staff/organisations",
    rule=STAFF,
    summary="List organisations by status, oldest first (the review queue)",
    response="StaffOrganisationPage",
    errors=(400,),
    query="OrganisationListQuery",
)
def list_organisations(call: Call) -> dict[str, Any]:
    query = call.query_model()
    page = container().eligibility.page(query.status, limit=query.limit, cursor=query.cursor)
    return {"items": [_organisation(o) for o in page.items], "next_cursor": page.next_cursor}


@routes.get(
    "/v1/staff/organisations/{org_id}",
    rule=STAFF,
    summary="One organisation for review: every company with its proof status and register name",
    response="StaffOrganisationReview",
    errors=(404, 503),
    description="The register is asked again for each company's name and status, beside the names the "
    "organisation typed.",
)
def review_organisation(call: Call, org_id: str) -> dict[str, Any]:
    reviewed = container().eligibility.review(org_id)
    return _organisation(reviewed["organisation"], reviewed["companies"])


@routes.post(
    "/v1/staff/organisations/{org_id}/name/approve",
    rule=STAFF,
    summary="Approve the display name the organisation asked for: vendors see it from now on",
    response="StaffOrganisation",
    errors=(404, 409),
    description="409 when no name change is waiting. The handle does not change.",
)
def approve_name(call: Call, org_id: str) -> dict[str, Any]:
    return _organisation(
        container().eligibility.approve_name_change(call.principal, org_id, origin=call.origin)
    )


@routes.post(
    "/v1/staff/organisations/{org_id}/name/refuse",
    rule=STAFF,
    summary="Refuse the display name the organisation asked for: the approved one stays",
    body="ReasonForm",
    response="StaffOrganisation",
    errors=(404, 409),
    description="409 when no name change is waiting.",
)
def refuse_name(call: Call, org_id: str) -> dict[str, Any]:
    reason = call.body().reason
    refused = container().eligibility.refuse_name_change(
        call.principal, org_id, reason=reason, origin=call.origin
    )
    return _organisation(refused)


DECISION_ERRORS = (409,)
TRANSITIONS_DOC = (
    "Approve from pending_review, suspended or rejected; reject from pending_review; suspend from approved. "
    "Others answer 409. Asking for the status the organisation already has changes nothing and mails nobody."
)


@routes.post(
    "/v1/staff/organisations/{org_id}/approve",
    rule=STAFF,
    summary="Approve an organisation as an NGO: it may create codes",
    response="StaffOrganisation",
    errors=DECISION_ERRORS,
    description="Fixes the organisation's handle (unique; a short suffix when taken) and mails its "
    "administrators. " + TRANSITIONS_DOC,
)
def approve(call: Call, org_id: str) -> dict[str, Any]:
    decided = container().eligibility.decide(
        call.principal, org_id, _decision("approve"), reason=None, origin=call.origin
    )
    return _organisation(decided)


@routes.post(
    "/v1/staff/organisations/{org_id}/reject",
    rule=STAFF,
    summary="Reject an organisation's application, with a reason mailed to its administrators",
    body="ReasonForm",
    response="StaffOrganisation",
    errors=DECISION_ERRORS,
    description=TRANSITIONS_DOC,
)
def reject(call: Call, org_id: str) -> dict[str, Any]:
    reason = call.body().reason
    decided = container().eligibility.decide(
        call.principal, org_id, _decision("reject"), reason=reason, origin=call.origin
    )
    return _organisation(decided)


@routes.post(
    "/v1/staff/organisations/{org_id}/suspend",
    rule=STAFF,
    summary="Suspend an approved organisation, with a reason mailed to its administrators",
    body="ReasonForm",
    response="StaffOrganisation",
    errors=DECISION_ERRORS,
    description="Its codes stop validating. " + TRANSITIONS_DOC,
)
def suspend(call: Call, org_id: str) -> dict[str, Any]:
    reason = call.body().reason
    decided = container().eligibility.decide(
        call.principal, org_id, _decision("suspend"), reason=reason, origin=call.origin
    )
    return _organisation(decided)


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
def remove_login(call: Call, org_id: str, user_id: str) -> dict[str, Any]:
    reason = call.body().reason
    removed = container().support.remove_login(
        call.principal, org_id, user_id, reason=reason, origin=call.origin
    )
    return {
        "org_id": removed.org_id,
        "user_id": removed.user_id,
        "administrators_left": removed.administrators_left,
        "may_apply_again": removed.administrators_left == 0,
    }


def _companies_of(org_id: str) -> list[dict[str, Any]]:
    from chalicelib.services.proofs import organisation_companies

    return organisation_companies(org_id, container().clock.now())


def _decision(name: str) -> Any:
    # The eligibility rules are imported by the staff routes that apply them, not by every cold start.
    from chalicelib.services.eligibility import Decision

    return Decision(name)
