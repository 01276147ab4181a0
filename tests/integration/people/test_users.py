"""Journey 5 through the API: an administrator creates, lists, shows, changes and deletes colleagues."""

from __future__ import annotations

import re
from typing import Any

import pytest

from chalicelib.container import Container, use_container
from chalicelib.models.invitation import InvitationModel
from chalicelib.models.outbox import MailKind, OutboxModel
from chalicelib.models.user import UserModel, get_user
from chalicelib.services.access.authz import Function
from infra.local.signin import sign_in
from tests.colleagues import (
    accept,
    colleague,
    create_user,
    created_user,
    delete_user,
    invitations_to,
    listed_users,
    patch_user,
    record,
    resend,
    token_of,
)
from tests.colleagues import (
    get_user as get_user_via_api,
)
from tests.integration.access.test_authentication import assert_problem
from tests.onboarding import UnavailableLogins, mail, rendered, trail
from tests.people import PASSWORD, People, after_the_last_change_of, json_of

USERNAME = re.compile(r"^usr-[0-9a-z]{10}$")


def login_of(cognito: Any, people: People, username: str) -> Any:
    try:
        found: dict[str, Any] = cognito.admin_get_user(UserPoolId=people.pool.user_pool_id, Username=username)
    except cognito.exceptions.UserNotFoundException:
        return None
    return found


def outbox_count() -> int:
    return len(list(OutboxModel.scan()))


# Creating


def test_an_administrator_creates_a_colleague_who_is_mailed_an_invitation_at_once(client, people: People):
    # Given an administrator
    org = people.organisation()
    admin = people.member(org)

    # When they create a colleague limited to one account, with only the codes function
    response = create_user(client, admin, colleague(org))

    # Then the colleague exists, invited, with the normalised mobile and exactly the scope given
    assert response.status_code == 201, response.body
    user = json_of(response)
    assert USERNAME.match(user["user_id"])
    assert user["username"] == user["user_id"]
    assert {k: user[k] for k in ("first_name", "last_name", "email", "mobile", "status", "language")} == {
        "first_name": "Bo",
        "last_name": "Frivillig",
        "email": "bo@example.org",
        "mobile": "+4522334455",
        "status": "invited",
        "language": "da",
    }
    assert user["functions"] == ["codes"]
    assert user["companies"] == [{"cvr": org.companies[0].cvr, "access": "limited", "accounts": ["A1"]}]
    assert user["within_your_scope"] is True
    assert user["invitation_expires_at"] is not None
    assert json_of(get_user_via_api(client, admin, user["user_id"])) == user

    # And the invitation was mailed in the same transaction: the username and the code each on a line
    [message] = invitations_to(user["user_id"])
    assert (message.to_address, message.to_name, message.language) == ("bo@example.org", "Bo Frivillig", "da")
    token = token_of(user["user_id"])
    text = rendered(message).text
    assert f"\nBrugernavn: {user['user_id']}\n" in text
    assert f"\nInvitationskode: {token}\n" in text
    assert token not in rendered(message).subject
    assert token not in str(message.context)

    # And only a hash of the code is stored
    [invitation] = InvitationModel.scan()
    assert token not in str(invitation.attribute_values)
    assert token.replace("-", "") not in str(invitation.attribute_values)
    assert invitation.user_id == user["user_id"]

    # And nobody has a login yet: that comes with accepting
    assert record(user["user_id"]).status == "invited"

    # And the trail says who created whom, with what access
    [entry] = trail(org.org_id)
    assert (entry.action, entry.actor_id, entry.targets) == (
        "user.invited",
        admin.user_id,
        {"user_id": user["user_id"]},
    )
    assert entry.details["functions"] == ["codes"]
    assert entry.details["companies"] == user["companies"]


def test_the_invitation_is_english_on_request(client, people: People):
    org = people.organisation()
    admin = people.member(org)

    user = created_user(client, admin, colleague(org, language="en"))

    [message] = invitations_to(user["user_id"])
    text = rendered(message).text
    assert f"\nUsername: {user['user_id']}\n" in text
    assert f"\nInvitation code: {token_of(user['user_id'])}\n" in text


def test_full_access_and_several_functions_can_be_granted_by_an_administrator_who_has_them(
    client, people: People
):
    org = people.organisation()
    admin = people.member(org)
    parent, child = org.companies

    user = created_user(
        client,
        admin,
        colleague(
            org,
            functions=["history", "codes"],
            companies=[
                {"cvr": parent.cvr, "access": "full"},
                {"cvr": child.cvr, "access": "limited", "accounts": ["B1"]},
            ],
        ),
    )

    assert user["functions"] == ["codes", "history"]
    assert user["companies"] == [
        {"cvr": parent.cvr, "access": "full", "accounts": []},
        {"cvr": child.cvr, "access": "limited", "accounts": ["B1"]},
    ]


BAD_FIELDS = [
    ("first_name", "", "first_name"),
    ("first_name", "Bo\nBcc: x", "first_name"),
    ("last_name", None, "last_name"),
    ("email", "not-an-address", "email"),
    ("mobile", "4512345678", "mobile"),
    ("mobile", "+46 22 33 44 55", "mobile"),
    ("mobile", "+45 2233445", "mobile"),
    ("functions", [], "functions"),
    ("functions", ["codes", "codes"], "functions"),
    ("functions", ["admin"], "functions.0"),
    ("companies", [], "companies"),
    ("companies", [{"cvr": "123", "access": "full"}], "companies.0.cvr"),
    ("companies", [{"cvr": "10000001", "access": "some"}], "companies.0.access"),
    ("companies", [{"cvr": "10000001", "access": "limited"}], "companies.0.accounts"),
    ("companies", [{"cvr": "10000001", "access": "limited", "accounts": []}], "companies.0.accounts"),
    ("companies", [{"cvr": "10000001", "access": "full", "accounts": ["A1"]}], "companies.0.accounts"),
    (
        "companies",
        [{"cvr": "10000001", "access": "limited", "accounts": ["A1", "A1"]}],
        "companies.0.accounts",
    ),
    ("language", "de", "language"),
    ("extra", 1, "extra"),
]


@pytest.mark.parametrize(("name", "value", "field"), BAD_FIELDS)
def test_every_bad_field_is_a_400_naming_it_and_nothing_is_written(
    client, people: People, name, value, field
):
    org = people.organisation()
    admin = people.member(org)

    response = create_user(client, admin, colleague(org, **{name: value}))

    body = assert_problem(response, 400, "invalid-input")
    assert field in [e["field"] for e in body["errors"]], body
    assert outbox_count() == 0
    assert list(InvitationModel.scan()) == []


def test_a_company_listed_twice_is_a_400(client, people: People):
    org = people.organisation()
    admin = people.member(org)
    twice = [{"cvr": org.companies[0].cvr, "access": "full"}] * 2

    body = assert_problem(create_user(client, admin, colleague(org, companies=twice)), 400, "invalid-input")
    assert [e["field"] for e in body["errors"]] == ["companies"]


def test_every_missing_field_is_a_400_naming_it(client, people: People):
    admin = people.member(people.organisation())

    body = assert_problem(create_user(client, admin, {}), 400, "invalid-input")

    assert {e["field"] for e in body["errors"]} == {
        "first_name",
        "last_name",
        "email",
        "mobile",
        "functions",
        "companies",
    }


def test_companies_and_accounts_outside_the_callers_scope_answer_as_if_they_did_not_exist(
    client, people: People
):
    # Given an administrator limited to account A1 of the parent company, and another organisation
    org, other = people.organisation(), people.organisation()
    parent, child = org.companies
    limited = people.member(org, functions=[Function.USERS, Function.CODES], companies={parent.cvr: ["A1"]})

    # Then the child company, account A2, an unknown CVR and another organisation's company: all not found
    for grant, field in (
        ({"cvr": child.cvr, "access": "limited", "accounts": ["B1"]}, "companies.0.cvr"),
        ({"cvr": parent.cvr, "access": "limited", "accounts": ["A2"]}, "companies.0.accounts.0"),
        ({"cvr": parent.cvr, "access": "limited", "accounts": ["ZZ"]}, "companies.0.accounts.0"),
        ({"cvr": "99999999", "access": "full"}, "companies.0.cvr"),
        ({"cvr": other.companies[0].cvr, "access": "full"}, "companies.0.cvr"),
    ):
        body = assert_problem(
            create_user(client, limited, colleague(org, companies=[grant])), 404, "not-found"
        )
        assert [e["field"] for e in body["errors"]] == [field]
        assert body["errors"][0]["message"] in {"No such company.", "No such account."}

    # And nothing was created
    assert outbox_count() == 0


def test_a_function_or_full_access_the_caller_lacks_cannot_be_granted(client, people: People):
    org = people.organisation()
    parent = org.companies[0]
    limited = people.member(org, functions=[Function.USERS, Function.CODES], companies={parent.cvr: ["A1"]})

    body = assert_problem(
        create_user(client, limited, colleague(org, functions=["codes", "masterdata"])), 403, "forbidden"
    )
    assert [e["field"] for e in body["errors"]] == ["functions.1"]
    body = assert_problem(
        create_user(client, limited, colleague(org, companies=[{"cvr": parent.cvr, "access": "full"}])),
        403,
        "forbidden",
    )
    assert [e["field"] for e in body["errors"]] == ["companies.0.access"]
    assert outbox_count() == 0


def test_without_the_users_function_every_user_route_is_403(client, people: People):
    org = people.organisation()
    admin = people.member(org)
    target = created_user(client, admin, colleague(org))
    codes_only = people.member(org, functions=[Function.CODES])

    for response in (
        create_user(client, codes_only, colleague(org)),
        client.http.get("/v1/users", headers=codes_only.auth),
        get_user_via_api(client, codes_only, target["user_id"]),
        patch_user(client, codes_only, target["user_id"], {"first_name": "X"}),
        delete_user(client, codes_only, target["user_id"]),
        resend(client, codes_only, target["user_id"]),
    ):
        assert_problem(response, 403, "forbidden")


# Listing and reading


def test_the_list_has_every_user_of_the_organisation_in_pages_that_join_up(client, people: People):
    # Given an organisation with an administrator and four colleagues, another organisation, and staff
    org, other = people.organisation(), people.organisation()
    admin = people.member(org)
    made = [created_user(client, admin, colleague(org, first_name=f"Kollega {letter}")) for letter in "ABCD"]
    people.member(other)
    people.staff()

    # When the administrator pages through the users two at a time
    listed = listed_users(client, admin, limit=2)

    # Then every user of the organisation is there once, and nobody else
    assert sorted(u["user_id"] for u in listed) == sorted([admin.user_id] + [u["user_id"] for u in made])


@pytest.mark.parametrize("cursor", ["nonsense", "eyJpIjoidXNlcnMuYnktb3JnIn0", "a" * 2000])
def test_a_cursor_the_list_did_not_give_out_is_a_400(client, people: People, cursor):
    admin = people.member(people.organisation())
    response = client.http.get(f"/v1/users?cursor={cursor}", headers=admin.auth)
    assert_problem(response, 400, "invalid-input")


def test_a_cursor_from_another_organisations_list_is_a_400(client, people: People):
    org, other = people.organisation(), people.organisation()
    admin, stranger = people.member(org), people.member(other)
    for letter in "ABC":
        created_user(client, stranger, colleague(other, first_name=f"K{letter}"))
    cursor = json_of(client.http.get("/v1/users?limit=1", headers=stranger.auth))["next_cursor"]
    assert cursor is not None

    body = assert_problem(
        client.http.get(f"/v1/users?cursor={cursor}", headers=admin.auth), 400, "invalid-input"
    )
    assert body["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=x", "other=1"])
def test_a_bad_list_query_is_a_400(client, people: People, query):
    admin = people.member(people.organisation())
    assert_problem(client.http.get(f"/v1/users?{query}", headers=admin.auth), 400, "invalid-input")


def test_a_limited_administrator_sees_everyone_but_only_their_own_part_of_each_scope(client, people: People):
    # Given a full administrator and an administrator limited to account A1 of the parent company
    org = people.organisation()
    parent, child = org.companies
    admin = people.member(org)
    limited = people.member(org, functions=[Function.USERS, Function.CODES], companies={parent.cvr: ["A1"]})

    # When the limited administrator looks at the full one
    seen = json_of(get_user_via_api(client, limited, admin.user_id))

    # Then they see the user, their functions, and of their scope only the parent company
    assert seen["functions"] == ["codes", "users", "masterdata", "history"]
    assert seen["companies"] == [{"cvr": parent.cvr, "access": "full", "accounts": []}]
    assert child.cvr not in str(seen)
    # And they may not change a user whose access exceeds theirs
    assert seen["within_your_scope"] is False
    for response in (
        patch_user(client, limited, admin.user_id, {"first_name": "Anna"}),
        delete_user(client, limited, admin.user_id),
    ):
        assert_problem(response, 403, "forbidden")
    assert record(admin.user_id).first_name == "Test"

    # While the full administrator sees the limited one whole, and may change them
    shown = json_of(get_user_via_api(client, admin, limited.user_id))
    assert shown["companies"] == [{"cvr": parent.cvr, "access": "limited", "accounts": ["A1"]}]
    assert shown["within_your_scope"] is True


def test_a_colleague_within_a_limited_administrators_scope_is_theirs_to_change(client, people: People):
    org = people.organisation()
    parent = org.companies[0]
    limited = people.member(org, functions=[Function.USERS, Function.CODES], companies={parent.cvr: ["A1"]})
    mine = created_user(client, limited, colleague(org))

    response = patch_user(client, limited, mine["user_id"], {"last_name": "Hansen"})

    assert response.status_code == 200, response.body
    assert json_of(response)["last_name"] == "Hansen"


@pytest.mark.parametrize("user_id", ["nobody", "usr-0000000000", "x" * 300, "a%20b", "..%2F..%2Fetc"])
def test_an_unknown_user_is_404(client, people: People, user_id):
    admin = people.member(people.organisation())
    for response in (
        get_user_via_api(client, admin, user_id),
        patch_user(client, admin, user_id, {"first_name": "X"}),
        delete_user(client, admin, user_id),
        resend(client, admin, user_id),
    ):
        assert_problem(response, 404, "not-found")


def test_a_user_of_another_organisation_or_staff_answers_404_everywhere(client, people: People):
    org, other = people.organisation(), people.organisation()
    admin, stranger = people.member(org), people.member(other)
    invited_stranger = created_user(client, stranger, colleague(other))
    staff = people.staff()
    before = outbox_count()

    for user_id in (stranger.user_id, invited_stranger["user_id"], staff.user_id):
        for response in (
            get_user_via_api(client, admin, user_id),
            patch_user(client, admin, user_id, {"first_name": "X"}),
            delete_user(client, admin, user_id),
            resend(client, admin, user_id),
        ):
            assert_problem(response, 404, "not-found")
    assert get_user(stranger.user_id) is not None
    assert outbox_count() == before


# Changing


def test_a_change_touches_only_what_is_given_and_is_audited_field_by_field(client, people: People, cognito):
    # Given an active colleague with a login
    org = people.organisation()
    parent, child = org.companies
    admin = people.member(org)
    mate = people.member(org, functions=[Function.CODES], companies={parent.cvr: ["A1"]})

    # When the administrator changes their mobile, functions and scope
    response = patch_user(
        client,
        admin,
        mate.user_id,
        {
            "mobile": "+45 99 88 77 66",
            "functions": ["history", "codes"],
            "companies": [{"cvr": child.cvr, "access": "full"}],
        },
    )

    # Then the record has the new values and the rest as before
    assert response.status_code == 200, response.body
    body = json_of(response)
    assert (body["first_name"], body["mobile"], body["functions"]) == (
        "Test",
        "+4599887766",
        ["codes", "history"],
    )
    assert body["companies"] == [{"cvr": child.cvr, "access": "full", "accounts": []}]
    assert body["updated_at"] is not None
    # And Cognito has the new mobile, where an SMS second factor goes
    attributes = {a["Name"]: a["Value"] for a in login_of(cognito, people, mate.user_id)["UserAttributes"]}
    assert attributes["phone_number"] == "+4599887766"
    # And the trail holds each change, from and to
    [entry] = trail(org.org_id)
    assert entry.action == "user.updated"
    assert entry.details["changes"] == {
        "mobile": {"from": "+4512345678", "to": "+4599887766"},
        "functions": {"from": ["codes"], "to": ["codes", "history"]},
        "companies": {
            "from": [{"cvr": parent.cvr, "access": "limited", "accounts": ["A1"]}],
            "to": [{"cvr": child.cvr, "access": "full", "accounts": []}],
        },
    }
    # And the changed user signs in again (a token from before a change of functions or scope, or from its own
    # second, is refused: tests/integration/access/test_sessions.py) and has the new scope at once
    after_the_last_change_of(mate.user_id)
    token = sign_in(cognito, people.pool.client_id, mate.user_id, PASSWORD, mate.totp_secret)
    me = json_of(client.http.get("/v1/me", headers={"authorization": f"Bearer {token}"}))
    assert [c["cvr"] for c in me["companies"]] == [child.cvr]


def test_a_change_that_changes_nothing_writes_nothing(client, people: People):
    org = people.organisation()
    admin = people.member(org)
    mate = created_user(client, admin, colleague(org))
    before = list(trail(org.org_id))

    response = patch_user(client, admin, mate["user_id"], {"first_name": "Bo", "functions": ["codes"]})

    assert response.status_code == 200, response.body
    assert len(trail(org.org_id)) == len(before)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"email": "nope"}, "email"),
        ({"mobile": "+4512"}, "mobile"),
        ({"functions": []}, "functions"),
        ({"companies": []}, "companies"),
        ({"status": "invited"}, "status"),
        ({"status": "gone"}, "status"),
        ({"user_id": "other"}, "user_id"),
    ],
)
def test_a_bad_change_is_a_400_naming_the_field(client, people: People, body, field):
    org = people.organisation()
    admin = people.member(org)
    mate = created_user(client, admin, colleague(org))

    problem = assert_problem(patch_user(client, admin, mate["user_id"], body), 400, "invalid-input")
    assert field in [e["field"] for e in problem["errors"]]


def test_a_change_cannot_grant_beyond_the_callers_own_access(client, people: People):
    org = people.organisation()
    parent, child = org.companies
    limited = people.member(org, functions=[Function.USERS, Function.CODES], companies={parent.cvr: ["A1"]})
    mine = created_user(client, limited, colleague(org))

    assert_problem(patch_user(client, limited, mine["user_id"], {"functions": ["history"]}), 403, "forbidden")
    outside = {"companies": [{"cvr": child.cvr, "access": "full"}]}
    assert_problem(patch_user(client, limited, mine["user_id"], outside), 404, "not-found")
    assert record(mine["user_id"]).functions == ["codes"]


def test_disabling_ends_the_users_sessions_and_enabling_lets_them_in_again(client, people: People, cognito):
    # Given an active colleague, signed in
    org = people.organisation()
    admin = people.member(org)
    mate = people.member(org, functions=[Function.CODES])
    assert client.http.get("/v1/me", headers=mate.auth).status_code == 200

    # When the administrator disables them
    response = patch_user(client, admin, mate.user_id, {"status": "disabled"})

    # Then the record and the login are disabled, and the token they hold is refused at once
    assert response.status_code == 200, response.body
    assert json_of(response)["status"] == "disabled"
    assert login_of(cognito, people, mate.user_id)["Enabled"] is False
    assert_problem(client.http.get("/v1/me", headers=mate.auth), 401, "unauthenticated")
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        sign_in(cognito, people.pool.client_id, mate.user_id, PASSWORD, mate.totp_secret)
    assert trail(org.org_id)[0].action == "user.disabled"

    # When they are enabled again
    response = patch_user(client, admin, mate.user_id, {"status": "active"})

    # Then they can sign in and reach the service again, from the second after the change
    assert response.status_code == 200, response.body
    assert login_of(cognito, people, mate.user_id)["Enabled"] is True
    after_the_last_change_of(mate.user_id)
    token = sign_in(cognito, people.pool.client_id, mate.user_id, PASSWORD, mate.totp_secret)
    assert client.http.get("/v1/me", headers={"authorization": f"Bearer {token}"}).status_code == 200
    assert trail(org.org_id)[0].action == "user.enabled"


def test_an_invited_user_has_no_login_to_disable(client, people: People):
    org = people.organisation()
    admin = people.member(org)
    invited = created_user(client, admin, colleague(org))

    for status in ("disabled", "active"):
        assert_problem(patch_user(client, admin, invited["user_id"], {"status": status}), 409, "conflict")
    assert record(invited["user_id"]).status == "invited"


def test_when_cognito_cannot_be_told_the_disabling_stands_and_repeating_finishes_it(
    client, people: People, container: Container, cognito
):
    # Given a colleague, and a user pool that cannot be reached
    org = people.organisation()
    admin = people.member(org)
    mate = people.member(org, functions=[Function.CODES])
    use_container(Container(settings=container.settings, logins=UnavailableLogins()))

    # When the administrator disables them
    response = patch_user(client, admin, mate.user_id, {"status": "disabled"})

    # Then the answer says the change is saved but unfinished, and the person is already locked out
    body = assert_problem(response, 503, "upstream-unavailable")
    assert "saved" in body["detail"]
    assert record(mate.user_id).status == "disabled"
    assert_problem(client.http.get("/v1/me", headers=mate.auth), 401, "unauthenticated")

    # When the pool is back and the same change is sent again
    use_container(container)
    response = patch_user(client, admin, mate.user_id, {"status": "disabled"})

    # Then Cognito is told too
    assert response.status_code == 200, response.body
    assert login_of(cognito, people, mate.user_id)["Enabled"] is False


# Deleting


def test_deleting_removes_the_record_and_the_login(client, people: People, cognito):
    org = people.organisation()
    admin = people.member(org)
    mate = people.member(org, functions=[Function.CODES])

    response = delete_user(client, admin, mate.user_id)

    assert response.status_code == 204, response.body
    assert get_user(mate.user_id) is None
    assert login_of(cognito, people, mate.user_id) is None
    assert_problem(client.http.get("/v1/me", headers=mate.auth), 401, "unauthenticated")
    assert_problem(get_user_via_api(client, admin, mate.user_id), 404, "not-found")
    [entry] = trail(org.org_id)
    assert (entry.action, entry.targets, entry.details["name"]) == (
        "user.deleted",
        {"user_id": mate.user_id},
        "Test Person",
    )


def test_deleting_an_invited_user_withdraws_the_invitation(client, people: People):
    org = people.organisation()
    admin = people.member(org)
    invited = created_user(client, admin, colleague(org))
    token = token_of(invited["user_id"])

    assert delete_user(client, admin, invited["user_id"]).status_code == 204

    assert_problem(accept(client, token), 410, "invitation-revoked")
    assert UserModel.count() == 1


def test_a_login_cognito_would_not_delete_is_left_unable_to_reach_anything(
    client, people: People, container: Container
):
    org = people.organisation()
    admin = people.member(org)
    mate = people.member(org, functions=[Function.CODES])
    use_container(Container(settings=container.settings, logins=UnavailableLogins()))

    response = delete_user(client, admin, mate.user_id)

    assert response.status_code == 204, response.body
    assert get_user(mate.user_id) is None
    assert_problem(client.http.get("/v1/me", headers=mate.auth), 401, "unauthenticated")


# Administrators are told


def test_administrators_are_mailed_when_someone_gains_or_loses_the_users_function(client, people: People):
    # Given an organisation with two administrators and a colleague with only `codes`
    org = people.organisation()
    first, second = people.member(org), people.member(org)
    mate = people.member(org, functions=[Function.CODES])
    admins = {record(p.user_id).email for p in (first, second)}
    mate_email = record(mate.user_id).email

    # When the colleague is given the `users` function
    assert patch_user(client, first, mate.user_id, {"functions": ["codes", "users"]}).status_code == 200

    # Then the administrators, and the new one, are told
    granted = mail(MailKind.ADMINISTRATORS_CHANGED)
    assert sorted(m.to_address for m in granted) == sorted(admins | {mate_email})
    assert {m.context["change"] for m in granted} == {"granted"}
    assert "Test Person" in rendered(granted[0]).text

    # When another change leaves the `users` function alone, nobody is mailed
    assert patch_user(client, first, mate.user_id, {"first_name": "Mads"}).status_code == 200
    assert len(mail(MailKind.ADMINISTRATORS_CHANGED)) == 3

    # When the function is taken away again
    assert patch_user(client, first, mate.user_id, {"functions": ["codes"]}).status_code == 200

    # Then all three are told it was revoked
    revoked = [m for m in mail(MailKind.ADMINISTRATORS_CHANGED) if m.context["change"] == "revoked"]
    assert sorted(m.to_address for m in revoked) == sorted(admins | {mate_email})

    # When an administrator is deleted, the remaining ones are told
    assert delete_user(client, first, second.user_id).status_code == 204
    deleted = [m for m in mail(MailKind.ADMINISTRATORS_CHANGED) if m.context["change"] == "deleted"]
    assert [m.to_address for m in deleted] == [record(first.user_id).email]


def test_creating_a_colleague_with_the_users_function_tells_the_administrators(client, people: People):
    org = people.organisation()
    admin = people.member(org)

    created_user(client, admin, colleague(org, functions=["users", "codes"]))

    [told] = mail(MailKind.ADMINISTRATORS_CHANGED)
    assert (told.to_address, told.context["change"], told.context["subject_name"]) == (
        record(admin.user_id).email,
        "granted",
        "Bo Frivillig",
    )


def test_a_colleague_without_the_users_function_tells_nobody(client, people: People):
    org = people.organisation()
    admin = people.member(org)
    mate = created_user(client, admin, colleague(org))

    delete_user(client, admin, mate["user_id"])

    assert mail(MailKind.ADMINISTRATORS_CHANGED) == []
