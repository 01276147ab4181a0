"""Valideringshistorik names what a person knows: the company and the account by their names, beside the
representative the code was made for, read for a whole page at once."""

from __future__ import annotations

from bench.roundtrips import DynamoDBCalls
from chalicelib.container import Container, use_container
from tests.integration.codes.test_codes import created, representative
from tests.integration.vendors.test_validations import history, validate
from tests.people import People


def test_the_history_names_the_company_the_account_and_the_representative(
    client, people: People, container: Container
):
    # Given codes under two accounts of two companies, each checked by a vendor
    org = people.organisation()
    admin = people.member(org)
    vendor = people.vendor()
    first = created(client, admin, representative(org, "A2", first_name="Karen", last_name="Blixen"))
    child = org.companies[1]
    body = {
        **representative(org, first_name="Tove", last_name="Ditlevsen"),
        "company": child.cvr,
        "account": "B1",
    }
    second = created(client, admin, body)
    for code in (first, second):
        assert validate(client, vendor, code["code"])["valid"] is True
    fresh = Container(settings=container.settings)
    use_container(fresh)

    # When the organisation reads its history
    with DynamoDBCalls(fresh, table_prefix="godkend-test-") as counted:
        entries = history(client, admin)

    # Then each check names the company and account by name, and the representative
    shown = {
        (
            e["company_name"],
            e["account_name"],
            e["representative"]["first_name"],
            e["representative"]["last_name"],
        )
        for e in entries
    }
    assert shown == {
        (org.companies[0].name, "Account two", "Karen", "Blixen"),
        (child.name, "Account three", "Tove", "Ditlevsen"),
    }
    # And the names cost one read per table for the page, not one per check
    assert [call for call in counted.calls if call[1] in {"companies", "accounts"}] == [
        ("BatchGetItem", "companies"),
        ("BatchGetItem", "accounts"),
    ]
