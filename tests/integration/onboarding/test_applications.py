"""Journey 1 and 2: applying, and the letter to the official mailbox on record for the CVR."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.adapters.registry import RegistryEntry
from chalicelib.clock import FixedClock
from chalicelib.container import Container, use_container
from chalicelib.errors import UpstreamUnavailable
from chalicelib.models.application import ActivationModel, applications_for
from chalicelib.models.audit import AuditModel, Origin
from chalicelib.models.mailbox import get_mailbox
from chalicelib.models.outbox import OutboxModel
from chalicelib.services.onboarding.activation_codes import ActivationCodes
from chalicelib.services.onboarding.applications import ApplicationForm, ApplicationService
from chalicelib.services.onboarding.mailboxes import Pacing
from tests.conftest import TEST_ACTIVATION_KEY
from tests.integration.access.test_authentication import assert_problem
from tests.onboarding import (
    MAIN,
    NOT_IN_REGISTER,
    OTHER_MAIN,
    OTHER_SUBSIDIARY,
    SAMPLE,
    SUBSIDIARY,
    FakeRegistry,
    actions,
    applicants_in,
    apply,
    form,
    letters,
    only_application,
    only_letter,
    registered_organisation,
    rendered,
    send_gathered_letters,
    trail,
    username_and_code,
)
from tests.people import People, json_of

APPLICANT = form()["applicant"]
HOUR = Pacing(interval=timedelta(hours=1))


def test_an_application_is_accepted_and_a_letter_goes_to_the_registers_mailbox(client, container):
    # Given a clock at a known time
    now = datetime(2026, 3, 2, 9, 30, 15, tzinfo=UTC)
    use_container(Container(settings=container.settings, clock=FixedClock(now)))

    # When someone applies for a company of the register
    response = apply(client)

    # Then the answer says the letter is due within 2 hours
    assert response.status_code == 202, response.body
    body = json_of(response)
    assert body == {
        "application_id": body["application_id"],
        "letter_due_by": "2026-03-02T11:30:15Z",
        "already_pending": False,
    }
    # And one letter, in Danish, goes to the register's official mailbox with a username and a code
    letter = only_letter()
    entry = SAMPLE.lookup(MAIN)
    assert entry is not None
    assert (letter.to_address, letter.to_name, letter.language) == (entry.official_mailbox, entry.name, "da")
    username, code = username_and_code(letter)
    text = rendered(letter).text.splitlines()
    assert f"Brugernavn: {username}" in text
    assert f"Aktiveringskode: {code}" in text
    assert code not in rendered(letter).subject


def test_the_activation_code_is_easy_to_type_and_stored_only_as_a_keyed_hash(client):
    # When someone applies
    apply(client)
    username, code = username_and_code(only_letter())

    # Then the code is 12 characters of Crockford base32 in three groups
    assert len(code) == 14
    assert [len(group) for group in code.split("-")] == [4, 4, 4]
    assert set(code.replace("-", "")) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    # And the only trace of it outside the outbox's secrets is its HMAC under the configured key
    activation = ActivationModel.get(username)
    assert activation.code_digest == ActivationCodes(TEST_ACTIVATION_KEY).digest(username, code)
    assert activation.code_digest != ActivationCodes("another-key-" + "x" * 40).digest(username, code)
    stored = str(activation.serialize()) + str(only_application(MAIN).serialize())
    assert code not in stored
    assert code.replace("-", "") not in stored
    # And it is valid for 14 days
    assert activation.expires_at - activation.created_at == timedelta(days=14)


def test_the_letter_is_in_english_on_request(client):
    apply(client, form(language="en"))
    letter = only_letter()
    username, code = username_and_code(letter)
    lines = rendered(letter).text.splitlines()
    assert letter.language == "en"
    assert f"Username: {username}" in lines
    assert f"Activation code: {code}" in lines


@pytest.mark.parametrize(
    "field_path",
    [
        ("applicant", "email"),
        ("name",),
        ("subsidiaries", 0, "name"),
        ("accounts", 0, "name"),
    ],
)
def test_no_letter_ever_goes_to_an_address_typed_into_the_form(client, container, field_path):
    # Given a register whose mailbox for the CVR is known, and a form with an address typed into it
    official = RegistryEntry(MAIN, "Blå Kors Odense", "official-mailbox@register.example")
    subsidiary = RegistryEntry(SUBSIDIARY, "Blå Kors Genbrug", "sub-mailbox@register.example")
    use_container(Container(settings=container.settings, registry=FakeRegistry(official, subsidiary)))
    typed = "attacker@evil.example"
    body: dict[str, Any] = form()
    target: Any = body
    for step in field_path[:-1]:
        target = target[step]
    target[field_path[-1]] = typed

    # When the application is made
    response = apply(client, body)

    # Then the only mail goes to the register's address for the main CVR, never to the typed one
    assert response.status_code == 202, response.body
    everything = list(OutboxModel.scan())
    assert [m.to_address for m in everything] == ["official-mailbox@register.example"]
    assert all(typed not in m.to_address for m in everything)


def test_an_address_typed_as_the_applicants_name_is_refused_and_nothing_is_sent(client):
    # A person's name holds no '@': what would be printed into the letter as a name is refused
    problem = assert_problem(
        apply(client, form(applicant={**APPLICANT, "first_name": "attacker@evil.example"})),
        400,
        "invalid-input",
    )
    assert [error["field"] for error in problem["errors"]] == ["applicant.first_name"]
    assert list(OutboxModel.scan()) == []


def test_the_form_has_no_way_to_name_the_letters_address(client):
    body = form(official_mailbox="attacker@evil.example")
    body["applicant"]["letter_to"] = "attacker@evil.example"
    problem = assert_problem(apply(client, body), 400, "invalid-input")
    assert {e["field"] for e in problem["errors"]} == {"official_mailbox", "applicant.letter_to"}
    assert letters() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (form(cvr="41270005"), "cvr"),
        (form(applicant={**APPLICANT, "mobile": "2233445"}), "applicant.mobile"),
        (form(accounts=[{"cvr": OTHER_MAIN, "number": "1", "name": "x"}]), "accounts.0.cvr"),
    ],
    ids=["a field", "a nested field", "fields that do not fit together"],
)
def test_bad_input_gets_a_field_by_field_problem_and_no_letter(client, body, field):
    # Every bad input is in tests/unit/test_application_form.py; these prove the HTTP answer and no letter.
    problem = assert_problem(apply(client, body), 400, "invalid-input")
    assert field in [error["field"] for error in problem["errors"]], problem["errors"]
    assert letters() == []


def test_a_look_alike_organisation_name_is_refused_and_sends_no_letter(client):
    # Given an application for "Blå Kors Odense" written with a Cyrillic o, a near-copy of a real name
    body = form(name="Blå K\u043ers Odense")

    # When it is made
    problem = assert_problem(apply(client, body), 400, "invalid-input")

    # Then the name is refused, saying why, and nothing is written or sent
    [error] = problem["errors"]
    assert error["field"] == "name"
    assert error["message"].startswith("Mixes scripts (Cyrillic and Latin)")
    assert letters() == []
    assert list(OutboxModel.scan()) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "Blå Kors\U000e0041"}, "name"),
        ({"name": "Blå\u3164Kors"}, "name"),
        (
            {"applicant": {**APPLICANT, "first_name": "Skattestyrelsen: ring 70 20 30 40"}},
            "applicant.first_name",
        ),
        ({"applicant": {**APPLICANT, "last_name": "https://evil.example"}}, "applicant.last_name"),
        ({"subsidiaries": [{"cvr": SUBSIDIARY, "name": "Gr\u00f8n H\u0458\u00e6lp"}]}, "subsidiaries.0.name"),
    ],
    ids=["a tag character", "a Hangul filler", "digits in a name", "an address as a name", "a Cyrillic j"],
)
def test_invisible_characters_and_what_is_no_name_are_refused(client, changes, field):
    problem = assert_problem(apply(client, form(**changes)), 400, "invalid-input")
    assert [error["field"] for error in problem["errors"]] == [field]
    assert letters() == []


@pytest.mark.parametrize("body", [b"", b"[]", b'"x"', b"{not json", b"null"])
def test_a_body_that_is_not_a_json_object_is_a_problem(client, body):
    assert_problem(apply(client, body), 400, "invalid-input")


def test_every_bad_field_is_named_at_once(client):
    body = form(cvr="123", applicant={**APPLICANT, "email": "nope", "mobile": "123"})
    problem = assert_problem(apply(client, body), 400, "invalid-input")
    assert {e["field"] for e in problem["errors"]} == {"cvr", "applicant.email", "applicant.mobile"}


def test_spaces_in_cvr_and_mobile_are_ignored_and_the_mobile_is_stored_as_plus45_and_8_digits(client):
    response = apply(client, form(cvr="4127 0004", applicant={**APPLICANT, "mobile": " +45 22 33 44 55 "}))
    assert response.status_code == 202, response.body
    stored = only_application(MAIN).form
    assert stored["cvr"] == MAIN
    assert stored["applicant"]["mobile"] == "+4522334455"


def test_subsidiaries_and_accounts_are_optional(client):
    response = apply(client, form(subsidiaries=[], accounts=[]))
    assert response.status_code == 202, response.body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (form(cvr=NOT_IN_REGISTER, subsidiaries=[], accounts=[]), "cvr"),
        (form(subsidiaries=[{"cvr": NOT_IN_REGISTER, "name": "x"}], accounts=[]), "subsidiaries.0.cvr"),
    ],
)
def test_a_cvr_the_register_does_not_know_is_a_clear_problem(client, body, field):
    problem = assert_problem(apply(client, body), 422, "unknown-company")
    assert [e["field"] for e in problem["errors"]] == [field]
    assert letters() == []


def test_applying_while_the_organisation_has_an_active_administrator_is_refused(client, people: People):
    # Given an organisation that owns the CVR and has an active administrator
    org = registered_organisation()
    people.member(org)

    # When someone applies for the CVR
    problem = assert_problem(apply(client), 409, "administrator-exists")

    # Then they are told to ask their administrator or contact support, and no letter is sent
    assert "administrator" in problem["detail"]
    assert "support" in problem["detail"]
    assert letters() == []


def test_a_member_without_the_users_function_is_not_an_administrator(client, people: People):
    org = registered_organisation()
    people.member(org, functions=[])
    assert apply(client, form(subsidiaries=[], accounts=[])).status_code == 202


def test_applying_with_a_subsidiary_of_a_known_group_is_refused_without_naming_its_main_cvr(client):
    # Given a group whose subsidiary is proven
    registered_organisation()

    # When an anonymous caller applies with the subsidiary as main company
    response = apply(client, form(cvr=SUBSIDIARY, subsidiaries=[], accounts=[]))

    # Then it is refused, and the answer names no other company's CVR
    problem = assert_problem(response, 409, "conflict")
    assert problem["errors"] == [
        {"field": "cvr", "message": "Apply with the group's main company's CVR number, or contact support."}
    ]
    assert MAIN not in response.body.decode()


def test_a_subsidiary_that_another_organisation_holds_is_answered_as_any_other(client, container):
    # Given OTHER_SUBSIDIARY belongs to another organisation, and SUBSIDIARY to nobody
    registered_organisation([OTHER_MAIN, OTHER_SUBSIDIARY], org_id="org-other", name="Grøn Hjælp")

    # When anonymous callers apply naming each of them as a subsidiary
    answers = {}
    for main, subsidiary in ((MAIN, OTHER_SUBSIDIARY), ("21450006", SUBSIDIARY)):
        body = form(cvr=main, subsidiaries=[{"cvr": subsidiary, "name": "x"}], accounts=[])
        answers[subsidiary] = apply(client, body)

    # Then both are accepted alike: nothing in the answer tells which subsidiary is a customer's
    held, free = answers[OTHER_SUBSIDIARY], answers[SUBSIDIARY]
    assert (held.status_code, free.status_code) == (202, 202), held.body
    assert set(json_of(held)) == set(json_of(free))
    assert json_of(held)["already_pending"] is json_of(free)["already_pending"] is False
    assert OTHER_SUBSIDIARY not in held.body.decode()


def test_each_application_gets_its_own_block_and_none_absorbs_another(client, container):
    # Given an application for the CVR, whose letter went at once
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    use_container(Container(settings=container.settings, clock=clock))
    first = json_of(apply(client))

    # When someone else applies for the same CVR, with other details, and the next letter goes out
    again = apply(client, form(applicant={**APPLICANT, "first_name": "Bo", "email": "bo@example.org"}))
    clock.advance(timedelta(hours=1))
    send_gathered_letters()

    # Then it is an application of its own, with its own letter naming its own applicant
    assert again.status_code == 202
    assert json_of(again)["application_id"] != first["application_id"]
    assert json_of(again)["already_pending"] is False
    assert [applicants_in(m) for m in letters()] == [
        ["Ida Holm (ida.holm@example.org)"],
        ["Bo Holm (bo@example.org)"],
    ]
    assert [line for line in rendered(letters()[1]).text.splitlines() if " har ansøgt" in line] == [
        "Bo Holm har ansøgt om adgang til Godkend for Blå Kors Odense."
    ]


def test_the_same_form_sent_again_is_the_same_application_and_writes_nothing(client):
    # Given an application for the CVR
    first = json_of(apply(client))
    org_id = only_application(MAIN).org_id

    # When exactly the same form is sent again (a double click, a retry)
    again = apply(client)

    # Then the answer is that application, and no letter or audit entry is added
    assert json_of(again) == {**first, "already_pending": True}
    assert len(letters()) == 1
    assert actions(org_id) == ["application.submitted"]


def test_applications_while_a_letter_is_recent_are_gathered_into_the_next_one(client, container):
    # Given a clock, and an application whose letter went at once
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    use_container(Container(settings=container.settings, clock=clock))
    assert apply(client).status_code == 202

    # When two more people apply within the hour
    for n in range(2):
        clock.advance(timedelta(minutes=10))
        response = apply(client, form(applicant={**APPLICANT, "email": f"person{n}@example.org"}))
        assert response.status_code == 202, response.body

    # Then no second letter goes before the hour is up, however often the sender runs
    assert send_gathered_letters()["letters"] == 0
    assert len(letters()) == 1
    # And an hour after the first letter, one letter carries both, each with its own username and code
    clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    assert send_gathered_letters() == {
        "letters": 1,
        "applications": 2,
        "proofs": 0,
        "emptied": 0,
        "failed": 0,
    }
    gathered = letters()[1]
    assert applicants_in(gathered) == ["Ida Holm (person0@example.org)", "Ida Holm (person1@example.org)"]
    text = rendered(gathered).text.splitlines()
    for email in ("person0@example.org", "person1@example.org"):
        username, code = username_and_code(gathered, email)
        block = text.index(f"Ansøgning fra Ida Holm ({email})")
        assert text[block + 2 : block + 4] == [f"Brugernavn: {username}", f"Aktiveringskode: {code}"]
        assert ActivationModel.get(username).code_digest == ActivationCodes(TEST_ACTIVATION_KEY).digest(
            username, code
        )
    # And the sender does not write it twice
    assert send_gathered_letters()["letters"] == 0
    assert len(letters()) == 2


def test_a_gathered_letter_carries_a_bounded_number_and_beyond_it_429_says_when(client, container):
    # Given a letter that went at once, and a gathered letter already carrying ten applications
    settings = container.settings.model_copy(
        update={"applications_per_caller_per_hour": 100, "applications_per_caller_per_day": 100}
    )
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    use_container(Container(settings=settings, clock=clock))
    assert apply(client).status_code == 202
    for n in range(10):
        assert apply(client, form(applicant={**APPLICANT, "email": f"p{n}@example.org"})).status_code == 202
    before = (len(applications_for(MAIN)), get_mailbox(MAIN).version)  # type: ignore[union-attr]

    # When an eleventh comes 20 minutes after the first letter
    clock.advance(timedelta(minutes=20))
    response = apply(client, form(applicant={**APPLICANT, "email": "eleventh@example.org"}))

    # Then it is refused until the gathered letter (due 40 minutes on) has gone, and nothing is written
    problem = assert_problem(response, 429, "too-many-requests")
    assert int(response.headers["Retry-After"]) == 45 * 60  # the letter's due time and the sender's period
    assert "Retry-After" in problem["detail"]
    assert (len(applications_for(MAIN)), get_mailbox(MAIN).version) == before  # type: ignore[union-attr]
    # And applied again then, it goes in the next letter
    clock.advance(timedelta(minutes=45))
    send_gathered_letters()
    assert apply(client, form(applicant={**APPLICANT, "email": "eleventh@example.org"})).status_code == 202


def test_a_caller_is_limited_to_a_handful_of_applications_an_hour(client, container):
    # Given a clock, and five applications from one address within the hour, each for another company
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    use_container(Container(settings=container.settings, clock=clock))
    for cvr in [MAIN, OTHER_MAIN, "21450006", "33560001", "25560000"]:
        assert apply(client, form(cvr=cvr, subsidiaries=[], accounts=[])).status_code == 202
        clock.advance(timedelta(minutes=1))
    audited = len(list(AuditModel.scan()))

    # When the same caller applies a sixth time
    response = apply(client, form(cvr="40120009", subsidiaries=[], accounts=[]))

    # Then it is refused with 429 and Retry-After before anything is written
    problem = assert_problem(response, 429, "too-many-requests")
    assert "Retry-After" in problem["detail"]
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 3600
    assert applications_for("40120009") == []
    assert get_mailbox("40120009") is None
    assert len(letters()) == 5
    assert len(list(AuditModel.scan())) == audited
    # And once Retry-After has passed, it may apply again
    clock.advance(timedelta(seconds=retry_after))
    assert apply(client, form(cvr="40120009", subsidiaries=[], accounts=[])).status_code == 202


def test_a_caller_is_limited_per_day_too(client, container):
    # Given a caller that applied twenty times today, two an hour
    clock = FixedClock(datetime(2026, 3, 2, 0, 0, tzinfo=UTC))
    use_container(Container(settings=container.settings, clock=clock))
    for n in range(20):
        body = form(subsidiaries=[], accounts=[], applicant={**APPLICANT, "email": f"d{n}@example.org"})
        assert apply(client, body).status_code == 202, (n, clock.now())
        clock.advance(timedelta(minutes=30))
        send_gathered_letters()

    # When it applies again, within its hourly limit
    response = apply(client, form(subsidiaries=[], accounts=[], applicant={**APPLICANT, "email": "x@ex.org"}))

    # Then the daily limit refuses it, saying when enough of the day's applications have slid by
    assert_problem(response, 429, "too-many-requests")
    assert int(response.headers["Retry-After"]) > 3600


def test_thirty_repeated_applications_add_at_most_one_audit_entry_each(client, people: People):
    # Given an organisation whose administrator was removed, so that it may apply again
    org = registered_organisation()

    # When an anonymous caller sends thirty applications, some the same, some different
    answers = [
        apply(
            client, form(subsidiaries=[], accounts=[], applicant={**APPLICANT, "email": f"x{n % 5}@ex.org"})
        )
        for n in range(30)
    ]

    # Then the organisation's trail holds one entry per application that was written, and no more; the
    # caller's own limit refused the rest
    written = {json_of(a)["application_id"] for a in answers if a.status_code == 202}
    assert len(written) == 5
    assert sorted(actions(org.org_id)) == ["application.submitted"] * 5
    assert {a.status_code for a in answers} == {202, 429}


class RacingCodes(ActivationCodes):
    """Lets a competing application commit in the instant between the pending check and the write."""

    def __init__(self, compete: Any) -> None:
        super().__init__(TEST_ACTIVATION_KEY)
        self._compete = compete

    def digest(self, username: str, code: str) -> str:
        compete, self._compete = self._compete, None
        if compete is not None:
            compete()
        return super().digest(username, code)


def test_concurrent_duplicate_applications_send_exactly_one_letter(container):
    # Given two applications for one CVR, the second committing while the first is about to write
    body = ApplicationForm.model_validate(form())
    other = ApplicationService(
        registry=SAMPLE, codes=ActivationCodes(TEST_ACTIVATION_KEY), clock=container.clock, pacing=HOUR
    )
    won: list[Any] = []
    first = ApplicationService(
        registry=SAMPLE,
        codes=RacingCodes(lambda: won.append(other.apply(body, origin=Origin()))),
        clock=container.clock,
        pacing=HOUR,
    )

    # When the first one goes on to write
    lost = first.apply(body, origin=Origin())

    # Then its conditional write fails, it answers with the winner's application, and one letter exists
    assert won[0].already_pending is False
    assert lost.already_pending is True
    assert lost.application_id == won[0].application_id
    assert len(letters()) == 1


def test_two_applications_at_once_never_both_take_a_quiet_mailbox(container):
    # Given a quiet mailbox, and a competing application that takes it in the instant before ours writes
    service = ApplicationService(
        registry=SAMPLE, codes=ActivationCodes(TEST_ACTIVATION_KEY), clock=container.clock, pacing=HOUR
    )
    competing = ApplicationForm.model_validate(form(name="Konkurrent"))
    ours = ApplicationService(
        registry=SAMPLE,
        codes=RacingCodes(lambda: service.apply(competing, origin=Origin())),
        clock=container.clock,
        pacing=HOUR,
    )

    # When ours goes on to write, it finds the mailbox taken
    receipt = ours.apply(ApplicationForm.model_validate(form(name="Vores")), origin=Origin())

    # Then one letter went at once, and ours waits for the next one to that mailbox
    assert len(letters()) == 1
    mailbox = get_mailbox(MAIN)
    assert mailbox is not None
    assert mailbox.waiting_applications == [receipt.application_id]
    assert len(applications_for(MAIN)) == 2


def test_after_the_code_expires_a_new_application_sends_a_new_letter(client, container):
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    use_container(Container(settings=container.settings, clock=clock))
    first = json_of(apply(client))

    clock.advance(timedelta(days=14))
    again = json_of(apply(client))

    assert again["already_pending"] is False
    assert again["application_id"] != first["application_id"]
    assert len(letters()) == 2


def test_the_application_is_audited_with_who_and_from_where(client):
    response = client.http.post(
        "/v1/applications",
        headers={"content-type": "application/json", "user-agent": "Browser/1.0"},
        body=json.dumps(form()).encode(),
    )
    application = only_application(MAIN)
    [entry] = trail(application.org_id)
    assert entry.action == "application.submitted"
    assert (entry.actor_kind, entry.actor_id) == ("anonymous", "anonymous")
    assert entry.source_ip == "127.0.0.1"
    assert entry.user_agent == "Browser/1.0"
    assert entry.targets["application_id"] == json_of(response)["application_id"]
    assert entry.targets["cvr"] == MAIN
    assert entry.details["letter_to"] == only_letter().to_address


class DownRegistry:
    """A company register that does not answer in time."""

    def lookup(self, cvr: str) -> RegistryEntry | None:
        raise UpstreamUnavailable("The company register did not answer in time; try again shortly.")


def test_a_register_that_is_down_or_slow_answers_503_and_nothing_is_written(client, container):
    # Given a register that cannot be asked
    use_container(Container(settings=container.settings, registry=DownRegistry()))

    # When someone applies
    response = apply(client)

    # Then the answer is a 503 problem, and no application, quota or letter is written
    assert_problem(response, 503, "upstream-unavailable")
    assert applications_for(MAIN) == []
    assert letters() == []
    assert get_mailbox(MAIN) is None


def test_a_company_the_register_lists_as_ceased_cannot_apply(client):
    # Given a company the sample register lists as ceased
    entry = SAMPLE.lookup(CEASED)
    assert entry is not None
    assert entry.ceased

    # When it applies, it is refused field by field and no letter goes out
    problem = assert_problem(
        apply(client, form(cvr=CEASED, subsidiaries=[], accounts=[])), 422, "unknown-company"
    )
    assert problem["errors"] == [
        {"field": "cvr", "message": "The company register lists this company as ceased."}
    ]
    assert letters() == []


CEASED = "99999896"


# What a letter prints: nothing that can carry a message


@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("first_name", "Ring 70 20 30 40"),
        ("last_name", "se https://evil.example/"),
        ("first_name", "Skattestyrelsen: ring"),
        ("last_name", "Hansen@evil.example"),
        ("first_name", "Bo_Bo"),
        ("last_name", "Holm (Skat)"),
        ("first_name", "-Ida"),
        ("first_name", "Ida\u3164"),  # a Hangul filler: a "letter" that shows as nothing
    ],
)
def test_an_applicant_named_with_what_could_carry_a_message_is_refused_and_nothing_written(
    client, field, typed
):
    # When an application names its applicant with something a letter could carry a message in
    response = apply(client, form(applicant={**APPLICANT, field: typed}))

    # Then the name is refused by the rule for every person's name, and nothing is written
    problem = assert_problem(response, 400, "invalid-input")
    assert [e["field"] for e in problem["errors"]] == [f"applicant.{field}"]
    assert applications_for(MAIN) == []
    assert letters() == []


def test_an_applicant_address_the_letter_could_not_print_is_refused_422_and_nothing_written(client):
    # When the applicant's address is a valid one that could carry more than an address
    response = apply(client, form(applicant={**APPLICANT, "email": "skat!ring@evil.example"}))

    # Then the letter's own rule refuses it, field by field, and nothing is written
    problem = assert_problem(response, 422, "not-printable")
    assert [e["field"] for e in problem["errors"]] == ["applicant.email"]
    assert applications_for(MAIN) == []
    assert letters() == []


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [("Anne-Marie", "O'Brien"), ("Zoë", "Søndergård"), ("Jens Chr.", "Hansen"), ("Zoe\u0308", "Ma\u2019ruf")],
)
def test_names_of_letters_with_their_marks_hyphens_apostrophes_and_full_stops_are_printed(
    client, first_name, last_name
):
    response = apply(client, form(applicant={**APPLICANT, "first_name": first_name, "last_name": last_name}))

    assert response.status_code == 202, response.body
    assert f"Ansøgning fra {first_name} {last_name} (ida.holm@example.org)" in rendered(only_letter()).text


def test_the_letter_names_the_company_by_the_registers_name_never_the_typed_one(client):
    # Given an application whose organisation's name is a message to the mailbox's reader
    typed = "Skattestyrelsen ring straks eller se evil.example og bekræft straks på godkend-dk.example"

    # When it is accepted and its letter written
    assert apply(client, form(name=typed)).status_code == 202

    # Then the letter names the company as the register does, and prints nothing of the typed name
    mail = rendered(only_letter())
    for part in (mail.subject, mail.text, mail.html):
        assert "Skattestyrelsen" not in part
        assert "evil.example" not in part
    assert "Til Blå Kors Odense (CVR 41270004)" in mail.text
    assert "har ansøgt om adgang til Godkend for Blå Kors Odense." in mail.text


@pytest.mark.parametrize(
    ("language", "heading", "never"),
    [
        ("da", "Sådan kender I et ægte brev fra Godkend:", ["aldrig ringe", "aldrig om en adgangskode"]),
        ("en", "How to recognise a real letter from Godkend:", ["never asks you to call", "never ask for"]),
    ],
)
def test_the_letter_tells_how_to_recognise_a_real_one_and_names_no_address_but_the_services(
    client, container, language, heading, never
):
    # Given the stage's console address, which is where the letter tells the company to go
    settings = container.settings.model_copy(update={"console_origins": ("https://console.godkend.dk",)})
    use_container(Container(settings=settings))

    # When an application's letter is written
    assert apply(client, form(language=language)).status_code == 202

    # Then it says what a real letter holds and never asks for, and every link in it is to the service
    mail = rendered(only_letter())
    assert heading in mail.text.splitlines()
    for words in never:
        assert words in " ".join(mail.text.split())
        assert words in mail.html
    for part in (mail.text, mail.html):
        links = set(re.findall(r"https?://[^\s<>)\"]+", part))
        assert "https://console.godkend.dk/" in links
        assert all(link.startswith("https://console.godkend.dk/") for link in links), links
