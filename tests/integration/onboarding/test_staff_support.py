"""Journey 9: support finds an organisation by CVR number or handle and sees its logins."""

from __future__ import annotations

from typing import Any

from chalicelib.models.handle import reserve_handle
from chalicelib.models.organisation import OrganisationStatus
from tests.integration.access.test_authentication import assert_problem
from tests.onboarding import staff_decide
from tests.people import People, json_of


def get(client: Any, who: Any, path: str) -> Any:
    return client.http.get(path, headers=who.auth)


def search(client: Any, staff: Any, q: str) -> Any:
    return client.http.get(f"/v1/staff/search/organisations?q={q}", headers=staff.auth)


def test_support_finds_an_organisation_by_any_of_its_cvr_numbers(client, people: People):
    # Given a pending organisation of two companies, and another organisation
    org = people.organisation(OrganisationStatus.PENDING_REVIEW)
    people.organisation()
    staff = people.staff()

    # When support search for its second company's CVR number
    response = search(client, staff, org.companies[1].cvr)

    # Then that organisation, and only it, is found, by CVR
    assert response.status_code == 200, response.body
    body = json_of(response)
    assert [o["org_id"] for o in body["items"]] == [org.org_id]
    assert body["items"][0]["status"] == "pending_review"
    assert body["matched"] == "cvr"


def test_support_finds_an_organisation_by_its_handle_in_any_case_and_with_the_at(client, people: People):
    # Given an approved organisation whose handle is reserved
    org = people.organisation()
    reserve_handle("Hjaelperne", org.org_id, people.now)
    staff = people.staff()

    # When support search for @hjaelperne
    response = search(client, staff, "%40hjaelperne")

    # Then the organisation is found by its handle
    body = json_of(response)
    assert [o["org_id"] for o in body["items"]] == [org.org_id]
    assert body["matched"] == "handle"


def test_a_search_that_matches_nothing_is_an_empty_answer_and_no_query_is_a_clear_400(client, people: People):
    staff = people.staff()
    nothing = json_of(search(client, staff, "99999999"))
    assert nothing == {"items": [], "matched": None, "next_cursor": None}
    assert json_of(search(client, staff, "NoSuchHandle"))["items"] == []
    assert_problem(get(client, staff, "/v1/staff/search/organisations"), 400, "invalid-input")


def test_the_document_says_the_search_needs_its_query_and_a_page_does_not_need_a_cursor(client):
    # A client generated from the document must know `q` cannot be left out, as the server refuses it.
    paths = json_of(client.http.get("/openapi.json"))["paths"]
    search_parameters = paths["/v1/staff/search/organisations"]["get"]["parameters"]
    assert {p["name"]: p["required"] for p in search_parameters} == {
        "q": True,
        "limit": False,
        "cursor": False,
    }
    login_parameters = paths["/v1/staff/organisations/{org_id}/users"]["get"]["parameters"]
    assert {p["name"]: p["required"] for p in login_parameters if p["in"] == "query"} == {
        "cursor": False,
        "limit": False,
    }


def test_support_sees_every_login_of_an_organisation_with_who_administers(client, people: People):
    # Given an organisation with an administrator and a member without `users`, and another organisation
    org = people.organisation()
    admin = people.member(org)
    member = people.member(org, functions=[])
    people.member(people.organisation())
    staff = people.staff()

    # When support list its logins, one per page
    users = f"/v1/staff/organisations/{org.org_id}/users"
    first = json_of(get(client, staff, f"{users}?limit=1"))
    cursor = first["next_cursor"]
    assert cursor
    second = json_of(
        client.http.get(
            f"/v1/staff/organisations/{org.org_id}/users?limit=1&cursor={cursor}", headers=staff.auth
        )
    )

    # Then both logins are there, and only the administrator is marked so
    logins = {u["user_id"]: u for u in first["items"] + second["items"]}
    assert set(logins) == {admin.user_id, member.user_id}
    assert logins[admin.user_id]["administrator"] is True
    assert logins[member.user_id]["administrator"] is False
    assert second["next_cursor"] is None


def test_an_unknown_organisations_logins_are_404_and_a_member_may_not_look(client, people: People):
    org = people.organisation()
    admin = people.member(org)
    staff = people.staff()
    assert_problem(get(client, staff, "/v1/staff/organisations/nope/users"), 404, "not-found")
    assert_problem(get(client, admin, f"/v1/staff/organisations/{org.org_id}/users"), 403, "forbidden")


def test_staff_see_their_decision_in_the_organisations_trail_with_every_company(client, people: People):
    # Given a pending organisation that staff reject with a reason
    org = people.organisation(OrganisationStatus.PENDING_REVIEW)
    staff = people.staff()
    rejected = staff_decide(client, staff, org.org_id, "reject", "Ikke en NGO")
    assert rejected.status_code == 200, rejected.body

    # When staff read the organisation's trail
    response = client.http.get(f"/v1/staff/organisations/{org.org_id}/audit", headers=staff.auth)

    # Then the rejection is there, by that staff member, with the reason
    assert response.status_code == 200, response.body
    entry = json_of(response)["items"][0]
    assert entry["action"] == "organisation.rejected"
    assert entry["actor"] == {"kind": "staff", "id": staff.user_id, "name": "Test Person"}
    assert "Ikke en NGO" in str(entry["details"])
    assert_problem(get(client, staff, "/v1/staff/organisations/nope/audit"), 404, "not-found")
