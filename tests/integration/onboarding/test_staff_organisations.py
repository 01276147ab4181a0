"""Journey 4: staff review organisations: list them by status, approve, reject and suspend them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.models.handle import owner_of
from chalicelib.models.organisation import OrganisationModel, OrganisationStatus
from chalicelib.models.outbox import MailKind
from chalicelib.models.user import UserModel
from chalicelib.services.onboarding.eligibility import may_create_codes
from chalicelib.services.organisation.handles import ascii_handle
from infra.local.demo import CompanySpec, add_organisation
from tests.integration.access.test_authentication import assert_problem
from tests.onboarding import JSON, mail, rendered, reviewed_version, staff_decide, trail
from tests.people import Org, People, json_of

PENDING = OrganisationStatus.PENDING_REVIEW
APPROVED = OrganisationStatus.APPROVED
REJECTED = OrganisationStatus.REJECTED
SUSPENDED = OrganisationStatus.SUSPENDED


def decide(client: Any, staff: Any, org_id: str, decision: str, reason: str | None = None) -> Any:
    """A decision on the organisation as staff see it now (its `ETag` as `If-Match`)."""
    return staff_decide(client, staff, org_id, decision, reason)


def status_of(org_id: str) -> str:
    return OrganisationModel.get(org_id).status


def test_approval_makes_the_organisation_approved_and_mails_its_administrators(client, people: People):
    # Given an organisation waiting for review, with two administrators and a member without `users`
    org = people.organisation(PENDING)
    first, second = people.member(org), people.member(org)
    people.member(org, functions=[])
    staff = people.staff()

    # When staff approve it
    response = decide(client, staff, org.org_id, "approve")

    # Then it is approved since now, with its handle reserved
    assert response.status_code == 200, response.body
    body = json_of(response)
    assert body["status"] == "approved"
    assert body["approved_at"] is not None
    assert owner_of(body["handle"]) == org.org_id
    assert may_create_codes(OrganisationModel.get(org.org_id))
    # And each administrator, and nobody else, is mailed the decision
    decisions = mail(MailKind.DECISION)
    assert sorted(m.to_address for m in decisions) == sorted(
        UserModel.get(p.user_id).email for p in (first, second)
    )
    assert all(m.context["decision"] == "approved" for m in decisions)
    # And the trail says which staff member did it, from where
    [entry] = trail(org.org_id)
    assert (entry.action, entry.actor_kind, entry.actor_id) == (
        "organisation.approved",
        "staff",
        staff.user_id,
    )
    assert entry.details == {
        "from": "pending_review",
        "to": "approved",
        "reason": "",
        # who decided and about whom, as named then, for the Log to read without a look-up
        "names": {"actor": "Test Person", "organisation": body["name"]},
    }
    assert entry.source_ip == "127.0.0.1"


def test_approving_twice_is_harmless(client, people: People):
    org = people.organisation(PENDING)
    people.member(org)
    staff = people.staff()
    first = json_of(decide(client, staff, org.org_id, "approve"))

    again = decide(client, staff, org.org_id, "approve")

    assert again.status_code == 200
    assert json_of(again) == first
    assert len(mail(MailKind.DECISION)) == 1
    assert len(trail(org.org_id)) == 1


def test_a_rejection_carries_its_reason_to_the_administrators(client, people: People):
    org = people.organisation(PENDING)
    people.member(org)
    staff = people.staff()

    response = decide(
        client, staff, org.org_id, "reject", "  Vedtægterne viser ikke et almennyttigt formål  "
    )

    body = json_of(response)
    assert (body["status"], body["status_reason"]) == (
        "rejected",
        "Vedtægterne viser ikke et almennyttigt formål",
    )
    [decision] = mail(MailKind.DECISION)
    assert decision.context["decision"] == "rejected"
    assert "Begrundelse: Vedtægterne viser ikke et almennyttigt formål" in rendered(decision).text
    assert trail(org.org_id)[0].details["reason"] == "Vedtægterne viser ikke et almennyttigt formål"
    assert not may_create_codes(OrganisationModel.get(org.org_id))


def test_a_suspension_carries_its_reason_and_a_new_approval_lifts_it(client, people: People):
    # Given an approved organisation
    org = people.organisation(APPROVED)
    people.member(org)
    staff = people.staff()

    # When staff suspend it, and later approve it again
    suspended = json_of(decide(client, staff, org.org_id, "suspend", "Misbrug af koder undersøges"))
    approved = json_of(decide(client, staff, org.org_id, "approve"))

    # Then it was suspended with the reason, and is approved again without one
    assert (suspended["status"], suspended["status_reason"]) == ("suspended", "Misbrug af koder undersøges")
    assert (approved["status"], approved["status_reason"]) == ("approved", None)
    assert [m.context["decision"] for m in mail(MailKind.DECISION)] == ["suspended", "approved"]
    assert [e.action for e in trail(org.org_id)] == ["organisation.approved", "organisation.suspended"]


@pytest.mark.parametrize("decision", ["reject", "suspend"])
@pytest.mark.parametrize("body", [None, {}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 1001}])
def test_rejecting_and_suspending_need_a_reason(client, people: People, decision, body):
    org = people.organisation(PENDING if decision == "reject" else APPROVED)
    staff = people.staff()
    path = f"/v1/staff/organisations/{org.org_id}/{decision}"
    raw = b"" if body is None else json.dumps(body).encode()
    version = reviewed_version(client, staff, org.org_id)
    response = client.http.post(path, headers={**staff.auth, **JSON, "If-Match": version}, body=raw)
    assert_problem(response, 400, "invalid-input")
    assert status_of(org.org_id) != (REJECTED if decision == "reject" else SUSPENDED).value


@pytest.mark.parametrize(
    ("start", "decision"),
    [
        (PENDING, "suspend"),
        (REJECTED, "suspend"),
        (SUSPENDED, "reject"),
        (APPROVED, "reject"),
    ],
)
def test_transitions_that_make_no_sense_are_refused(client, people: People, start, decision):
    org = people.organisation(start)
    people.member(org)
    staff = people.staff()

    problem = assert_problem(decide(client, staff, org.org_id, decision, "Fordi"), 409, "invalid-transition")

    assert start.value in problem["detail"]
    assert status_of(org.org_id) == start.value
    assert mail(MailKind.DECISION) == []
    assert trail(org.org_id) == []


@pytest.mark.parametrize(
    ("start", "decision", "end"),
    [
        (PENDING, "approve", APPROVED),
        (SUSPENDED, "approve", APPROVED),
        (REJECTED, "approve", APPROVED),
        (PENDING, "reject", REJECTED),
        (APPROVED, "suspend", SUSPENDED),
    ],
)
def test_the_transitions_that_make_sense(client, people: People, start, decision, end):
    org = people.organisation(start)
    staff = people.staff()
    reason = None if decision == "approve" else "Fordi"
    assert json_of(decide(client, staff, org.org_id, decision, reason))["status"] == end.value
    assert status_of(org.org_id) == end.value


def named_organisation(org_id: str, name: str, cvr: str) -> Org:
    companies = (CompanySpec(cvr, name),)
    add_organisation(
        org_id=org_id,
        name=name,
        handle=ascii_handle(name),
        companies=companies,
        now=datetime.now(UTC),
        status=PENDING,
    )
    return Org(org_id, companies)


def test_a_handle_another_organisation_has_gets_a_short_suffix(client, people: People):
    # Given three organisations whose names give the same handle, the third only in another case
    first = named_organisation("org-a", "Grøn Hjælp", "35770003")
    second = named_organisation("org-b", "grøn hjælp!", "21450006")
    third = named_organisation("org-c", "GROENHJAELP", "33560001")
    staff = people.staff()

    # When all three are approved
    handles = [
        json_of(decide(client, staff, org.org_id, "approve"))["handle"] for org in (first, second, third)
    ]

    # Then each has its own handle, reserved for it, whatever the case
    assert handles == ["GroenHjaelp", "GroenHjaelp2", "GROENHJAELP3"]
    assert [owner_of(handle) for handle in handles] == ["org-a", "org-b", "org-c"]
    assert [OrganisationModel.get(o).handle for o in ("org-a", "org-b", "org-c")] == handles


def test_a_reapproval_keeps_the_handle_it_had(client, people: People):
    org = named_organisation("org-a", "Grøn Hjælp", "35770003")
    staff = people.staff()
    handle = json_of(decide(client, staff, org.org_id, "approve"))["handle"]
    decide(client, staff, org.org_id, "suspend", "Undersøges")
    named_organisation("org-b", "Grøn Hjælp", "21450006")
    decide(client, staff, "org-b", "approve")

    assert json_of(decide(client, staff, org.org_id, "approve"))["handle"] == handle


def test_an_unknown_organisation_is_404(client, people: People):
    answer = staff_decide(client, people.staff(), "org-nope", "approve", version='"0123456789abcdef"')
    assert_problem(answer, 404, "not-found")


def test_staff_list_organisations_by_status_oldest_first_a_page_at_a_time(client, people: People):
    # Given five organisations waiting for review, created a minute apart, and one approved
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    for n in range(5):
        add_organisation(
            org_id=f"org-{n}",
            name=f"Forening {n}",
            handle=f"Forening{n}",
            companies=(CompanySpec(f"3000000{n}", f"Forening {n}"),),
            now=start + timedelta(minutes=n),
            status=PENDING,
        )
    people.organisation(APPROVED)
    staff = people.staff()

    # When staff page through the review queue two at a time
    seen: list[list[str]] = []
    cursor = None
    while True:
        query = "?status=pending_review&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = json_of(client.http.get(f"/v1/staff/organisations{query}", headers=staff.auth))
        seen.append([item["org_id"] for item in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break

    # Then they come oldest first, each once, and the last page is not empty
    assert seen == [["org-0", "org-1"], ["org-2", "org-3"], ["org-4"]]


def test_the_review_queue_is_the_default_list(client, people: People):
    org = people.organisation(PENDING)
    page = json_of(client.http.get("/v1/staff/organisations", headers=people.staff().auth))
    assert [item["org_id"] for item in page["items"]] == [org.org_id]
    assert page["next_cursor"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?status=approvedish", "status"),
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?limit=ten", "limit"),
        ("?cursor=not-a-cursor", "cursor"),
        ("?cursor=eyJvcmdfaWQiOiJ4In0", "cursor"),  # valid base64 JSON, but not this list's keys
    ],
)
def test_bad_list_parameters_are_field_problems(client, people: People, query, field):
    response = client.http.get(f"/v1/staff/organisations{query}", headers=people.staff().auth)
    problem = assert_problem(response, 400, "invalid-input")
    assert [e["field"] for e in problem["errors"]] == [field]


STAFF_ROUTES = [
    ("GET", "/v1/staff/organisations", None),
    ("POST", "/v1/staff/organisations/{org}/approve", None),
    ("POST", "/v1/staff/organisations/{org}/reject", {"reason": "x"}),
    ("POST", "/v1/staff/organisations/{org}/suspend", {"reason": "x"}),
    ("DELETE", "/v1/staff/organisations/{org}/users/{user}", {"reason": "x"}),
]


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ROUTES)
def test_a_member_of_an_organisation_cannot_use_staff_routes(client, people: People, method, path, body):
    # Given an administrator with every function
    org = people.organisation(PENDING)
    admin = people.member(org)

    # When they call a staff route about their own organisation
    raw = b"" if body is None else json.dumps(body).encode()
    response = client.http.request(
        method, path.format(org=org.org_id, user=admin.user_id), headers={**admin.auth, **JSON}, body=raw
    )

    # Then they are refused, and nothing changed
    assert_problem(response, 403, "forbidden")
    assert status_of(org.org_id) == "pending_review"
    assert UserModel.get(admin.user_id) is not None


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ROUTES)
def test_staff_routes_need_a_signed_in_caller(client, method, path, body):
    response = client.http.request(method, path.format(org="org-1", user="u-1"), headers=JSON, body=b"{}")
    assert_problem(response, 401, "unauthenticated")


def test_staff_without_a_second_factor_are_refused(client, people: People):
    staff = people.staff(enrolled=False)
    response = client.http.get("/v1/staff/organisations", headers=staff.auth)
    assert_problem(response, 403, "second-factor-required")
