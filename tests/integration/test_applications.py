"""Journey 1 and 2: applying, and the letter to the official mailbox on record for the CVR."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.adapters.registry import RegistryEntry
from chalicelib.api.deps import Container, use_container
from chalicelib.clock import FixedClock
from chalicelib.errors import TooManyRequests, UpstreamUnavailable
from chalicelib.models.application import ActivationModel, applications_for, get_letter_quota
from chalicelib.models.audit import Origin
from chalicelib.models.outbox import OutboxModel
from chalicelib.services.activation_codes import ActivationCodes
from chalicelib.services.applications import ApplicationForm, ApplicationService
from tests.conftest import TEST_ACTIVATION_KEY
from tests.integration.test_authentication import assert_problem
from tests.onboarding import (
    MAIN,
    NOT_IN_REGISTER,
    OTHER_MAIN,
    OTHER_SUBSIDIARY,
    SAMPLE,
    SUBSIDIARY,
    FakeRegistry,
    actions,
    apply,
    form,
    letters,
    only_application,
    only_letter,
    registered_organisation,
    rendered,
    trail,
    username_and_code,
)
from tests.people import People, json_of

APPLICANT = form()["applicant"]


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
        (form(applicant={**APPLICANT, "mobile": "22334455"}), "applicant.mobile"),
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


def test_a_subsidiary_that_belongs_to_another_organisation_is_refused(client):
    registered_organisation([OTHER_MAIN, OTHER_SUBSIDIARY], org_id="org-other", name="Grøn Hjælp")
    body = form(subsidiaries=[{"cvr": OTHER_SUBSIDIARY, "name": "x"}], accounts=[])
    problem = assert_problem(apply(client, body), 409, "conflict")
    assert [e["field"] for e in problem["errors"]] == ["subsidiaries.0.cvr"]


def test_each_application_gets_its_own_letter_and_none_absorbs_another(client):
    # Given an application for the CVR
    first = json_of(apply(client))

    # When someone else applies for the same CVR, with other details
    again = apply(client, form(applicant={**APPLICANT, "first_name": "Bo", "email": "bo@example.org"}))

    # Then it is an application of its own, with its own letter naming its own applicant
    assert again.status_code == 202
    assert json_of(again)["application_id"] != first["application_id"]
    assert json_of(again)["already_pending"] is False
    assert len(letters()) == 2
    assert sorted(rendered(m).text.split(" har ansøgt")[0].split("\n")[-1] for m in letters()) == [
        "Bo Holm (bo@example.org)",
        "Ida Holm (ida.holm@example.org)",
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


def test_letters_per_cvr_are_bounded_and_beyond_that_nothing_is_written(client, container):
    # Given a clock, and three applications by different people for one CVR within a day
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    use_container(Container(settings=container.settings, clock=clock))
    for n in range(3):
        body = form(applicant={**APPLICANT, "email": f"person{n}@example.org"})
        assert apply(client, body).status_code == 202
        clock.advance(timedelta(hours=1))

    # When a fourth application comes
    response = apply(client, form(applicant={**APPLICANT, "email": "fourth@example.org"}))

    # Then it is answered 429 with Retry-After until the first letter's day is over; nothing is written
    assert_problem(response, 429, "too-many-requests")
    assert int(response.headers["Retry-After"]) == 21 * 3600 + 1
    assert len(letters()) == 3
    assert len(applications_for(MAIN)) == 3
    # And a day after the first letter the mailbox can be written to again
    clock.advance(timedelta(hours=21))
    assert apply(client, form(applicant={**APPLICANT, "email": "fourth@example.org"})).status_code == 202


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

    # Then the organisation's trail holds one entry per application that was written, and no more
    written = {json_of(a)["application_id"] for a in answers if a.status_code == 202}
    assert len(written) == 3
    assert sorted(actions(org.org_id)) == ["application.submitted"] * 3
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
        registry=SAMPLE, codes=ActivationCodes(TEST_ACTIVATION_KEY), clock=container.clock
    )
    won: list[Any] = []
    first = ApplicationService(
        registry=SAMPLE,
        codes=RacingCodes(lambda: won.append(other.apply(body, origin=Origin()))),
        clock=container.clock,
    )

    # When the first one goes on to write
    lost = first.apply(body, origin=Origin())

    # Then its conditional write fails, it answers with the winner's application, and one letter exists
    assert won[0].already_pending is False
    assert lost.already_pending is True
    assert lost.application_id == won[0].application_id
    assert len(letters()) == 1


def test_concurrent_applications_never_send_more_letters_than_the_quota(container):
    # Given two letters already sent to the CVR today (the quota is three)
    service = ApplicationService(
        registry=SAMPLE, codes=ActivationCodes(TEST_ACTIVATION_KEY), clock=container.clock
    )
    for n in range(2):
        service.apply(ApplicationForm.model_validate(form(name=f"Navn {n}")), origin=Origin())
    # And a competing application that takes the last letter in the instant before ours writes
    competing = ApplicationForm.model_validate(form(name="Konkurrent"))
    first = ApplicationService(
        registry=SAMPLE,
        codes=RacingCodes(lambda: service.apply(competing, origin=Origin())),
        clock=container.clock,
    )

    # When ours goes on to write, it finds the quota spent
    with pytest.raises(TooManyRequests):
        first.apply(ApplicationForm.model_validate(form(name="Vores")), origin=Origin())

    # Then exactly three letters exist
    assert len(letters()) == 3


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
    assert get_letter_quota(MAIN) is None


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
