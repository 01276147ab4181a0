"""One view of a user: wherever a person is shown (their own /v1/me, an administrator's /v1/users, support's
logins of an organisation, the staff roster, the personal data export), the fields two answers share have
the same value, since every one of them starts from the same `UserView`."""

from __future__ import annotations

import json
from itertools import combinations
from typing import Any

from tests.people import People, json_of

JSON = {"content-type": "application/json"}


def agree(*shown: dict[str, Any]) -> None:
    for one, other in combinations(shown, 2):
        for name in one.keys() & other.keys():
            assert one[name] == other[name], name


def test_a_member_is_shown_alike_wherever_they_appear(client, people: People):
    # Given a member of an organisation, an administrator of it, and a staff member
    org = people.organisation()
    member = people.member(org)
    admin = people.member(org)
    staff = people.staff()

    # When the member is looked at by themself, by the administrator, by support and in an export
    me = json_of(client.http.get("/v1/me", headers=member.auth))["user"]
    colleague = json_of(client.http.get(f"/v1/users/{member.user_id}", headers=admin.auth))
    logins = json_of(client.http.get(f"/v1/staff/organisations/{org.org_id}/users", headers=staff.auth))
    (login,) = [item for item in logins["items"] if item["user_id"] == member.user_id]
    body = json.dumps({"email": me["email"]}).encode()
    export = client.http.post("/v1/staff/personal-data/export", headers={**staff.auth, **JSON}, body=body)
    (exported,) = [user for user in json_of(export)["users"] if user["user_id"] == member.user_id]

    # Then what they share agrees, and each shows the person's names, address and status
    agree(me, colleague, login, exported)
    for shown in (me, colleague, login, exported):
        assert {"user_id", "first_name", "last_name", "email", "mobile", "status"} <= shown.keys()
    assert login["username"] == me["username"] == colleague["username"] == member.user_id
    assert login["administrator"] is True


def test_a_staff_member_is_shown_alike_in_the_roster_and_to_themself(client, people: People):
    # Given two staff members
    staff = people.staff()
    other = people.staff()

    # When one looks at themself and at the roster
    me = json_of(client.http.get("/v1/me", headers=staff.auth))["user"]
    roster = json_of(client.http.get("/v1/staff/members?limit=100", headers=other.auth))
    (member,) = [item for item in roster["items"] if item["user_id"] == staff.user_id]

    # Then both agree, and a member never changed was last changed when they were added
    agree(me, member)
    assert member["changed_at"] == member["created_at"]
