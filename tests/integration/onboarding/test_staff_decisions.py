"""Staff decide on what they saw: every view of an organisation carries its version (`ETag`, and `etag` in
lists), and approve, reject, suspend and the name decisions need it back as `If-Match`. Without it the
answer is 428; when anything staff saw changed since (the display name, a requested name, the status, a
company), 412, even when the change lands between the check and the write. Vendors see only names staff
decided on."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.container import Container
from chalicelib.models.handle import get_handle
from chalicelib.models.organisation import OrganisationModel, OrganisationStatus, companies_of
from chalicelib.models.outbox import MailKind
from chalicelib.services.onboarding.eligibility import EligibilityService, Reviewed
from tests.integration.access.test_authentication import assert_problem
from tests.onboarding import JSON, mail, reviewed_version, staff_decide, trail
from tests.people import Org, People, Person, json_of

PENDING = OrganisationStatus.PENDING_REVIEW
APPROVED = OrganisationStatus.APPROVED
# What the organisation was renamed to, in the finding this guards against, is a near-copy of another
# organisation's name; any name shows the rule.
LOOKALIKE = "Blå Kors Odense Fond"


def rename(client: Any, admin: Person, name: str) -> None:
    """The organisation's administrator renames it (`PATCH /v1/organisation`)."""
    response = client.http.patch(
        "/v1/organisation", headers={**admin.auth, **JSON}, body=json.dumps({"name": name}).encode()
    )
    assert response.status_code == 200, response.body


def vendors_see(org_id: str) -> str | None:
    """The display name a vendor's check answers with, if vendors see the organisation at all."""
    handle = get_handle(OrganisationModel.get(org_id).handle)
    if handle is None or handle.org_id != org_id or handle.status is None:
        return None  # not published: at most a handle reserved for it
    return str(handle.name)


def nothing_decided(org_id: str, status: OrganisationStatus) -> None:
    assert OrganisationModel.get(org_id).status == status.value
    assert mail(MailKind.DECISION) == []
    assert [e.action for e in trail(org_id) if e.actor_kind == "staff"] == []


def test_staff_see_the_version_of_an_organisation_in_its_answer_and_in_the_review_list(
    client, people: People
):
    # Given an organisation waiting for review
    org = people.organisation(PENDING)
    staff = people.staff()

    # When staff open it, and list the queue
    opened = client.http.get(f"/v1/staff/organisations/{org.org_id}", headers=staff.auth)
    listed = json_of(client.http.get("/v1/staff/organisations", headers=staff.auth))

    # Then both carry the same version: as ETag, and as `etag` for a console working from the list
    assert opened.status_code == 200
    etag = opened.headers["ETag"]
    assert etag.startswith('"')
    assert etag.endswith('"')
    assert len(etag) > 8
    assert json_of(opened)["etag"] == etag
    assert [item["etag"] for item in listed["items"] if item["org_id"] == org.org_id] == [etag]


def test_a_rename_after_staff_opened_the_organisation_makes_the_approval_412(client, people: People):
    # Given an organisation waiting for review, which staff open
    org = people.organisation(PENDING)
    admin = people.member(org)
    staff = people.staff()
    seen = reviewed_version(client, staff, org.org_id)
    shown_name = OrganisationModel.get(org.org_id).name

    # When its administrator renames it, and staff then approve what they saw
    rename(client, admin, LOOKALIKE)
    answer = staff_decide(client, staff, org.org_id, "approve", version=seen)

    # Then the approval is refused as stale, nothing is decided, and vendors see nothing of it
    problem = assert_problem(answer, 412, "precondition-failed")
    assert "changed since you looked" in problem["detail"]
    nothing_decided(org.org_id, PENDING)
    assert vendors_see(org.org_id) is None

    # When staff look again, they see the new name under a new version, and approving that goes through
    again = client.http.get(f"/v1/staff/organisations/{org.org_id}", headers=staff.auth)
    assert json_of(again)["name"] == LOOKALIKE != shown_name
    assert again.headers["ETag"] != seen
    approved = staff_decide(client, staff, org.org_id, "approve", version=again.headers["ETag"])
    assert approved.status_code == 200, approved.body
    assert vendors_see(org.org_id) == LOOKALIKE
    # And the answer carries the version of the organisation as it is now
    assert (
        approved.headers["ETag"] == json_of(approved)["etag"] == reviewed_version(client, staff, org.org_id)
    )


@pytest.mark.parametrize(("decision", "reason"), [("name/approve", None), ("name/refuse", "Vildledende")])
def test_a_name_request_replaced_after_staff_opened_it_makes_the_name_decision_412(
    client, people: People, decision: str, reason: str | None
):
    # Given an approved organisation that asked for a new name, which staff open
    org = people.organisation(APPROVED)
    admin = people.member(org)
    staff = people.staff()
    approved_name = vendors_see(org.org_id)
    rename(client, admin, "Blå Kors Odense")
    seen = reviewed_version(client, staff, org.org_id)

    # When the request is replaced by a look-alike, and staff decide on the one they saw
    rename(client, admin, "Blaa Kors Odense")
    answer = staff_decide(client, staff, org.org_id, decision, reason, version=seen)

    # Then the decision is refused as stale: the replacement still waits, vendors keep the approved name
    assert_problem(answer, 412, "precondition-failed")
    assert OrganisationModel.get(org.org_id).requested_name == "Blaa Kors Odense"
    assert vendors_see(org.org_id) == approved_name
    assert [e.action for e in trail(org.org_id) if e.actor_kind == "staff"] == []


def test_approving_the_name_request_staff_saw_is_what_vendors_see(client, people: People):
    org = people.organisation(APPROVED)
    admin = people.member(org)
    staff = people.staff()
    rename(client, admin, "Blå Kors Odense")
    seen = reviewed_version(client, staff, org.org_id)

    approved = staff_decide(client, staff, org.org_id, "name/approve", version=seen)

    assert approved.status_code == 200, approved.body
    assert vendors_see(org.org_id) == "Blå Kors Odense"


def test_a_company_renamed_after_staff_opened_the_organisation_makes_the_decision_412(client, people: People):
    # Given an organisation waiting for review, which staff open
    org = people.organisation(PENDING)
    admin = people.member(org)
    staff = people.staff()
    seen = reviewed_version(client, staff, org.org_id)

    # When one of its companies is renamed (nothing else), and staff reject what they saw
    child = org.companies[1].cvr
    response = client.http.patch(
        "/v1/organisation",
        headers={**admin.auth, **JSON},
        body=json.dumps({"companies": [{"cvr": child, "name": "Røde Kors Datter"}]}).encode(),
    )
    assert response.status_code == 200, response.body
    answer = staff_decide(client, staff, org.org_id, "reject", "Ikke en NGO", version=seen)

    # Then the rejection is refused as stale
    assert_problem(answer, 412, "precondition-failed")
    nothing_decided(org.org_id, PENDING)


def test_a_change_staff_do_not_see_leaves_the_version_as_it_was(client, people: People):
    # Given an organisation staff opened
    org = people.organisation(PENDING)
    admin = people.member(org)
    staff = people.staff()
    seen = reviewed_version(client, staff, org.org_id)

    # When it changes its contact address, which staff's view does not show
    response = client.http.patch(
        "/v1/organisation",
        headers={**admin.auth, **JSON},
        body=json.dumps({"contact_email": "kontakt@example.org"}).encode(),
    )
    assert response.status_code == 200, response.body

    # Then what they saw still stands, and their approval goes through
    assert reviewed_version(client, staff, org.org_id) == seen
    assert staff_decide(client, staff, org.org_id, "approve", version=seen).status_code == 200


DECISIONS = [
    (PENDING, "approve", None),
    (PENDING, "reject", {"reason": "Ikke en NGO"}),
    (APPROVED, "suspend", {"reason": "Undersøges"}),
    ("name", "name/approve", None),
    ("name", "name/refuse", {"reason": "Vildledende"}),
]


def organisation_for(people: People, client: Any, start: OrganisationStatus | str) -> Org:
    if start != "name":
        return people.organisation(OrganisationStatus(start))
    org = people.organisation(APPROVED)
    rename(client, people.member(org), "Blå Kors Odense")
    return org


@pytest.mark.parametrize(("start", "decision", "body"), DECISIONS)
@pytest.mark.parametrize("if_match", [None, "*", ""])
def test_a_decision_that_names_no_version_is_428(
    client, people: People, start: Any, decision: str, body: Any, if_match: str | None
):
    # Given an organisation a decision applies to
    org = organisation_for(people, client, start)
    staff = people.staff()
    before = OrganisationModel.get(org.org_id)

    # When staff decide without saying on which version (no If-Match, or one that names none)
    headers = {**staff.auth, **JSON, **({} if if_match is None else {"If-Match": if_match})}
    raw = b"" if body is None else json.dumps(body).encode()
    answer = client.http.post(f"/v1/staff/organisations/{org.org_id}/{decision}", headers=headers, body=raw)

    # Then the answer asks for it, and nothing changed
    problem = assert_problem(answer, 428, "precondition-required")
    assert "If-Match" in problem["detail"]
    after = OrganisationModel.get(org.org_id)
    assert (after.version, after.status, after.name) == (before.version, before.status, before.name)


@pytest.mark.parametrize(("start", "decision", "body"), DECISIONS)
def test_a_decision_on_the_version_staff_saw_goes_through_and_a_weak_or_foreign_one_does_not(
    client, people: People, start: Any, decision: str, body: Any
):
    org = organisation_for(people, client, start)
    staff = people.staff()
    seen = reviewed_version(client, staff, org.org_id)
    reason = None if body is None else body["reason"]
    other = reviewed_version(client, staff, people.organisation(PENDING).org_id)

    # A weak tag, and another organisation's version, are not what staff saw of this one
    for version in (f"W/{seen}", other):
        assert_problem(
            staff_decide(client, staff, org.org_id, decision, reason, version=version),
            412,
            "precondition-failed",
        )
    # The version they saw, alone or in a list, is
    answer = staff_decide(client, staff, org.org_id, decision, reason, version=f'"stale", {seen}')
    assert answer.status_code == 200, answer.body


def test_deciding_again_what_is_already_decided_is_harmless_whatever_the_version(client, people: People):
    # Given an organisation staff approved (a retry of that request carries the version it was made on)
    org = people.organisation(PENDING)
    people.member(org)
    staff = people.staff()
    seen = reviewed_version(client, staff, org.org_id)
    first = staff_decide(client, staff, org.org_id, "approve", version=seen)

    # When the same approval comes again
    again = staff_decide(client, staff, org.org_id, "approve", version=seen)

    # Then it is answered as done, and nobody is mailed twice (RFC 9110 13.1.1)
    assert again.status_code == 200
    assert json_of(again) == json_of(first)
    assert len(mail(MailKind.DECISION)) == 1


class Raced(EligibilityService):
    """Another writer lands right after the read a decision checks the version against, before its write."""

    def __init__(self, container: Container, race: Callable[[str], None]) -> None:
        super().__init__(clock=container.clock, registry=container.registry)
        self._race: Callable[[str], None] | None = race

    def reviewed(self, org_id: str) -> Reviewed:
        found = super().reviewed(org_id)
        race, self._race = self._race, None
        if race is not None:
            race(org_id)
        return found


Race = Callable[[Container, Person], Callable[[str], None]]


def renamed_in_the_race(container: Container, admin: Person) -> Callable[[str], None]:
    def race(org_id: str) -> None:
        OrganisationModel.get(org_id).update(actions=[OrganisationModel.name.set(LOOKALIKE)])

    return race


def company_renamed_in_the_race(container: Container, admin: Person) -> Callable[[str], None]:
    """The administrator renames a company through the master-data service, as PATCH /v1/organisation does:
    a write to another item than the organisation's."""
    from chalicelib.models.audit import Origin
    from chalicelib.services.organisation.master_data import OrganisationChanges

    def race(org_id: str) -> None:
        principal = container.identity.authenticate(f"Bearer {admin.token}")
        cvr = companies_of(org_id)[1].cvr
        changes = OrganisationChanges.model_validate(
            {"companies": [{"cvr": cvr, "name": "Røde Kors Datter"}]}
        )
        container.organisation.update(principal, changes, origin=Origin())

    return race


def company_added_in_the_race(container: Container, admin: Person) -> Callable[[str], None]:
    """The administrator names another company of the group, which gets a letter of its own, as POST
    /v1/organisation/companies does: a claim, another item again."""
    from chalicelib.models.audit import Origin

    def race(org_id: str) -> None:
        principal = container.identity.authenticate(f"Bearer {admin.token}")
        container.proofs.name_company(principal, "31670004", "Café Ørsted", origin=Origin())

    return race


@pytest.mark.parametrize(
    "race", [renamed_in_the_race, company_renamed_in_the_race, company_added_in_the_race]
)
def test_a_change_between_the_check_and_the_write_is_refused_too(
    client, people: People, container: Container, race: Race
):
    # Given an organisation staff opened, and a change that lands just after their decision checked it
    org = people.organisation(PENDING)
    admin = people.member(org)
    staff = people.staff()
    seen = reviewed_version(client, staff, org.org_id)
    container.eligibility = Raced(container, race(container, admin))

    # When staff approve what they saw
    answer = staff_decide(client, staff, org.org_id, "approve", version=seen)

    # Then the transaction under the version read is cancelled, and the answer says it changed
    assert_problem(answer, 412, "precondition-failed")
    nothing_decided(org.org_id, PENDING)
    assert vendors_see(org.org_id) is None


def test_a_change_staff_do_not_see_landing_between_the_check_and_the_write_is_tried_again(
    client, people: People, container: Container
):
    org = people.organisation(PENDING)
    people.member(org)
    staff = people.staff()
    seen = reviewed_version(client, staff, org.org_id)

    def contact_changed(org_id: str) -> None:
        OrganisationModel.get(org_id).update(actions=[OrganisationModel.contact_email.set("ny@example.org")])

    container.eligibility = Raced(container, contact_changed)

    answer = staff_decide(client, staff, org.org_id, "approve", version=seen)

    assert answer.status_code == 200, answer.body
    assert OrganisationModel.get(org.org_id).contact_email == "ny@example.org"
    assert len(mail(MailKind.DECISION)) == 1
