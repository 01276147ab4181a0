"""Staff decisions are in the organisation's Log and in the staff Log, naming the staff member and the
organisation as they were named when the decision was made."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.models.organisation import OrganisationStatus
from chalicelib.models.user import UserModel
from tests.onboarding import staff_decide
from tests.people import People, json_of


def named(user_id: str, first_name: str, last_name: str) -> None:
    UserModel.get(user_id, consistent_read=True).update(
        actions=[UserModel.first_name.set(first_name), UserModel.last_name.set(last_name)]
    )


@pytest.mark.parametrize(
    ("start", "decision", "reason", "action"),
    [
        (OrganisationStatus.PENDING_REVIEW, "approve", None, "organisation.approved"),
        (OrganisationStatus.PENDING_REVIEW, "reject", "Ikke en forening", "organisation.rejected"),
        (OrganisationStatus.APPROVED, "suspend", "Misbrug", "organisation.suspended"),
    ],
)
def test_a_staff_decision_is_in_the_staff_log_and_the_organisations_with_names(
    client, people: People, start: OrganisationStatus, decision: str, reason: str | None, action: str
):
    # Given an organisation and a staff member called Sara Sagsbehandler
    org = people.organisation(start)
    staff = people.staff()
    named(staff.user_id, "Sara", "Sagsbehandler")
    admin = people.member(org)

    # When she decides on it
    answer = staff_decide(client, staff, org.org_id, decision, reason)
    assert answer.status_code == 200, answer.body

    # Then the staff Log has the decision, naming her and the organisation
    staff_log: list[dict[str, Any]] = json_of(client.http.get("/v1/staff/audit", headers=staff.auth))["items"]
    entry = next(e for e in staff_log if e["action"] == action and e["targets"]["org_id"] == org.org_id)
    assert entry["actor"]["name"] == "Sara Sagsbehandler"
    assert entry["names"] == {"organisation": f"Forening {org.org_id.removeprefix('org-')}"}
    assert entry["details"]["reason"] == (reason or "")

    # And so does the organisation's own Log
    own = json_of(client.http.get("/v1/organisation/audit", headers=admin.auth))["items"]
    mine = next(e for e in own if e["action"] == action)
    assert (mine["actor"]["name"], mine["names"]) == ("Sara Sagsbehandler", entry["names"])
