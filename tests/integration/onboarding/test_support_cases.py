"""Journey 13, *Kontakt support*: anyone files a case, staff see it, answer it by mail and close it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.clock import Clock, FixedClock
from chalicelib.container import Container, use_container
from chalicelib.errors import Conflict
from chalicelib.models.audit import STAFF_TRAIL, AuditModel, Origin
from chalicelib.models.outbox import MailKind
from chalicelib.models.support_case import SupportCaseModel
from chalicelib.services.access.authz import Principal
from chalicelib.services.onboarding.support_cases import AnswerForm, CaseForm, SupportCaseService
from tests.integration.access.test_authentication import assert_problem
from tests.onboarding import JSON, MAIN, mail, registered_organisation, rendered
from tests.people import People, Person, json_of

SEED = "Vores administrator er stoppet, og ingen kender login'et. Kan I slette det gamle login?"
ANSWER = "Vi har slettet det gamle login. Ansøg igen på godkend.dk, så får I et nyt brev i e-Boks."


def case_form(**changes: Any) -> dict[str, Any]:
    return {
        "organisation": "Blå Kors Odense",
        "cvr": MAIN,
        "name": "Mette Hansen",
        "email": "mette@example.org",
        "topic": "administrator_left",
        "message": SEED,
        **changes,
    }


def file_case(client: Any, body: Any = None) -> Any:
    raw = json.dumps(case_form() if body is None else body).encode()
    return client.http.post("/v1/support/cases", headers=JSON, body=raw)


def filed(client: Any, body: Any = None) -> str:
    response = file_case(client, body)
    assert response.status_code == 201, response.body
    return str(json_of(response)["case_id"])


def staff_get(client: Any, staff: Person, path: str) -> Any:
    return client.http.get(path, headers=staff.auth)


def staff_post(client: Any, staff: Person, path: str, body: Any = None) -> Any:
    raw = json.dumps(body).encode() if body is not None else b""
    headers = {**staff.auth, **JSON} if body is not None else staff.auth
    return client.http.post(path, headers=headers, body=raw)


def answer(client: Any, staff: Person, case_id: str, text: str = ANSWER) -> Any:
    return staff_post(client, staff, f"/v1/staff/support/cases/{case_id}/answer", {"text": text})


def close(client: Any, staff: Person, case_id: str) -> Any:
    return staff_post(client, staff, f"/v1/staff/support/cases/{case_id}/close")


def as_staff(staff: Person) -> Principal:
    return Principal(user_id=staff.user_id, org_id=None, is_staff=True)


def staff_trail() -> list[AuditModel]:
    return list(AuditModel.query(STAFF_TRAIL, scan_index_forward=False))


def test_a_person_files_a_case_and_gets_a_reference_and_no_mail(client, people: People):
    # Given the seed's organisation whose administrator has left
    # When someone files a case through Kontakt support
    response = file_case(client)

    # Then it is registered with a reference they can quote
    assert response.status_code == 201, response.body
    body = json_of(response)
    assert body["case_id"].startswith("S-")
    assert len(body["case_id"]) == 11
    # and nothing is mailed: the form cannot make us mail an address somebody typed
    assert mail(MailKind.SUPPORT_ANSWER) == []
    assert list(SupportCaseModel.get(body["case_id"]).answers) == []


def test_staff_see_the_case_with_the_organisation_its_cvr_belongs_to(client, people: People):
    # Given an organisation holding the CVR, and a case naming it
    org = registered_organisation()
    case_id = filed(client)
    staff = people.staff()

    # When staff list the open cases and open the case
    listed = json_of(staff_get(client, staff, "/v1/staff/support/cases"))
    response = staff_get(client, staff, f"/v1/staff/support/cases/{case_id}")

    # Then the case is there, as written, with the organisation to go to for its logins
    assert [item["case_id"] for item in listed["items"]] == [case_id]
    assert response.status_code == 200, response.body
    case = json_of(response)
    assert (case["status"], case["topic"], case["message"], case["name"]) == (
        "open",
        "administrator_left",
        SEED,
        "Mette Hansen",
    )
    assert case["linked_organisation"]["org_id"] == org.org_id
    assert case["linked_organisation"]["name"] == "Blå Kors Odense"


def test_a_case_naming_no_known_cvr_links_no_organisation(client, people: People):
    case_id = filed(client, case_form(cvr=None, topic="sign_in"))

    case = json_of(staff_get(client, people.staff(), f"/v1/staff/support/cases/{case_id}"))

    assert (case["cvr"], case["linked_organisation"], case["topic"]) == (None, None, "sign_in")


def test_the_list_is_newest_first_paged_and_by_status(client, people: People, container):
    # Given three cases filed a minute apart, the oldest closed
    clock = FixedClock(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    use_container(Container(settings=container.settings, clock=clock))
    ids = []
    for n in range(3):
        ids.append(filed(client, case_form(email=f"p{n}@example.org")))
        clock.advance(timedelta(minutes=1))
    staff = people.staff()
    assert close(client, staff, ids[0]).status_code == 200

    # When staff page through the open cases, one at a time, and then list the closed ones
    first = json_of(staff_get(client, staff, "/v1/staff/support/cases?limit=1"))
    cursor = first["next_cursor"]
    second = json_of(staff_get(client, staff, f"/v1/staff/support/cases?limit=1&cursor={cursor}"))
    closed = json_of(staff_get(client, staff, "/v1/staff/support/cases?status=closed"))

    # Then the open ones come newest first, and the closed one only among the closed
    assert [first["items"][0]["case_id"], second["items"][0]["case_id"]] == [ids[2], ids[1]]
    assert [item["case_id"] for item in closed["items"]] == [ids[0]]
    # And a cursor of the open list does not page the closed one
    other = staff_get(client, staff, f"/v1/staff/support/cases?status=closed&cursor={cursor}")
    assert_problem(other, 400, "invalid-input")


def test_staff_answer_by_mail_in_the_case_language_quoting_nothing_the_sender_wrote(client, people: People):
    # Given a case written in English
    case_id = filed(client, case_form(language="en", name="Mette Hansen"))
    staff = people.staff()

    # When staff answer it
    response = answer(client, staff, case_id)

    # Then the answer is kept on the case
    assert response.status_code == 200, response.body
    case = json_of(response)
    assert [(a["text"], a["staff_id"]) for a in case["answers"]] == [(ANSWER, staff.user_id)]
    # And one mail goes to the case's address, in English, with the reference and staff's text only
    [message] = mail(MailKind.SUPPORT_ANSWER)
    assert (message.to_address, message.language) == ("mette@example.org", "en")
    shown = rendered(message)
    assert case_id in shown.subject
    assert case_id in shown.text
    assert ANSWER in shown.text
    for written in ("Mette", "Hansen", "Blå Kors", "administrator er stoppet"):
        assert written not in shown.subject + shown.text + shown.html
    # And the answer is in the staff trail, naming the case
    [entry] = staff_trail()
    assert (entry.action, entry.actor_id, entry.targets) == (
        "support_case.answered",
        staff.user_id,
        {"case_id": case_id},
    )


def test_staff_close_a_case_once_and_a_closed_case_takes_no_answer(client, people: People):
    # Given an answered case
    case_id = filed(client)
    staff = people.staff()
    assert answer(client, staff, case_id).status_code == 200

    # When staff close it
    response = close(client, staff, case_id)

    # Then it is closed and the closing audited
    assert response.status_code == 200, response.body
    assert json_of(response)["status"] == "closed"
    assert [e.action for e in staff_trail()] == ["support_case.closed", "support_case.answered"]
    # And closing again, or answering now, is a conflict that writes nothing
    assert_problem(close(client, staff, case_id), 409, "conflict")
    assert_problem(answer(client, staff, case_id), 409, "conflict")
    assert len(mail(MailKind.SUPPORT_ANSWER)) == 1
    assert len(staff_trail()) == 2


class Interleaving:
    """A clock that lets another writer in at the moment a service takes the time for its write: the n-th
    time it is asked."""

    def __init__(self, clock: Clock, *, at_call: int, meanwhile: Any) -> None:
        self._clock = clock
        self._calls = 0
        self._at_call = at_call
        self._meanwhile = meanwhile

    def now(self) -> datetime:
        self._calls += 1
        if self._calls == self._at_call:
            self._meanwhile()
        return self._clock.now()


def test_an_answer_racing_a_close_is_refused_and_mails_nothing(client, people: People, container):
    # Given an open case, and a staff member closing it just after another read it to answer
    case_id = filed(client)
    staff = people.staff()
    origin = Origin("192.0.2.1", "test")

    def closed_meanwhile() -> None:
        SupportCaseService(clock=container.clock).close(as_staff(staff), case_id, origin=origin)

    # (the service asks the time once to read the case, and again to write the answer)
    racing = SupportCaseService(clock=Interleaving(container.clock, at_call=2, meanwhile=closed_meanwhile))

    # When the answer is written
    with pytest.raises(Conflict):
        racing.answer(as_staff(staff), case_id, AnswerForm(text=ANSWER), origin=origin)

    # Then only the close happened: no mail, one audit entry, no answer on the case
    assert mail(MailKind.SUPPORT_ANSWER) == []
    assert [e.action for e in staff_trail()] == ["support_case.closed"]
    assert list(SupportCaseModel.get(case_id).answers) == []


def test_two_answers_racing_write_one(client, people: People, container):
    case_id = filed(client)
    staff = people.staff()
    origin = Origin("192.0.2.1", "test")

    def answered_meanwhile() -> None:
        SupportCaseService(clock=container.clock).answer(
            as_staff(staff), case_id, AnswerForm(text="Først"), origin=origin
        )

    racing = SupportCaseService(clock=Interleaving(container.clock, at_call=2, meanwhile=answered_meanwhile))

    with pytest.raises(Conflict):
        racing.answer(as_staff(staff), case_id, AnswerForm(text="Bagefter"), origin=origin)

    assert [a["text"] for a in SupportCaseModel.get(case_id).answers] == ["Først"]
    assert len(mail(MailKind.SUPPORT_ANSWER)) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"name": "<script>"}, "name"),
        ({"cvr": "123"}, "cvr"),
        ({"message": "   "}, "message"),
        ({"message": "x" * 1001}, "message"),
        ({"topic": "refund"}, "topic"),
        ({"organisation": ""}, "organisation"),
        ({"language": "de"}, "language"),
        ({"extra": "field"}, "extra"),
    ],
)
def test_a_bad_form_is_told_field_by_field_and_files_nothing(client, change, field):
    response = file_case(client, case_form(**change))

    problem = assert_problem(response, 400, "invalid-input")
    assert field in {error["field"].split(".")[0] for error in problem["errors"]}
    assert list(SupportCaseModel.scan()) == []  # a test-only Scan of an empty table


def test_a_reference_already_taken_is_drawn_again_and_never_overwrites_a_case(client, container):
    # Given a case, and a service whose next references are that case's, then a fresh one
    first = filed(client)
    drawn = iter([first, first, "S-FRSH-0001"])
    service = SupportCaseService(clock=container.clock, draw=lambda: next(drawn))
    form = CaseForm.model_validate(case_form(email="other@example.org"))

    # When another case is filed
    second = service.file(form, origin=Origin("192.0.2.1", "test"))

    # Then it gets the fresh reference, and the first case is as it was
    assert second.case_id == "S-FRSH-0001"
    assert SupportCaseModel.get(first).email == "mette@example.org"
    # And when every try draws a taken one, the answer is a conflict, not an overwrite
    taken = SupportCaseService(clock=container.clock, draw=lambda: first)
    with pytest.raises(Conflict):
        taken.file(form, origin=Origin("192.0.2.1", "test"))
    assert SupportCaseModel.get(first).email == "mette@example.org"


def test_a_caller_is_limited_to_a_handful_of_cases_an_hour(client, container):
    # Given five cases from one address within the hour
    clock = FixedClock(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    use_container(Container(settings=container.settings, clock=clock))
    for n in range(5):
        filed(client, case_form(email=f"p{n}@example.org"))
        clock.advance(timedelta(minutes=1))

    # When the same caller files a sixth
    response = file_case(client)

    # Then it is refused with Retry-After, and nothing is written
    assert_problem(response, 429, "too-many-requests")
    assert int(response.headers["Retry-After"]) > 0
    assert len(list(SupportCaseModel.scan())) == 5


def test_staff_answers_are_checked_and_unknown_cases_are_404(client, people: People):
    case_id = filed(client)
    staff = people.staff()

    assert_problem(answer(client, staff, case_id, text=" "), 400, "invalid-input")
    assert_problem(answer(client, staff, case_id, text="x" * 1001), 400, "invalid-input")
    assert_problem(staff_get(client, staff, "/v1/staff/support/cases/S-0000-0000"), 404, "not-found")
    assert_problem(answer(client, staff, "S-0000-0000"), 404, "not-found")
    assert_problem(close(client, staff, "S-0000-0000"), 404, "not-found")
    assert_problem(staff_get(client, staff, f"/v1/staff/support/cases/{'x' * 300}"), 404, "not-found")
    assert_problem(staff_get(client, staff, "/v1/staff/support/cases?status=pending"), 400, "invalid-input")
    assert mail(MailKind.SUPPORT_ANSWER) == []


def test_only_staff_see_and_answer_cases(client, people: People):
    case_id = filed(client)
    member = people.member(people.organisation())

    assert client.http.get("/v1/staff/support/cases").status_code == 401
    assert staff_get(client, member, "/v1/staff/support/cases").status_code == 403
    assert answer(client, member, case_id).status_code == 403
