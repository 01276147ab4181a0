"""Support finds organisations by the beginning of their name: in any case, without accents, with æ, ø and å
as Danes write them, a page at a time, through the organisations' by-name index (never a Scan), and by the
name the organisation has now."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from bench.roundtrips import DynamoDBCalls
from chalicelib.container import Container, use_container
from chalicelib.models.organisation import OrganisationModel, OrganisationStatus
from chalicelib.values.search_names import name_key
from infra.local.demo import CompanySpec, add_organisation
from tests.integration.access.test_authentication import assert_problem
from tests.onboarding import staff_decide
from tests.people import People, json_of, valid_cvr


def search(client: Any, staff: Any, q: str, **more: Any) -> Any:
    extra = "".join(f"&{k}={quote(str(v))}" for k, v in more.items())
    return client.http.get(f"/v1/staff/search/organisations?q={quote(q)}{extra}", headers=staff.auth)


def named(people: People, name: str, status: OrganisationStatus = OrganisationStatus.APPROVED) -> str:
    org = people.organisation(status)
    OrganisationModel.get(org.org_id).update(
        actions=[
            OrganisationModel.name.set(name),
            OrganisationModel.name_key.set(name_key(name)),
            OrganisationModel.name_initial.set(name_key(name)[:1]),
        ]
    )
    return org.org_id


@pytest.mark.parametrize(
    ("name", "typed"),
    [
        ("Kirkens Natcafé Vejle", "kirkens natcafe"),
        ("Kirkens Natcafé Vejle", "KIRKENS  NATCAFÉ"),
        ("Blå Kors Odense", "blå k"),
        ("Ærø Besøgsvenner", "ærø"),
        ("Røde Kors, Aarhus", "røde kors aarhus"),
    ],
)
def test_support_finds_an_organisation_by_the_beginning_of_its_name(client, people: People, name, typed):
    # Given an organisation of that name among others
    org_id = named(people, name)
    named(people, "Anden Forening")
    staff = people.staff()

    # When support search for what they remember of its name
    body = json_of(search(client, staff, typed))

    # Then it is found, by name
    assert org_id in [o["org_id"] for o in body["items"]]
    assert body["matched"] == "name"
    assert {o["name"] for o in body["items"]} <= {name}


def test_aa_ae_and_oe_are_letters_of_their_own_not_accented_ones(client, people: People):
    # Given "Blå Kors" and "Bla Kors" (the Danish å is a letter, not an a with a ring)
    blaa = named(people, "Blå Kors Næstved")
    bla = named(people, "Bla Kors Næstved")
    staff = people.staff()
    # Then each is found by its own spelling only
    assert [o["org_id"] for o in json_of(search(client, staff, "blå kors n"))["items"]] == [blaa]
    assert [o["org_id"] for o in json_of(search(client, staff, "bla kors n"))["items"]] == [bla]


def test_a_name_search_pages_by_name_through_the_index_without_a_scan(
    client, people: People, container: Container
):
    # Given five organisations whose names begin alike
    ids = {named(people, f"Søndervang Hjælp {n}") for n in range(5)}
    staff = people.staff()
    fresh = Container(settings=container.settings)
    use_container(fresh)

    # When support page through them two at a time
    seen: list[str] = []
    cursor = None
    with DynamoDBCalls(fresh, table_prefix="godkend-test-") as counted:
        while True:
            more = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            body = json_of(search(client, staff, "søndervang", **more))
            seen += [o["name"] for o in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break

    # Then every one is found once, in the order of their names, by queries of the index only
    assert seen == [f"Søndervang Hjælp {n}" for n in range(5)]
    assert len(ids) == 5
    operations = {operation for operation, table in counted.calls if table == "organisations"}
    assert "Scan" not in {operation for operation, _ in counted.calls}
    assert operations == {"Query"}


def test_a_cursor_from_another_search_is_a_clear_400(client, people: People):
    for n in range(3):
        named(people, f"Tårnby Hjælp {n}")
    staff = people.staff()
    cursor = json_of(search(client, staff, "tårnby", limit=1))["next_cursor"]
    assert cursor
    assert_problem(search(client, staff, "tårnby hjælp 2", cursor=cursor), 400, "invalid-input")
    assert_problem(search(client, staff, "anden", cursor=cursor), 400, "invalid-input")


def test_a_new_organisation_and_a_renamed_one_are_found_by_the_name_they_have_now(client, people: People):
    # Given an organisation written as the service writes a new one (its constructor), then renamed by staff
    added = add_organisation(
        org_id="org-nyt-navn",
        name="Gammelby Frivillige",
        handle="GammelbyFrivillige",
        companies=(CompanySpec(valid_cvr(7, 90001), "Gammelby Frivillige", (("1", "Hovedkonto"),)),),
        now=people.now,
        status=OrganisationStatus.APPROVED,
    )
    staff = people.staff()
    assert [o["org_id"] for o in json_of(search(client, staff, "gammelby"))["items"]] == [added.org_id]
    OrganisationModel.get(added.org_id).update(
        actions=[OrganisationModel.requested_name.set("Nyby Frivillige")]
    )
    answer = staff_decide(client, staff, added.org_id, "name/approve")
    assert answer.status_code == 200, answer.body

    # Then the new name finds it, and the old one no longer does
    assert [o["org_id"] for o in json_of(search(client, staff, "nyby"))["items"]] == [added.org_id]
    assert json_of(search(client, staff, "gammelby"))["items"] == []
