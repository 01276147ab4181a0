"""The organisation's master data and its audit trail, each cut to the caller's scope."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.models.audit import AuditModel
from chalicelib.models.code import CodeValueModel
from chalicelib.models.organisation import AccountModel, CompanyModel, OrganisationModel, OrganisationStatus
from chalicelib.services.access.authz import Function
from tests.colleagues import colleague, created_user, patch_user, send
from tests.integration.access.test_authentication import assert_problem
from tests.onboarding import trail
from tests.people import Org, People, Person, json_of

ADDRESS = {"street": "Vestergade 12", "postcode": "8000", "city": "Aarhus C"}


def change(client: Any, person: Person, body: Any) -> Any:
    return send(client, "PATCH", "/v1/organisation", person, body)


def changed(client: Any, person: Person, body: Any) -> dict[str, Any]:
    response = change(client, person, body)
    assert response.status_code == 200, response.body
    answer: dict[str, Any] = json_of(response)
    return answer


def accounts(org: Org, company: int = 0) -> dict[str, tuple[str, str]]:
    return {a.number: (a.name, a.status) for a in AccountModel.query(org.companies[company].cvr)}


def code_under(client: Any, person: Person, org: Org, account: str = "A1") -> Any:
    return send(
        client,
        "POST",
        "/v1/codes",
        person,
        {
            "first_name": "Mette",
            "last_name": "Hansen",
            "email": "mette@example.org",
            "company": org.companies[0].cvr,
            "account": account,
        },
    )


# Reading


def test_every_user_reads_the_organisation_cut_to_their_scope(client, people: People):
    # Given an administrator and a colleague limited to account A2 with no functions at all beyond codes
    org = people.organisation()
    parent, child = org.companies
    admin = people.member(org)
    limited = people.member(org, functions=[Function.CODES], companies={parent.cvr: ["A2"]})

    # When each reads the organisation
    full = json_of(client.http.get("/v1/organisation", headers=admin.auth))
    cut = json_of(client.http.get("/v1/organisation", headers=limited.auth))

    # Then both see its master data in the documented shape
    organisation = OrganisationModel.get(org.org_id)
    for seen in (full, cut):
        assert {k: seen[k] for k in ("org_id", "name", "handle", "status")} == {
            "org_id": org.org_id,
            "name": organisation.name,
            "handle": organisation.handle,
            "status": "approved",
        }
        assert (seen["address"], seen["contact_email"]) == (None, None)
    # And each sees only the companies and accounts in their scope
    assert full["companies"] == [
        {
            "cvr": parent.cvr,
            "name": parent.name,
            "access": "full",
            "accounts": [
                {"number": "A1", "name": "Account one", "status": "open"},
                {"number": "A2", "name": "Account two", "status": "open"},
            ],
        },
        {
            "cvr": child.cvr,
            "name": child.name,
            "access": "full",
            "accounts": [{"number": "B1", "name": "Account three", "status": "open"}],
        },
    ]
    assert cut["companies"] == [
        {
            "cvr": parent.cvr,
            "name": parent.name,
            "access": "limited",
            "accounts": [{"number": "A2", "name": "Account two", "status": "open"}],
        }
    ]


def test_staff_have_no_organisation_to_read(client, people: People):
    assert_problem(client.http.get("/v1/organisation", headers=people.staff().auth), 403, "forbidden")


# Changing master data


def test_before_approval_name_address_and_contact_change_and_the_handle_stays(client, people: People):
    # Given an organisation waiting for staff's review (whose review then sees the new name)
    org = people.organisation(OrganisationStatus.PENDING_REVIEW)
    admin = people.member(org)
    handle = OrganisationModel.get(org.org_id).handle

    # When its name, address and contact e-mail are changed
    body = changed(
        client,
        admin,
        {"name": "Røde Kors Aarhus Nord", "address": ADDRESS, "contact_email": "info@rk.example"},
    )

    # Then they are changed, and the handle codes carry is not
    assert (body["name"], body["address"], body["contact_email"]) == (
        "Røde Kors Aarhus Nord",
        ADDRESS,
        "info@rk.example",
    )
    assert body["handle"] == handle
    assert OrganisationModel.get(org.org_id).handle == handle
    # And the trail holds the change
    [entry] = trail(org.org_id)
    assert (entry.action, entry.actor_id) == ("organisation.updated", admin.user_id)
    assert entry.details["changes"]["name"] == {
        "from": f"Forening {org.org_id[4:]}",
        "to": "Røde Kors Aarhus Nord",
    }

    # When the address and contact are cleared with null
    body = changed(client, admin, {"address": None, "contact_email": None})

    # Then they are gone, and the name stays
    assert (body["name"], body["address"], body["contact_email"]) == ("Røde Kors Aarhus Nord", None, None)


def test_nothing_to_change_writes_nothing(client, people: People):
    org = people.organisation()
    admin = people.member(org)
    name = OrganisationModel.get(org.org_id).name

    changed(client, admin, {})
    changed(client, admin, {"name": name, "companies": [{"cvr": org.companies[0].cvr, "accounts": []}]})

    assert trail(org.org_id) == []


def test_accounts_are_added_renamed_closed_and_reopened_and_companies_renamed(client, people: People):
    org = people.organisation()
    parent = org.companies[0]
    admin = people.member(org)

    changed(
        client,
        admin,
        {
            "companies": [
                {
                    "cvr": parent.cvr,
                    "name": "Moderselskabet",
                    "accounts": [
                        {"number": "A3", "name": "Ny konto"},
                        {"number": "A1", "name": "Hovedkonto"},
                        {"number": "A2", "status": "closed"},
                    ],
                }
            ]
        },
    )

    assert CompanyModel.get(parent.cvr).name == "Moderselskabet"
    assert accounts(org) == {
        "A1": ("Hovedkonto", "open"),
        "A2": ("Account two", "closed"),
        "A3": ("Ny konto", "open"),
    }
    details = trail(org.org_id)[0].details["changes"]["companies"]
    assert details == [
        {
            "cvr": parent.cvr,
            "name": {"from": parent.name, "to": "Moderselskabet"},
            "accounts": [
                {"number": "A3", "added": {"name": "Ny konto", "status": "open"}},
                {"number": "A1", "name": {"from": "Account one", "to": "Hovedkonto"}},
                {"number": "A2", "status": {"from": "open", "to": "closed"}},
            ],
        }
    ]

    changed(
        client, admin, {"companies": [{"cvr": parent.cvr, "accounts": [{"number": "A2", "status": "open"}]}]}
    )
    assert accounts(org)["A2"] == ("Account two", "open")


def test_a_closed_account_gets_no_new_codes_while_its_codes_keep_working(client, people: People):
    # Given a code under account A1
    org = people.organisation()
    admin = people.member(org)
    code = json_of(code_under(client, admin, org))

    # When A1 is closed
    changed(
        client,
        admin,
        {"companies": [{"cvr": org.companies[0].cvr, "accounts": [{"number": "A1", "status": "closed"}]}]},
    )

    # Then no new code can be made under it, nor the old one renewed
    assert_problem(code_under(client, admin, org), 404, "not-found")
    assert_problem(
        client.http.post(f"/v1/codes/{code['code_id']}/renew", headers=admin.auth), 404, "not-found"
    )
    # And the code already issued is still active where validation reads it
    shown = json_of(client.http.get(f"/v1/codes/{code['code_id']}", headers=admin.auth))
    assert shown["status"] == "active"
    assert CodeValueModel.get(code["code"].split("@")[0]).status == "active"


def test_an_account_is_removed_only_when_closed_and_without_codes(client, people: People):
    org = people.organisation()
    cvr = org.companies[0].cvr
    admin = people.member(org)
    json_of(code_under(client, admin, org, "A1"))

    def remove(number: str) -> Any:
        return change(
            client, admin, {"companies": [{"cvr": cvr, "accounts": [{"number": number, "remove": True}]}]}
        )

    # An open account is not removed
    body = assert_problem(remove("A2"), 409, "conflict")
    assert body["errors"][0]["field"] == "companies.0.accounts.0.remove"
    # A closed account with codes is not removed either: it stays closed, its codes working
    changed(client, admin, {"companies": [{"cvr": cvr, "accounts": [{"number": "A1", "status": "closed"}]}]})
    assert_problem(remove("A1"), 409, "account-has-codes")
    assert accounts(org)["A1"] == ("Account one", "closed")
    # A closed account that never had a code is removed
    changed(client, admin, {"companies": [{"cvr": cvr, "accounts": [{"number": "A2", "status": "closed"}]}]})
    assert remove("A2").status_code == 200
    assert set(accounts(org)) == {"A1"}
    # And one that does not exist is not found
    assert_problem(remove("ZZ"), 404, "not-found")


def test_without_the_masterdata_function_nothing_changes(client, people: People):
    org = people.organisation()
    colleague_ = people.member(org, functions=[Function.CODES, Function.USERS])
    assert_problem(change(client, colleague_, {"name": "Nyt navn"}), 403, "forbidden")


def test_a_limited_user_changes_only_the_accounts_they_see(client, people: People):
    # Given a master-data user limited to account A1 of the parent company
    org = people.organisation()
    parent, child = org.companies
    limited = people.member(org, functions=[Function.MASTERDATA], companies={parent.cvr: ["A1"]})

    def companies(*entries: dict[str, Any]) -> dict[str, Any]:
        return {"companies": list(entries)}

    # Then the company outside their scope does not exist for them
    body = assert_problem(
        change(client, limited, companies({"cvr": child.cvr, "name": "X"})), 404, "not-found"
    )
    assert body["errors"][0]["field"] == "companies.0.cvr"
    # And renaming the company, or touching or adding an account they do not see, needs full access
    for entry, field in (
        ({"cvr": parent.cvr, "name": "X"}, "companies.0.name"),
        (
            {"cvr": parent.cvr, "accounts": [{"number": "A2", "status": "closed"}]},
            "companies.0.accounts.0.number",
        ),
        ({"cvr": parent.cvr, "accounts": [{"number": "A9", "name": "Ny"}]}, "companies.0.accounts.0.number"),
    ):
        body = assert_problem(change(client, limited, companies(entry)), 403, "forbidden")
        assert [e["field"] for e in body["errors"]] == [field]
    assert accounts(org)["A2"] == ("Account two", "open")

    # While the account they see is theirs to rename
    answer = changed(
        client, limited, companies({"cvr": parent.cvr, "accounts": [{"number": "A1", "name": "Min"}]})
    )
    assert answer["companies"][0]["accounts"] == [{"number": "A1", "name": "Min", "status": "open"}]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"name": "!!!"}, "name"),
        ({"name": "Blå K\u043ers Odense"}, "name"),  # a Cyrillic o: a near-copy of another's name
        ({"name": "Blå Kors\U000e0041"}, "name"),  # a tag character, which shows nothing
        ({"companies": [{"cvr": "10000001", "name": "Gr\u00f8n \u0397j\u00e6lp"}]}, "companies.0.name"),
        ({"handle": "Ny"}, "handle"),
        ({"address": {"street": "Vej 1", "postcode": "80000", "city": "Aarhus"}}, "address.postcode"),
        ({"address": {"street": "Vej 1"}}, "address.postcode"),
        ({"contact_email": "nope"}, "contact_email"),
        ({"companies": [{"cvr": "1"}]}, "companies.0.cvr"),
        ({"companies": [{"cvr": "10000001"}, {"cvr": "10000001"}]}, "companies"),
        ({"companies": [{"cvr": "10000001", "accounts": [{"number": ""}]}]}, "companies.0.accounts.0.number"),
        (
            {"companies": [{"cvr": "10000001", "accounts": [{"number": "A1"}, {"number": "A1"}]}]},
            "companies.0.accounts",
        ),
        (
            {"companies": [{"cvr": "10000001", "accounts": [{"number": "A1", "remove": True, "name": "x"}]}]},
            "companies.0.accounts.0",
        ),
        (
            {"companies": [{"cvr": "10000001", "accounts": [{"number": "A1", "status": "gone"}]}]},
            "companies.0.accounts.0.status",
        ),
    ],
)
def test_a_bad_change_is_a_400_naming_the_field(client, people: People, body, field):
    admin = people.member(people.organisation())
    problem = assert_problem(change(client, admin, body), 400, "invalid-input")
    assert field in [e["field"] for e in problem["errors"]], problem


def test_a_new_account_needs_a_name(client, people: People):
    org = people.organisation()
    admin = people.member(org)
    body = assert_problem(
        change(client, admin, {"companies": [{"cvr": org.companies[0].cvr, "accounts": [{"number": "A9"}]}]}),
        400,
        "invalid-input",
    )
    assert body["errors"][0]["field"] == "companies.0.accounts.0.name"


def test_another_organisations_company_is_not_found(client, people: People):
    org, other = people.organisation(), people.organisation()
    admin = people.member(org)
    body = {"companies": [{"cvr": other.companies[0].cvr, "name": "Mit nu"}]}
    assert_problem(change(client, admin, body), 404, "not-found")
    assert CompanyModel.get(other.companies[0].cvr).name == other.companies[0].name


# The audit trail


def audit_page(client: Any, person: Person, query: str = "") -> Any:
    return client.http.get(f"/v1/organisation/audit{query}", headers=person.auth)


def test_administrators_read_the_trail_newest_first_in_pages(client, people: People):
    # Given an organisation with five audited changes, and another organisation with its own
    org, other = people.organisation(), people.organisation()
    admin = people.member(org)
    people.member(other)
    mate = created_user(client, admin, colleague(org))
    for name in ("A", "B", "C", "D"):
        assert patch_user(client, admin, mate["user_id"], {"first_name": name}).status_code == 200
    changed(client, people.member(other), {"name": "Anden forening"})

    # When the administrator reads the trail two entries at a time
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        response = audit_page(client, admin, f"?limit=2{'&cursor=' + cursor if cursor else ''}")
        assert response.status_code == 200, response.body
        page = json_of(response)
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    # Then they see their organisation's five entries, newest first, and nothing of the other's
    assert [e["action"] for e in seen] == ["user.updated"] * 4 + ["user.invited"]
    assert [e["details"]["changes"]["first_name"]["to"] for e in seen[:4]] == ["D", "C", "B", "A"]
    first = seen[0]
    # named by their logins' names now, since these entries were written without names
    assert first["actor"] == {"kind": "user", "id": admin.user_id, "name": "Test Person"}
    assert first["names"] == {"user": f"D {mate['last_name']}"}
    assert first["targets"] == {"user_id": mate["user_id"]}
    assert first["source_ip"] == "127.0.0.1"
    assert set(first) == {
        "event_id",
        "at",
        "action",
        "actor",
        "targets",
        "details",
        "names",
        "source_ip",
        "user_agent",
    }
    assert len(list(AuditModel.query(org.org_id))) == 5


def test_a_limited_administrator_reads_the_trail_without_what_lies_outside_their_scope(
    client, people: People
):
    # Given a change to a colleague's scope across both companies, made by a full administrator
    org = people.organisation()
    parent, child = org.companies
    admin = people.member(org)
    limited = people.member(org, functions=[Function.USERS, Function.CODES], companies={parent.cvr: ["A1"]})
    mate = created_user(client, admin, colleague(org))
    scope = [
        {"cvr": parent.cvr, "access": "limited", "accounts": ["A1", "A2"]},
        {"cvr": child.cvr, "access": "full"},
    ]
    assert patch_user(client, admin, mate["user_id"], {"companies": scope}).status_code == 200

    # When the limited administrator reads the trail
    [updated, invited] = json_of(audit_page(client, limited))["items"]

    # Then the entries are there, with only their part of each scope
    assert updated["details"]["changes"]["companies"] == {
        "from": [{"cvr": parent.cvr, "access": "limited", "accounts": ["A1"]}],
        "to": [{"cvr": parent.cvr, "access": "limited", "accounts": ["A1"]}],
    }
    assert child.cvr not in str(updated) + str(invited)
    assert "A2" not in str(updated)


def test_the_trail_needs_the_users_function(client, people: People):
    org = people.organisation()
    assert_problem(audit_page(client, people.member(org, functions=[Function.CODES])), 403, "forbidden")


@pytest.mark.parametrize("query", ["?limit=0", "?limit=101", "?cursor=nonsense", "?other=1"])
def test_a_bad_trail_query_is_a_400(client, people: People, query):
    admin = people.member(people.organisation())
    assert_problem(audit_page(client, admin, query), 400, "invalid-input")


def test_a_cursor_from_another_organisations_trail_is_a_400(client, people: People):
    org, other = people.organisation(), people.organisation()
    admin, stranger = people.member(org), people.member(other)
    for name in ("A", "B"):
        changed(client, stranger, {"name": f"Forening {name}"})
    cursor = json_of(audit_page(client, stranger, "?limit=1"))["next_cursor"]
    assert cursor is not None

    assert_problem(audit_page(client, admin, f"?cursor={cursor}"), 400, "invalid-input")
