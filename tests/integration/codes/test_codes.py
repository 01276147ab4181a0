"""Validation codes through the API on the emulator: create, list, show, renew, revoke."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.clock import FixedClock, isoformat
from chalicelib.container import Container, use_container
from chalicelib.mail.render import render
from chalicelib.models.code import CodeModel, CodeStatus, CodeValueModel, EntryChanged, codes_expiring_on
from chalicelib.models.code import revoke as store_revoke
from chalicelib.models.organisation import AccountModel, AccountStatus, OrganisationModel, OrganisationStatus
from chalicelib.models.outbox import OutboxModel, get_message
from chalicelib.services.access.authz import Access, CompanyScope, Function, Principal
from chalicelib.services.codes.codes import CodeService, CodeView, draw_random_part
from tests.integration.access.test_authentication import assert_problem
from tests.logs import CloudWatchLogs
from tests.people import Org, People, Person, json_of

VALUE = re.compile(r"^[0-9a-z]{8}@[A-Za-z0-9]+$")
# A code lives exactly 60 days from its creation or renewal: the product's promise, not the constant.
SIXTY_DAYS = timedelta(days=60)
JSON = {"content-type": "application/json"}


class Draws:
    """A predictable random source: the given values in turn, then random ones."""

    def __init__(self, *values: str) -> None:
        self._values = list(values)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return self._values.pop(0) if self._values else draw_random_part()


@pytest.fixture
def clock(container: Container) -> FixedClock:
    # Far enough back that 60 days and more later is still before the test's access tokens expire: the
    # token check compares only the expiry with the clock.
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=100))
    use_container(Container(settings=container.settings, clock=clock))
    return clock


def use_draws(container: Container, clock: FixedClock, draws: Any) -> None:
    use_container(Container(settings=container.settings, clock=clock, code_random=draws))


def representative(org: Org, account: str = "A1", **changes: Any) -> dict[str, Any]:
    company = org.companies[1].cvr if account == "B1" else org.companies[0].cvr
    body = {
        "first_name": "Mette",
        "last_name": "Hansen",
        "email": "mette@example.org",
        "company": company,
        "account": account,
    }
    body.update(changes)
    return body


def create(client: Any, person: Person, body: Any) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.http.post("/v1/codes", headers={**person.auth, **JSON}, body=raw)


def created(client: Any, person: Person, body: dict[str, Any]) -> dict[str, Any]:
    response = create(client, person, body)
    assert response.status_code == 201, response.body
    answer: dict[str, Any] = json_of(response)
    return answer


def get_code(client: Any, person: Person, code_id: str) -> Any:
    return client.http.get(f"/v1/codes/{code_id}", headers=person.auth)


def renew(client: Any, person: Person, code_id: str) -> Any:
    return client.http.post(f"/v1/codes/{code_id}/renew", headers=person.auth)


def revoke(client: Any, person: Person, code_id: str) -> Any:
    return client.http.delete(f"/v1/codes/{code_id}", headers=person.auth)


def listed(client: Any, person: Person, query: str = "") -> list[dict[str, Any]]:
    """Every code the list shows, following the cursor to the end."""
    return [item for page in pages(client, person, query) for item in page]


def pages(client: Any, person: Person, query: str = "") -> Iterator[list[dict[str, Any]]]:
    cursor = None
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        response = client.http.get(f"/v1/codes?{query}{suffix}", headers=person.auth)
        assert response.status_code == 200, response.body
        page = json_of(response)
        yield page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return


def random_part(code: dict[str, Any]) -> str:
    return str(code["code"].split("@")[0])


def stored() -> dict[str, int]:
    return {
        "codes": len(list(CodeModel.scan())),
        "values": len(list(CodeValueModel.scan())),
        "mail": len(list(OutboxModel.scan())),
    }


def principal_of(person: Person, org: Org) -> Principal:
    """The same person as the service sees them after authentication: every function, full scope."""
    return Principal(
        user_id=person.user_id,
        org_id=org.org_id,
        functions=frozenset(Function),
        companies={c.cvr: CompanyScope(c.cvr, Access.FULL) for c in org.companies},
    )


# Creating


def test_a_new_code_is_8_random_characters_at_the_handle_for_exactly_60_days(client, people: People, clock):
    # Given an approved organisation's administrator
    org = people.organisation()
    admin = people.member(org)

    # When they create a code for a representative (whitespace around a value is refused, as the document
    # says: the console trims what was typed)
    padded = create(client, admin, representative(org, first_name="  Mette ", email=" mette@example.org "))
    assert padded.status_code == 400
    response = create(client, admin, representative(org, first_name="Mette", email="mette@example.org"))

    # Then the code is active, 8 random characters @ the organisation's handle, for exactly 60 days
    assert response.status_code == 201, response.body
    assert response.headers["Content-Type"] == "application/json"
    code = json_of(response)
    handle = OrganisationModel.get(org.org_id).handle
    assert VALUE.match(code["code"])
    assert code["code"].endswith("@" + handle)
    assert code["status"] == "active"
    assert code["created_at"] == isoformat(clock.now())
    created_at = datetime.fromisoformat(code["created_at"])
    assert datetime.fromisoformat(code["expires_at"]) - created_at == timedelta(days=60)
    assert {k: code[k] for k in ("first_name", "last_name", "email", "company", "account")} == {
        "first_name": "Mette",
        "last_name": "Hansen",
        "email": "mette@example.org",
        "company": org.companies[0].cvr,
        "account": "A1",
    }
    assert (code["renewed_at"], code["revoked_at"], code["language"], code["notify"]) == (
        None,
        None,
        "da",
        True,
    )

    # And the value item that validation will read holds the code, its organisation, name and expiry
    value = CodeValueModel.get(random_part(code), consistent_read=True)
    assert (value.code_id, value.org_id, value.handle) == (code["code_id"], org.org_id, handle)
    assert (value.first_name, value.last_name) == ("Mette", "Hansen")
    assert value.expires_at == created_at + SIXTY_DAYS
    assert value.status_at(clock.now()) is CodeStatus.ACTIVE

    # And the same answer comes back from GET
    assert json_of(get_code(client, admin, code["code_id"])) == code


def test_a_new_code_is_mailed_through_the_outbox_with_the_value_only_among_the_secrets(
    client, people: People, clock
):
    # Given an administrator creating a code with an English mail
    org = people.organisation()
    admin = people.member(org)

    # When the code is created
    code = created(client, admin, representative(org, language="en"))

    # Then one outbox item was written with it, for the representative, in English
    message = get_message(f"code-issued:{code['code_id']}:0")
    assert message is not None
    assert len(list(OutboxModel.scan())) == 1
    assert (message.kind, message.language, message.status) == ("code_issued", "en", "queued")
    assert (message.to_address, message.to_name) == ("mette@example.org", "Mette Hansen")

    # And the value (and the "ask for a new code" link) is among the secrets only, never in the context the
    # mail keeps after sending
    assert message.secrets == {"code": code["code"], "renewal_link": message.secrets["renewal_link"]}
    assert random_part(code) not in json.dumps(message.context)
    assert message.context == {
        "organisation_name": OrganisationModel.get(org.org_id).name,
        # Kept as the API states it, ISO 8601 in UTC; the mail shows it in Danish time
        "expires_at": code["expires_at"],
        "renewed": False,
    }

    # And the item renders with the code's templates
    mail = render(
        message.kind, message.language, {**message.context, **message.secrets, "recipient_name": "M"}
    )
    assert code["code"] in mail.text
    assert code["code"] not in mail.subject
    # And it states the expiry in Danish time, in the mail's language (English here)
    danish = datetime.fromisoformat(code["expires_at"]).astimezone(ZoneInfo("Europe/Copenhagen"))
    assert f"valid until {danish.day} {danish:%B %Y} at {danish:%H:%M} Danish time" in mail.text


def test_notify_false_creates_the_code_without_any_mail(client, people: People, clock):
    org = people.organisation()
    admin = people.member(org)

    code = created(client, admin, representative(org, notify=False))
    renewed = json_of(renew(client, admin, code["code_id"]))

    assert (code["notify"], renewed["notify"]) == (False, False)
    assert list(OutboxModel.scan()) == []


def test_codes_are_unlimited_also_for_the_same_representative(client, people: People, clock):
    org = people.organisation()
    admin = people.member(org)

    codes = [created(client, admin, representative(org)) for _ in range(5)]

    assert len({c["code"] for c in codes}) == 5
    assert len(listed(client, admin)) == 5


def test_a_value_already_taken_is_drawn_again(client, people: People, container: Container, clock):
    # Given a random source that draws the same characters twice in a row
    draws = Draws("aaaaaaaa", "aaaaaaaa", "bbbbbbbb")
    use_draws(container, clock, draws)
    org = people.organisation()
    admin = people.member(org)

    # When two codes are created
    first = created(client, admin, representative(org))
    second = created(client, admin, representative(org))

    # Then the second was drawn again, and the first code still owns its value
    assert random_part(first) == "aaaaaaaa"
    assert random_part(second) == "bbbbbbbb"
    assert draws.calls == 3
    assert CodeValueModel.get("aaaaaaaa").code_id == first["code_id"]
    # And the refused attempt wrote nothing: one entry, one value, one mail per code
    assert stored() == {"codes": 2, "values": 2, "mail": 2}


def test_a_renewal_that_draws_a_taken_value_draws_again(client, people: People, container: Container, clock):
    use_draws(container, clock, Draws("aaaaaaaa", "bbbbbbbb", "aaaaaaaa", "cccccccc"))
    org = people.organisation()
    admin = people.member(org)
    first = created(client, admin, representative(org))
    second = created(client, admin, representative(org))

    renewed = json_of(renew(client, admin, second["code_id"]))

    assert random_part(renewed) == "cccccccc"
    assert CodeValueModel.get("aaaaaaaa").code_id == first["code_id"]


# Expiry


def test_a_code_is_active_until_the_60_day_mark_and_expired_from_that_second(client, people: People, clock):
    # Given a code created now
    org = people.organisation()
    admin = people.member(org)
    code = created(client, admin, representative(org))

    # When the clock reaches one second before the 60-day mark
    clock.advance(SIXTY_DAYS - timedelta(seconds=1))

    # Then it is still active, everywhere it is read
    assert json_of(get_code(client, admin, code["code_id"]))["status"] == "active"
    assert [c["code_id"] for c in listed(client, admin, "status=active")] == [code["code_id"]]
    assert listed(client, admin, "status=expired") == []

    # When the clock reaches the 60-day mark
    clock.advance(timedelta(seconds=1))

    # Then it is expired from that second on, and stays listed
    assert json_of(get_code(client, admin, code["code_id"]))["status"] == "expired"
    assert listed(client, admin, "status=active") == []
    assert [c["status"] for c in listed(client, admin, "status=expired")] == ["expired"]
    assert [c["status"] for c in listed(client, admin)] == ["expired"]


def test_an_expired_value_item_still_in_the_table_reads_as_expired(client, people: People, clock):
    # Given a code past its 60 days, whose value item TTL has not removed yet (moto never does; AWS lags)
    org = people.organisation()
    admin = people.member(org)
    code = created(client, admin, representative(org))
    clock.advance(SIXTY_DAYS + timedelta(days=3))
    value = CodeValueModel.get(random_part(code), consistent_read=True)

    # Then the item is there, and what validation will read says expired
    assert value.status == "active"
    assert value.status_at(clock.now()) is CodeStatus.EXPIRED
    assert json_of(get_code(client, admin, code["code_id"]))["status"] == "expired"


def test_an_expired_code_whose_value_item_ttl_removed_stays_listed_and_can_be_renewed(
    client, people: People, clock
):
    # Given an expired code whose value item DynamoDB's TTL has since deleted
    org = people.organisation()
    admin = people.member(org)
    code = created(client, admin, representative(org))
    clock.advance(SIXTY_DAYS + timedelta(days=10))
    CodeValueModel(random_part(code)).delete()

    # Then it is still listed and shown, as expired
    assert [(c["code_id"], c["status"]) for c in listed(client, admin)] == [(code["code_id"], "expired")]
    assert json_of(get_code(client, admin, code["code_id"]))["status"] == "expired"

    # When it is renewed
    response = renew(client, admin, code["code_id"])

    # Then it is active again with a new value for 60 days from now, and validation can find that value
    assert response.status_code == 200, response.body
    renewed = json_of(response)
    assert renewed["status"] == "active"
    assert renewed["code"] != code["code"]
    assert renewed["expires_at"] == isoformat(clock.now() + SIXTY_DAYS)
    assert CodeValueModel.get(random_part(renewed)).code_id == code["code_id"]


# Renewing


def test_renew_replaces_the_value_for_60_days_from_now_and_the_old_value_item_is_gone(
    client, people: People, clock
):
    # Given a code 20 days into its life
    org = people.organisation()
    admin = people.member(org)
    code = created(client, admin, representative(org))
    clock.advance(timedelta(days=20))

    # When it is renewed
    response = renew(client, admin, code["code_id"])

    # Then it has a new value for the same representative, valid 60 days from now
    assert response.status_code == 200, response.body
    renewed = json_of(response)
    assert renewed["code_id"] == code["code_id"]
    assert renewed["code"] != code["code"]
    assert VALUE.match(renewed["code"])
    assert renewed["created_at"] == code["created_at"]
    assert renewed["renewed_at"] == isoformat(clock.now())
    assert renewed["expires_at"] == isoformat(clock.now() + SIXTY_DAYS)
    assert {k: renewed[k] for k in ("first_name", "last_name", "email", "company", "account")} == {
        k: code[k] for k in ("first_name", "last_name", "email", "company", "account")
    }

    # And the old value stopped working at once: its item is gone, the new one is there
    assert CodeValueModel.count(random_part(code), consistent_read=True) == 0
    assert CodeValueModel.get(random_part(renewed), consistent_read=True).code_id == code["code_id"]
    assert json_of(get_code(client, admin, code["code_id"])) == renewed

    # And the representative is mailed the new value, as a renewal
    message = get_message(f"code-issued:{code['code_id']}:1")
    assert message is not None
    assert message.secrets == {"code": renewed["code"], "renewal_link": message.secrets["renewal_link"]}
    assert message.context["renewed"] is True


def test_two_renewals_racing_leave_exactly_one_new_value(client, people: People, container: Container, clock):
    # Given a code, and a renewal that another renewal overtakes after it read the code
    org = people.organisation()
    admin = people.member(org)
    code = created(client, admin, representative(org))
    rival = CodeService(clock=clock)
    overtaken: list[CodeView] = []

    def draw_after_a_rival_renewed() -> str:
        if not overtaken:
            overtaken.append(rival.renew(principal_of(admin, org), code["code_id"]))
        return draw_random_part()

    use_draws(container, clock, draw_after_a_rival_renewed)

    # When the overtaken renewal tries to write
    response = renew(client, admin, code["code_id"])

    # Then it is refused as a conflict, and only the rival's value exists
    assert_problem(response, 409, "conflict")
    winner = overtaken[0]
    assert json_of(get_code(client, admin, code["code_id"]))["code"] == winner.code
    assert [v.random_part for v in CodeValueModel.scan()] == [winner.code.split("@")[0]]
    assert CodeModel.get(code["code_id"]).renewals == 1
    assert sorted(m.message_id for m in OutboxModel.scan()) == [
        f"code-issued:{code['code_id']}:0",
        f"code-issued:{code['code_id']}:1",
    ]


def test_a_renewal_overtaken_by_a_revocation_leaves_the_code_revoked(
    client, people: People, container: Container, clock
):
    # Given a code, and a renewal that a revocation overtakes after the renewal read the code
    org = people.organisation()
    admin = people.member(org)
    code = created(client, admin, representative(org))
    rival = CodeService(clock=clock)

    def draw_after_a_revocation() -> str:
        rival.revoke(principal_of(admin, org), code["code_id"])
        return draw_random_part()

    use_draws(container, clock, draw_after_a_revocation)

    # Then the renewal is refused, and the code stays revoked with its old, revoked value and no new one
    assert_problem(renew(client, admin, code["code_id"]), 409, "conflict")
    assert json_of(get_code(client, admin, code["code_id"]))["status"] == "revoked"
    assert [(v.random_part, v.status) for v in CodeValueModel.scan()] == [(random_part(code), "revoked")]


def test_an_organisation_suspended_while_a_code_is_written_gets_no_code(
    client, people: People, container: Container, clock
):
    # Given an approved organisation that is suspended between the check and the write
    org = people.organisation()
    admin = people.member(org)

    def draw_after_suspension() -> str:
        OrganisationModel.get(org.org_id).update(
            actions=[OrganisationModel.status.set(OrganisationStatus.SUSPENDED.value)]
        )
        return draw_random_part()

    use_draws(container, clock, draw_after_suspension)

    # Then the write is refused, and nothing was written
    assert_problem(create(client, admin, representative(org)), 403, "organisation-not-approved")
    assert stored() == {"codes": 0, "values": 0, "mail": 0}


# Revoking


def test_revoke_stops_the_value_at_once_and_keeps_the_code_listed_as_revoked(client, people: People, clock):
    # Given an active code
    org = people.organisation()
    admin = people.member(org)
    code = created(client, admin, representative(org))
    clock.advance(timedelta(hours=1))

    # When it is revoked
    response = revoke(client, admin, code["code_id"])

    # Then the answer is the revoked code
    assert response.status_code == 200, response.body
    revoked = json_of(response)
    assert (revoked["status"], revoked["revoked_at"]) == ("revoked", isoformat(clock.now()))
    assert revoked["code"] == code["code"]

    # And the value item says revoked, so validation can say so at once
    value = CodeValueModel.get(random_part(code), consistent_read=True)
    assert value.status_at(clock.now()) is CodeStatus.REVOKED

    # And it stays listed, as revoked
    assert [c["status"] for c in listed(client, admin)] == ["revoked"]
    assert [c["code_id"] for c in listed(client, admin, "status=revoked")] == [code["code_id"]]
    assert listed(client, admin, "status=active") == []

    # And revoking again is harmless; renewing it is refused
    clock.advance(timedelta(hours=1))
    again = revoke(client, admin, code["code_id"])
    assert again.status_code == 200
    assert json_of(again) == revoked
    assert_problem(renew(client, admin, code["code_id"]), 409, "code-revoked")


def test_a_revocation_written_from_a_stale_read_is_refused_not_lost(client, people: People, clock):
    # Given a code read for revocation, then renewed by someone else before the revocation is written
    org = people.organisation()
    admin = people.member(org)
    code = created(client, admin, representative(org))
    stale = CodeModel.get(code["code_id"], consistent_read=True)
    renewed = json_of(renew(client, admin, code["code_id"]))

    # Then writing the revocation from the stale read is refused, so the service reads again
    with pytest.raises(EntryChanged):
        store_revoke(stale, None, now=clock.now(), by=admin.user_id)
    assert json_of(get_code(client, admin, code["code_id"])) == renewed

    # And the revocation made afresh kills the value that is current now
    assert json_of(revoke(client, admin, code["code_id"]))["code"] == renewed["code"]
    assert CodeValueModel.get(random_part(renewed)).status == "revoked"


def test_an_expired_code_whose_value_item_is_gone_can_be_revoked(client, people: People, clock):
    org = people.organisation()
    admin = people.member(org)
    code = created(client, admin, representative(org))
    clock.advance(SIXTY_DAYS + timedelta(days=5))
    CodeValueModel(random_part(code)).delete()

    response = revoke(client, admin, code["code_id"])

    assert response.status_code == 200, response.body
    assert json_of(response)["status"] == "revoked"
    assert list(CodeValueModel.scan()) == []


# Approval


@pytest.mark.parametrize(
    "status", [OrganisationStatus.PENDING_REVIEW, OrganisationStatus.SUSPENDED, OrganisationStatus.REJECTED]
)
def test_an_organisation_that_is_not_approved_cannot_create_codes(client, people: People, clock, status):
    org = people.organisation(status=status)
    admin = people.member(org)

    body = assert_problem(create(client, admin, representative(org)), 403, "organisation-not-approved")

    assert body["detail"]
    assert stored() == {"codes": 0, "values": 0, "mail": 0}


def test_a_suspended_organisation_cannot_renew_but_can_still_list_and_revoke(client, people: People, clock):
    # Given a code created while the organisation was approved, which is then suspended
    org = people.organisation()
    admin = people.member(org)
    code = created(client, admin, representative(org))
    OrganisationModel.get(org.org_id).update(
        actions=[OrganisationModel.status.set(OrganisationStatus.SUSPENDED.value)]
    )

    # Then renewing is refused and the value is unchanged
    assert_problem(renew(client, admin, code["code_id"]), 403, "organisation-not-approved")
    assert json_of(get_code(client, admin, code["code_id"]))["code"] == code["code"]

    # But the code can still be listed and revoked
    assert [c["code_id"] for c in listed(client, admin)] == [code["code_id"]]
    assert json_of(revoke(client, admin, code["code_id"]))["status"] == "revoked"


# Scope


def test_a_user_limited_to_one_account_sees_and_touches_only_that_accounts_codes(
    client, people: People, clock
):
    # Given codes under three accounts, and a colleague limited to account A2 of the parent company
    org = people.organisation()
    parent, child = org.companies
    admin = people.member(org)
    a1 = created(client, admin, representative(org, "A1"))
    a2 = created(client, admin, representative(org, "A2"))
    created(client, admin, representative(org, "B1"))
    limited = people.member(org, functions=[Function.CODES], companies={parent.cvr: ["A2"]})

    # Then the colleague lists only A2's code, however they filter
    assert [c["code_id"] for c in listed(client, limited)] == [a2["code_id"]]
    assert [c["code_id"] for c in listed(client, limited, f"company={parent.cvr}")] == [a2["code_id"]]
    assert [c["code_id"] for c in listed(client, limited, f"company={parent.cvr}&account=A2")] == [
        a2["code_id"]
    ]
    for query in (f"company={parent.cvr}&account=A1", f"company={child.cvr}"):
        assert_problem(client.http.get(f"/v1/codes?{query}", headers=limited.auth), 404, "not-found")

    # And A1's code answers as if it did not exist, whatever they try, and stays as it was
    before = stored()
    for response in (
        get_code(client, limited, a1["code_id"]),
        renew(client, limited, a1["code_id"]),
        revoke(client, limited, a1["code_id"]),
        create(client, limited, representative(org, "A1")),
    ):
        assert_problem(response, 404, "not-found")
    assert stored() == before
    assert json_of(get_code(client, admin, a1["code_id"])) == a1

    # While A2's code is theirs to work with
    assert json_of(get_code(client, limited, a2["code_id"])) == a2
    assert create(client, limited, representative(org, "A2")).status_code == 201


def test_another_organisations_code_answers_404_everywhere(client, people: People, clock):
    # Given a code of another organisation
    mine, theirs = people.organisation(), people.organisation()
    me, them = people.member(mine), people.member(theirs)
    foreign = created(client, them, representative(theirs))
    before = stored()

    # Then it does not exist for me, and my list does not show it
    for response in (
        get_code(client, me, foreign["code_id"]),
        renew(client, me, foreign["code_id"]),
        revoke(client, me, foreign["code_id"]),
    ):
        assert_problem(response, 404, "not-found")
    assert listed(client, me) == []
    assert_problem(create(client, me, representative(theirs)), 404, "not-found")

    # And nothing changed for its owners
    assert stored() == before
    assert json_of(get_code(client, them, foreign["code_id"])) == foreign


def test_an_unknown_code_is_404(client, people: People, clock):
    admin = people.member(people.organisation())
    for code_id in ("0" * 32, "nonsense", "A" * 32, "0" * 33):
        for response in (
            get_code(client, admin, code_id),
            renew(client, admin, code_id),
            revoke(client, admin, code_id),
        ):
            assert_problem(response, 404, "not-found")


def test_without_the_codes_function_every_code_route_is_403(client, people: People, clock):
    org = people.organisation()
    code = created(client, people.member(org), representative(org))
    colleague = people.member(org, functions=[Function.USERS, Function.HISTORY])

    for response in (
        create(client, colleague, representative(org)),
        client.http.get("/v1/codes", headers=colleague.auth),
        get_code(client, colleague, code["code_id"]),
        renew(client, colleague, code["code_id"]),
        revoke(client, colleague, code["code_id"]),
    ):
        assert_problem(response, 403, "forbidden")


# Listing


def test_codes_are_listed_newest_first_in_pages_that_join_up(client, people: People, clock):
    # Given seven codes under three accounts, created a second apart
    org = people.organisation()
    parent = org.companies[0]
    admin = people.member(org)
    accounts = ["A1", "A2", "B1", "A1", "A2", "A1", "B1"]
    codes = []
    for account in accounts:
        codes.append(created(client, admin, representative(org, account)))
        clock.advance(timedelta(seconds=1))
    newest_first = [c["code_id"] for c in reversed(codes)]

    # Then pages of three hold all of them once, newest first, and the last page says it is the last
    walked = list(pages(client, admin, "limit=3"))
    assert [len(page) for page in walked] == [3, 3, 1]
    assert [c["code_id"] for page in walked for c in page] == newest_first

    # And the same holds for one company's codes and for one account's
    assert [c["code_id"] for c in listed(client, admin, f"limit=2&company={parent.cvr}")] == [
        c for c, a in zip(newest_first, reversed(accounts), strict=True) if a != "B1"
    ]
    assert [c["code_id"] for c in listed(client, admin, f"limit=1&company={parent.cvr}&account=A1")] == [
        c for c, a in zip(newest_first, reversed(accounts), strict=True) if a == "A1"
    ]

    # And a page exactly as long as what is left is the last one
    assert [len(page) for page in pages(client, admin, "limit=7")] == [7]


def test_a_status_filter_pages_through_only_matching_codes(client, people: People, clock):
    # Given six codes of which every other one is revoked
    org = people.organisation()
    admin = people.member(org)
    codes = []
    for n in range(6):
        code = created(client, admin, representative(org, "A1" if n % 2 else "B1"))
        if n % 2:
            revoke(client, admin, code["code_id"])
        codes.append(code)
        clock.advance(timedelta(seconds=1))

    # Then pages of two of the active ones hold exactly the active ones, newest first
    active = list(pages(client, admin, "status=active&limit=2"))
    assert [c["code_id"] for page in active for c in page] == [c["code_id"] for c in reversed(codes[0::2])]
    assert all(c["status"] == "active" for page in active for c in page)
    assert [c["code_id"] for c in listed(client, admin, "status=revoked&limit=1")] == [
        c["code_id"] for c in reversed(codes[1::2])
    ]


def test_an_organisation_with_no_codes_lists_nothing(client, people: People, clock):
    admin = people.member(people.organisation())
    response = client.http.get("/v1/codes", headers=admin.auth)
    assert response.status_code == 200
    assert json_of(response) == {"items": [], "next_cursor": None}


# Bad input


BAD_BODIES: list[tuple[dict[str, Any], str]] = [
    ({"first_name": None}, "first_name"),
    ({"first_name": ""}, "first_name"),
    ({"first_name": "   "}, "first_name"),
    ({"first_name": "M" * 101}, "first_name"),
    ({"first_name": "Mette\r\nBcc: x@example.org"}, "first_name"),
    ({"first_name": "Kim Hansen, ledelsen <direktion@offer.dk>"}, "first_name"),
    ({"first_name": "Mette\u3164"}, "first_name"),
    ({"last_name": "Hansen 2"}, "last_name"),
    ({"last_name": "H\u0430nsen"}, "last_name"),  # a Cyrillic a
    ({"last_name": 42}, "last_name"),
    ({"email": "not-an-address"}, "email"),
    ({"email": "mette@example"}, "email"),
    ({"email": "mette hansen@example.org"}, "email"),
    ({"email": "mette@example..org"}, "email"),
    ({"email": "mette@@example.org"}, "email"),
    ({"email": "m" * 250 + "@example.org"}, "email"),
    ({"email": ["mette@example.org"]}, "email"),
    ({"company": "1234567"}, "company"),
    ({"company": "abcdefgh"}, "company"),
    ({"company": 10000001}, "company"),
    ({"account": ""}, "account"),
    ({"account": 1001}, "account"),
    ({"language": "de"}, "language"),
    ({"language": "DA"}, "language"),
    ({"notify": "yes"}, "notify"),
    ({"notify": 1}, "notify"),
    ({"notify": None}, "notify"),
    ({"phone": "+4512345678"}, "phone"),
    ({"code": "aaaaaaaa@Forening"}, "code"),
]


def test_every_bad_field_is_a_400_naming_it_and_nothing_is_written(client, people: People, clock):
    org = people.organisation()
    admin = people.member(org)

    for changes, field in BAD_BODIES:
        body = assert_problem(create(client, admin, representative(org, **changes)), 400, "invalid-input")
        assert field in [e["field"] for e in body["errors"]], changes

    assert stored() == {"codes": 0, "values": 0, "mail": 0}


def test_every_missing_field_is_a_400_naming_it(client, people: People, clock):
    org = people.organisation()
    admin = people.member(org)

    for missing in ("first_name", "last_name", "email", "company", "account"):
        body = representative(org)
        del body[missing]
        problem = assert_problem(create(client, admin, body), 400, "invalid-input")
        assert [e["field"] for e in problem["errors"]] == [missing]

    assert stored() == {"codes": 0, "values": 0, "mail": 0}


NOT_JSON_OBJECTS = [
    (b"{not json", "application/json", 400),
    (b"", "application/json", 400),
    (b"[]", "application/json", 400),
    (b'"Mette"', "application/json", 400),
    (b"\xff\xfe", "application/json", 400),
    (json.dumps({"first_name": "M" * 70000}).encode(), "application/json", 413),
    (b"first_name=Mette", "application/x-www-form-urlencoded", 415),
]


def test_a_body_that_is_not_a_json_object_is_a_problem_and_nothing_is_written(client, people: People, clock):
    admin = people.member(people.organisation())

    for raw, content_type, status in NOT_JSON_OBJECTS:
        response = client.http.post(
            "/v1/codes", headers={**admin.auth, "content-type": content_type}, body=raw
        )
        assert response.status_code == status, raw[:20]
        assert response.headers["Content-Type"] == "application/problem+json"

    assert stored() == {"codes": 0, "values": 0, "mail": 0}


def test_an_unknown_company_or_account_is_404_and_nothing_is_written(client, people: People, clock):
    # Given an organisation with a closed account
    org = people.organisation()
    admin = people.member(org)
    parent = org.companies[0]
    AccountModel.get(parent.cvr, "A2").update(actions=[AccountModel.status.set(AccountStatus.CLOSED.value)])

    # Then a company outside the group, an account it does not have, and a closed account are all 404
    for body in (
        representative(org, company="29180008"),
        representative(org, account="NOPE"),
        representative(org, company=parent.cvr, account="B1"),
        representative(org, account="A2"),
    ):
        assert_problem(create(client, admin, body), 404, "not-found")
    assert stored() == {"codes": 0, "values": 0, "mail": 0}


BAD_QUERIES = [
    ("limit=0", "limit"),
    ("limit=101", "limit"),
    ("limit=-1", "limit"),
    ("limit=abc", "limit"),
    ("limit=2.5", "limit"),
    ("status=valid", "status"),
    ("company=123", "company"),
    ("account=A1", "account"),
    ("cursor=garbage", "cursor"),
    ("cursor=eyJpIjoiYnktb3JnIn0", "cursor"),
    ("sort=oldest", "sort"),
]


def test_every_bad_list_query_is_a_400_naming_the_parameter(client, people: People, clock):
    admin = people.member(people.organisation())

    for query, field in BAD_QUERIES:
        body = assert_problem(client.http.get(f"/v1/codes?{query}", headers=admin.auth), 400, "invalid-input")
        assert field in [e["field"] for e in body["errors"]], query


def test_a_cursor_only_continues_the_list_it_came_from(client, people: People, clock):
    # Given cursors from the list of one company's codes and from the whole organisation's
    org = people.organisation()
    admin = people.member(org)
    for _ in range(3):
        created(client, admin, representative(org))
    company_cursor = json_of(
        client.http.get(f"/v1/codes?limit=1&company={org.companies[0].cvr}", headers=admin.auth)
    )["next_cursor"]
    org_cursor = json_of(client.http.get("/v1/codes?limit=1", headers=admin.auth))["next_cursor"]
    assert company_cursor
    assert org_cursor

    # Then neither continues another list: not the other kind, not another organisation's
    other = people.member(people.organisation())
    for person, query, cursor in (
        (admin, "", company_cursor),
        (admin, f"company={org.companies[0].cvr}", org_cursor),
        (other, "", org_cursor),
        (other, "", company_cursor),
    ):
        response = client.http.get(f"/v1/codes?{query}&cursor={cursor}", headers=person.auth)
        body = assert_problem(response, 400, "invalid-input")
        assert [e["field"] for e in body["errors"]] == ["cursor"]


# Logs


def test_code_values_never_reach_the_logs(
    client, people: People, container: Container, clock, capsys, logs: CloudWatchLogs
):
    # Given a busy life for some codes: a collision, a renewal, a refused renewal, a revocation
    use_draws(container, clock, Draws("kkkkkkkk", "kkkkkkkk"))
    org = people.organisation()
    admin = people.member(org)
    first = created(client, admin, representative(org))
    second = created(client, admin, representative(org))
    renewed = json_of(renew(client, admin, second["code_id"]))
    revoke(client, admin, second["code_id"])
    renew(client, admin, second["code_id"])
    listed(client, admin)

    # Then no value appears in any line CloudWatch would receive (the refused renewal was logged), nor in
    # anything printed
    assert "request refused" in [record["message"] for record in logs.records]
    printed = capsys.readouterr()
    logged = logs.text + printed.out + printed.err
    for code in (first, second, renewed):
        assert random_part(code) not in logged


# The expiry index the reminders read


def test_a_code_is_indexed_under_the_utc_day_its_value_expires_and_a_renewal_moves_it(
    client, people: People, clock
):
    # Given a code created at 23:30 UTC by one administrator
    org = people.organisation()
    creator, renewer = people.member(org), people.member(org)
    clock.set(clock.now().replace(hour=23, minute=30, second=0))
    code = created(client, creator, representative(org))
    first_day = (clock.now() + SIXTY_DAYS).date().isoformat()

    # Then it is found under the UTC date of its expiry, and only there
    assert list(codes_expiring_on(first_day)) == [code["code_id"]]
    assert list(codes_expiring_on((clock.now() + SIXTY_DAYS + timedelta(days=1)).date().isoformat())) == []

    # When another administrator renews it 20 days later
    clock.advance(timedelta(days=20))
    renewed = json_of(renew(client, renewer, code["code_id"]))

    # Then it moved to the new value's day, and the renewer is who issued the current value
    assert list(codes_expiring_on(first_day)) == []
    assert list(codes_expiring_on(renewed["expires_at"][:10])) == [code["code_id"]]
    entry = CodeModel.get(code["code_id"], consistent_read=True)
    assert (entry.created_by, entry.renewed_by, entry.issuer) == (
        creator.user_id,
        renewer.user_id,
        renewer.user_id,
    )


def test_a_revoked_code_leaves_the_expiry_index(client, people: People, clock):
    # Given an active code, found under its expiry day
    org = people.organisation()
    admin = people.member(org)
    code = created(client, admin, representative(org))
    day = code["expires_at"][:10]
    assert list(codes_expiring_on(day)) == [code["code_id"]]

    # When it is revoked
    revoke(client, admin, code["code_id"])

    # Then no reminder job will even read it
    assert list(codes_expiring_on(day)) == []
    assert CodeModel.get(code["code_id"], consistent_read=True).issuer == admin.user_id
