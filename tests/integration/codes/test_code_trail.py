"""Codes in the organisation's Log: creating, renewing and revoking a code each leave an entry that names who
did it and for whom, as they were named then, so the Log reads without a look-up per entry."""

from __future__ import annotations

from typing import Any

from bench.roundtrips import DynamoDBCalls
from chalicelib.container import Container, use_container
from chalicelib.models.audit import Actor, ActorKind, AuditAction, AuditEvent, Origin, record_event
from chalicelib.models.user import UserModel
from tests.integration.codes.test_codes import created, renew, representative, revoke
from tests.people import People, Person, json_of


def named(person: Person, first_name: str, last_name: str) -> None:
    UserModel.get(person.user_id, consistent_read=True).update(
        actions=[UserModel.first_name.set(first_name), UserModel.last_name.set(last_name)]
    )


def log(client: Any, admin: Person) -> list[dict[str, Any]]:
    response = client.http.get("/v1/organisation/audit", headers=admin.auth)
    assert response.status_code == 200, response.body
    return list(json_of(response)["items"])


def test_creating_renewing_and_revoking_a_code_are_in_the_log_with_who_did_it_and_for_whom(
    client, people: People
):
    # Given a colleague called Mette Søndergård with the codes function
    org = people.organisation()
    mette = people.member(org)
    named(mette, "Mette", "Søndergård")
    admin = people.member(org)

    # When she creates a code for Karen Blixen, renews it and revokes it
    code = created(client, mette, representative(org, first_name="Karen", last_name="Blixen"))
    assert renew(client, mette, code["code_id"]).status_code == 200
    assert revoke(client, mette, code["code_id"]).status_code == 200

    # Then the Log says so, newest first, each naming her and Karen Blixen, with the code it is about
    entries = [e for e in log(client, admin) if e["action"].startswith("code.")]
    assert [e["action"] for e in entries] == ["code.revoked", "code.renewed", "code.created"]
    for entry in entries:
        assert entry["actor"] == {"kind": "user", "id": mette.user_id, "name": "Mette Søndergård"}
        assert entry["names"] == {"representative": "Karen Blixen"}
        assert entry["targets"]["code_id"] == code["code_id"]
        assert "names" not in entry["details"]


def test_a_renamed_colleague_stays_named_as_they_were_when_they_acted(client, people: People):
    # Given a code created by a colleague who has since changed name
    org = people.organisation()
    member = people.member(org)
    named(member, "Mette", "Søndergård")
    created(client, member, representative(org, first_name="Karen", last_name="Blixen"))
    named(member, "Mette", "Holm")

    # When the Log is read
    entry = next(e for e in log(client, people.member(org)) if e["action"] == "code.created")

    # Then it names her as she was named when she acted
    assert entry["actor"]["name"] == "Mette Søndergård"


def test_the_log_reads_in_one_query_however_many_people_it_names(
    client, people: People, container: Container
):
    # Given several codes, by two colleagues, for several representatives
    org = people.organisation()
    admin, other = people.member(org), people.member(org)
    for n in range(4):
        body = representative(org, first_name="Karen" + "abcd"[n], last_name="Hansen")
        created(client, admin if n % 2 else other, body)
    fresh = Container(settings=container.settings)
    use_container(fresh)

    # When the Log is read, every client counting its calls
    with DynamoDBCalls(fresh, table_prefix="godkend-test-") as counted:
        entries = log(client, admin)

    # Then one query of the trail answered it, names included: no login is looked up for them (the
    # caller's own is read to sign in)
    assert len([e for e in entries if e["names"].get("representative")]) == 4
    assert [call for call in counted.calls if call[1] == "audit"] == [("Query", "audit")]
    assert {table for _, table in counted.calls} <= {"audit", "users"}
    assert ("BatchGetItem", "users") not in counted.calls


def test_an_entry_written_before_names_were_kept_reads_without_them(client, people: People):
    # Given an entry as the trail wrote it before it kept names
    org = people.organisation()
    admin = people.member(org)
    record_event(
        AuditEvent(org.org_id, AuditAction.USER_DISABLED, Actor(ActorKind.USER, "adm-old"), Origin()),
        now=people.now,
    )

    # When the Log is read
    entry = next(e for e in log(client, admin) if e["action"] == "user.disabled")

    # Then it has no names (that login is gone), for the console to say "a former user", not an id
    assert entry["actor"] == {"kind": "user", "id": "adm-old", "name": None}
    assert entry["names"] == {}


def test_an_entry_written_without_names_names_the_people_whose_logins_remain(client, people: People):
    # Given an entry written without names, by a colleague about another, both with logins
    org = people.organisation()
    admin, mate = people.member(org), people.member(org)
    named(admin, "Mette", "Søndergård")
    named(mate, "Niels", "Holm")
    record_event(
        AuditEvent(
            org.org_id,
            AuditAction.USER_DISABLED,
            Actor(ActorKind.USER, admin.user_id),
            Origin(),
            targets={"user_id": mate.user_id},
        ),
        now=people.now,
    )

    # When the Log is read
    entry = next(e for e in log(client, admin) if e["action"] == "user.disabled")

    # Then it names both by their logins' names now
    assert entry["actor"]["name"] == "Mette Søndergård"
    assert entry["names"] == {"user": "Niels Holm"}
