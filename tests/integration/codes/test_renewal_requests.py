"""Journey 16 through the API on the emulator: a representative asks for a new code from their mail's link,
and the users with `codes` and the code's account in scope answer."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from chalicelib.clock import FixedClock
from chalicelib.mail.render import render
from chalicelib.models.audit import trail_of
from chalicelib.models.code import CodeModel
from chalicelib.models.outbox import OutboxModel, get_message
from chalicelib.models.renewal_request import RenewalLinkModel, RenewalRequestModel
from chalicelib.services.access.authz import Function
from tests.integration.access.test_authentication import assert_problem
from tests.integration.codes.test_codes import clock as clock
from tests.integration.codes.test_codes import created, renew, representative, revoke
from tests.people import Org, People, Person, json_of

JSON = {"content-type": "application/json"}


def link_in(message_id: str) -> str:
    message = get_message(message_id)
    assert message is not None
    assert message.secrets is not None
    return str(message.secrets["renewal_link"])


def token_of(link: str) -> str:
    return urlsplit(link).fragment


def post(client: Any, path: str, body: Any, person: Person | None = None) -> Any:
    headers = {**JSON, **(person.auth if person else {})}
    return client.http.post(path, headers=headers, body=json.dumps(body).encode())


def preview(client: Any, token: str) -> Any:
    return post(client, "/v1/renewal-requests/preview", {"token": token})


def ask(client: Any, token: str, note: str | None = None) -> Any:
    body: dict[str, Any] = {"token": token}
    if note is not None:
        body["note"] = note
    return post(client, "/v1/renewal-requests", body)


def open_requests(client: Any, person: Person) -> list[dict[str, Any]]:
    response = client.http.get("/v1/renewal-requests", headers=person.auth)
    assert response.status_code == 200, response.body
    items: list[dict[str, Any]] = json_of(response)["items"]
    return items


def decline(client: Any, person: Person, request_id: str, reason: str) -> Any:
    return post(client, f"/v1/renewal-requests/{request_id}/decline", {"reason": reason}, person)


def mails_of(kind: str) -> list[OutboxModel]:
    return [m for m in OutboxModel.scan() if m.kind == kind]


def a_code_with_its_link(client: Any, people: People) -> tuple[Org, Person, dict[str, Any], str]:
    org = people.organisation()
    admin = people.member(org)
    code = created(client, admin, representative(org))
    return org, admin, code, token_of(link_in(f"code-issued:{code['code_id']}:0"))


def test_the_code_mail_carries_a_link_with_its_secret_only_in_the_fragment(client, people: People, clock):
    # Given a code mailed to its representative
    _org, _, code, _ = a_code_with_its_link(client, people)

    # Then the mail's link names the console page, with the secret in the fragment: no path or query has it
    link = urlsplit(link_in(f"code-issued:{code['code_id']}:0"))
    assert link.path == "/anmodning"
    assert link.query == ""
    assert len(link.fragment) >= 32  # 24 random bytes, URL-safe
    # And the table holds only its hash
    stored = [json.dumps(item.attribute_values, default=str) for item in RenewalLinkModel.scan()]
    assert len(stored) == 1
    assert link.fragment not in stored[0]
    # And the mail says "Bed om en ny kode" with the link
    message = get_message(f"code-issued:{code['code_id']}:0")
    assert message is not None
    mail = render(
        message.kind, message.language, {**message.context, **message.secrets, "recipient_name": "M"}
    )
    assert "Bed om en ny kode" in mail.text
    assert link.geturl() in mail.text
    assert link.fragment not in mail.subject


def test_a_representative_asks_and_every_user_with_codes_and_the_account_in_scope_is_told(
    client, people: People, clock
):
    # Given a code under account A1 and four colleagues with different functions and scopes
    org, admin, code, token = a_code_with_its_link(client, people)
    cvr = org.companies[0].cvr
    on_a1 = people.member(org, functions=[Function.CODES], companies={cvr: ["A1"]})
    on_a2 = people.member(org, functions=[Function.CODES], companies={cvr: ["A2"]})
    on_the_company = people.member(org, functions=[Function.CODES], companies={cvr: None})
    no_codes = people.member(org, functions=[Function.USERS])

    # When the representative opens the link: the organisation, their first name and the expiry, no value
    shown = preview(client, token)
    assert shown.status_code == 200, shown.body
    assert json_of(shown) == {
        "organisation_name": "Forening " + org.org_id.removeprefix("org-"),
        "first_name": "Mette",
        "expires_at": code["expires_at"],
        "pending": False,
    }
    assert code["code"].split("@")[0] not in shown.body.decode()

    # And asks, with a note
    answer = ask(client, token, note="Jeg skal bruge den til julehjælpen")
    assert answer.status_code == 202, answer.body

    # Then the admin and the A1 user are mailed, once each; not the A2 user, not the one without `codes`
    told = {m.to_address for m in mails_of("renewal_requested")}
    assert told == {f"{p.user_id}@example.org" for p in (admin, on_a1, on_the_company)}
    # And the note is in no mail: a stranger's words are left to the console
    assert all("julehjælpen" not in json.dumps(m.attribute_values, default=str) for m in OutboxModel.scan())

    # And the request is listed for those only, with the note as the representative's
    for person in (admin, on_a1, on_the_company):
        [listed] = open_requests(client, person)
        assert (listed["code_id"], listed["first_name"], listed["email"]) == (
            code["code_id"],
            "Mette",
            "mette@example.org",
        )
        assert listed["note"] == "Jeg skal bruge den til julehjælpen"
    assert open_requests(client, on_a2) == []
    assert client.http.get("/v1/renewal-requests", headers=no_codes.auth).status_code == 403

    # And it is in the organisation's Log
    assert [e.action for e in trail_of(org.org_id)].count("code.renewal_requested") == 1
    # And the page now says a request is waiting
    assert json_of(preview(client, token))["pending"] is True


def test_one_open_request_per_code(client, people: People, clock):
    # Given a request already waiting
    _, _, _, token = a_code_with_its_link(client, people)
    assert ask(client, token).status_code == 202

    # When the link is used again
    again = ask(client, token)

    # Then it is refused, and nothing more is written or mailed
    assert_problem(again, 409, "conflict")
    assert len(list(RenewalRequestModel.scan())) == 1
    assert len(mails_of("renewal_requested")) == 1


def test_renewing_answers_the_request_and_the_new_code_mail_carries_a_new_link(client, people: People, clock):
    # Given a request waiting
    org, admin, code, token = a_code_with_its_link(client, people)
    assert ask(client, token).status_code == 202

    # When a user clicks Opdater (renews the code)
    assert renew(client, admin, code["code_id"]).status_code == 200

    # Then the request is answered: listed no more, and the Log says it was renewed by request
    assert open_requests(client, admin) == []
    assert RenewalRequestModel.get(code["code_id"]).status == "renewed"
    assert "code.renewed_by_request" in [e.action for e in trail_of(org.org_id)]
    # And the old link works no more, while the new code's mail carries a new one that does
    assert_problem(preview(client, token), 404, "not-found")
    fresh = token_of(link_in(f"code-issued:{code['code_id']}:1"))
    assert json_of(preview(client, fresh))["pending"] is False


def test_revoking_answers_the_request(client, people: People, clock):
    _, admin, code, token = a_code_with_its_link(client, people)
    assert ask(client, token).status_code == 202

    assert revoke(client, admin, code["code_id"]).status_code == 200

    assert open_requests(client, admin) == []
    assert RenewalRequestModel.get(code["code_id"]).status == "revoked"


def test_declining_mails_the_reason_to_the_representative(client, people: People, clock):
    # Given a request waiting
    org, admin, _code, token = a_code_with_its_link(client, people)
    assert ask(client, token).status_code == 202
    [request] = open_requests(client, admin)

    # When a user declines it with a reason
    answer = decline(client, admin, request["request_id"], "Du er ikke frivillig hos os længere")

    # Then it is answered, the representative is mailed the reason, and the Log has it
    assert answer.status_code == 200, answer.body
    assert json_of(answer)["status"] == "declined"
    assert open_requests(client, admin) == []
    [mail] = mails_of("renewal_declined")
    assert mail.to_address == "mette@example.org"
    assert mail.context["reason"] == "Du er ikke frivillig hos os længere"
    assert "code.renewal_declined" in [e.action for e in trail_of(org.org_id)]
    # And declining again is refused
    assert_problem(decline(client, admin, request["request_id"], "Igen"), 409, "conflict")
    # And the representative may ask again with the same link
    assert ask(client, token).status_code == 202


def test_a_user_without_the_account_in_scope_cannot_answer(client, people: People, clock):
    org, admin, _code, token = a_code_with_its_link(client, people)
    assert ask(client, token).status_code == 202
    [request] = open_requests(client, admin)
    on_a2 = people.member(org, functions=[Function.CODES], companies={org.companies[0].cvr: ["A2"]})
    other_org_admin = people.member(people.organisation())

    for outsider in (on_a2, other_org_admin):
        assert_problem(decline(client, outsider, request["request_id"], "Nej"), 404, "not-found")
    assert_problem(decline(client, admin, "not-a-request", "Nej"), 404, "not-found")
    assert open_requests(client, admin) != []


def test_every_unusable_link_gets_the_same_answer(client, people: People, clock: FixedClock):
    # Given links that are unknown, of a renewed code, of a revoked code, and expired
    _, admin, renewed, renewed_token = a_code_with_its_link(client, people)
    renew(client, admin, renewed["code_id"])
    _, admin2, revoked, revoked_token = a_code_with_its_link(client, people)
    revoke(client, admin2, revoked["code_id"])
    _, _, _, live_token = a_code_with_its_link(client, people)

    answers = [preview(client, t) for t in ("x" * 32, renewed_token, revoked_token)]
    answers.append(ask(client, revoked_token))
    # (30 days after the value's expiry)
    clock.advance(timedelta(days=90))
    answers.append(preview(client, live_token))

    # Then one and the same problem for all of them
    bodies = [assert_problem(a, 404, "not-found") for a in answers]
    assert len({(b["title"], b["detail"]) for b in bodies}) == 1
    assert list(RenewalRequestModel.scan()) == []


def test_bad_input_is_a_problem_and_writes_nothing(client, people: People, clock):
    _, _, _, token = a_code_with_its_link(client, people)

    for body in ({}, {"token": token, "extra": 1}, {"token": token, "note": "x" * 501}, {"token": "a b"}):
        assert_problem(post(client, "/v1/renewal-requests", body), 400, "invalid-input")
    assert list(RenewalRequestModel.scan()) == []


def test_requests_are_limited_per_code(client, people: People, clock):
    # Given a representative asking, being declined, and asking again
    _, admin, _, token = a_code_with_its_link(client, people)
    for _ in range(3):
        assert ask(client, token).status_code == 202
        [request] = open_requests(client, admin)
        assert decline(client, admin, request["request_id"], "Ikke nu").status_code == 200

    # When they ask a fourth time within the week
    refused = ask(client, token)

    # Then it is refused with Retry-After, and nobody is mailed
    assert_problem(refused, 429, "too-many-requests")
    assert int(refused.headers["Retry-After"]) > 0
    assert len(mails_of("renewal_requested")) == 3


def test_guessing_links_is_limited_per_caller(client, people: People, clock):
    answers = [preview(client, f"guess{n:027d}") for n in range(31)]

    assert {a.status_code for a in answers[:30]} == {404}
    assert_problem(answers[30], 429, "too-many-requests")


def test_the_note_is_exported_and_erased_with_the_representative(client, people: People, clock):
    # Given a request with a note, for a code since revoked
    _, admin, code, token = a_code_with_its_link(client, people)
    assert ask(client, token, note="Ring til mig på 12345678").status_code == 202
    revoke(client, admin, code["code_id"])
    staff = people.staff()

    # When staff answer the representative's access request, then their erasure request
    exported = post(client, "/v1/staff/personal-data/export", {"email": "mette@example.org"}, staff)
    erased = post(client, "/v1/staff/personal-data/erase", {"email": "mette@example.org"}, staff)

    # Then the export holds the note, and the erasure removes the request
    assert exported.status_code == 200, exported.body
    [listed] = json_of(exported)["codes"]
    assert listed["renewal_request"]["note"] == "Ring til mig på 12345678"
    assert erased.status_code == 200, erased.body
    assert list(RenewalRequestModel.scan()) == []


def test_requests_are_limited_per_representative(client, people: People, clock):
    # Given one representative holding six codes, of several organisations
    tokens = [a_code_with_its_link(client, people)[3] for _ in range(6)]

    # When they ask for a new one of each on the same day
    answers = [ask(client, token) for token in tokens]

    # Then the sixth is refused, and only five requests were made
    assert [a.status_code for a in answers[:5]] == [202] * 5
    assert_problem(answers[5], 429, "too-many-requests")
    assert len(list(RenewalRequestModel.scan())) == 5


def test_a_renewal_answers_the_request_even_when_its_follow_up_is_lost(client, people: People, clock):
    # Given a request waiting, and the code then renewed by a write that never recorded who answered
    _, admin, code, token = a_code_with_its_link(client, people)
    assert ask(client, token).status_code == 202
    [request] = open_requests(client, admin)
    entry = CodeModel.get(code["code_id"])
    entry.update(actions=[CodeModel.renewals.set(int(entry.renewals) + 1)])

    # Then the request is no longer open: not listed, not declinable, and the old link asks nothing more
    assert RenewalRequestModel.get(code["code_id"]).status == "open"
    assert open_requests(client, admin) == []
    assert_problem(decline(client, admin, request["request_id"], "For sent"), 409, "conflict")
    assert_problem(ask(client, token), 404, "not-found")
