"""The SMS step texts a code on every request; texts are bounded per login and per mobile number (at most 3 in
any 15 minutes, 10 in any 24 hours), answered 429 with Retry-After beyond that, and a refused request sends
and writes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.clock import OffsetClock
from chalicelib.container import Container, use_container
from chalicelib.models.sms_quota import SmsQuotaModel
from chalicelib.models.user import UserModel
from tests.integration.access.test_authentication import assert_problem
from tests.people import People, Person
from tests.sms import last_code_to, texts_to

NUMBER = "+4512345678"  # every test person's mobile
JSON = {"content-type": "application/json"}


def ask_for_a_text(client: Any, person: Person) -> Any:
    return client.http.post("/v1/me/second-factor/sms", headers=person.auth)


def test_fifteen_requests_send_three_texts(client, people: People):
    # Given a person without a second factor, who chooses SMS
    person = people.member(people.organisation(), enrolled=False)

    # When the SMS step is asked fifteen times in a row
    answers = [ask_for_a_text(client, person) for _ in range(15)]

    # Then three texts go, and the rest are refused with when to come back
    assert [a.status_code for a in answers] == [202] * 3 + [429] * 12
    assert len(texts_to(NUMBER)) == 3
    problem = assert_problem(answers[3], 429, "too-many-requests")
    assert "Retry-After" in problem["detail"]
    assert 880 <= int(answers[3].headers["Retry-After"]) <= 900


def test_a_refused_request_sends_nothing_and_keeps_the_code_already_sent(client, people: People):
    # Given a person who has had their three texts
    person = people.member(people.organisation(), enrolled=False)
    for _ in range(3):
        assert ask_for_a_text(client, person).status_code == 202
    code = last_code_to(NUMBER)
    digest = UserModel.get(person.user_id).sms_code_digest

    # When they ask again and are refused
    assert ask_for_a_text(client, person).status_code == 429

    # Then nothing changed: the last code texted still enrols them
    assert UserModel.get(person.user_id).sms_code_digest == digest
    body = f'{{"code": "{code}"}}'.encode()
    done = client.http.post("/v1/me/second-factor/sms/verify", headers={**person.auth, **JSON}, body=body)
    assert done.status_code == 200, done.body


def test_the_bound_holds_per_number_and_per_login(client, people: People):
    org = people.organisation()
    # Given a login that has had its three texts
    first = people.member(org, enrolled=False)
    for _ in range(3):
        assert ask_for_a_text(client, first).status_code == 202

    # Then another login with the same mobile number gets none either (the number's bound)
    second = people.member(org, enrolled=False)
    assert_problem(ask_for_a_text(client, second), 429, "too-many-requests")

    # And the first login gets none at another number (the login's bound)
    UserModel.get(first.user_id).update(actions=[UserModel.mobile.set("+4587654321")])
    assert_problem(ask_for_a_text(client, first), 429, "too-many-requests")
    assert texts_to("+4587654321") == []
    assert len(texts_to(NUMBER)) == 3

    # And the table holds no mobile number, only counters under a keyed hash
    counters = [item.counter for item in SmsQuotaModel.scan()]
    assert all("4512345678" not in counter and "4587654321" not in counter for counter in counters)


def test_texts_go_again_after_a_quarter_of_an_hour_and_ten_a_day_at_most(
    client, people: People, container: Container
):
    person = people.member(people.organisation(), enrolled=False)

    def at(minutes: int) -> Any:
        use_container(Container(settings=container.settings, clock=OffsetClock(timedelta(minutes=minutes))))
        return ask_for_a_text(client, person)

    # Given three texts now, and three in each of the next two quarters of an hour, and one more
    for minutes, texts in ((0, 3), (16, 3), (32, 3), (48, 1)):
        assert [at(minutes).status_code for _ in range(texts)] == [202] * texts, minutes

    # When the quarter hour has room again but the day is spent
    refused = at(50)

    # Then the eleventh text of the day is refused until the first of them is a day old
    assert_problem(refused, 429, "too-many-requests")
    wait = int(refused.headers["Retry-After"])
    assert (
        timedelta(hours=24) - timedelta(minutes=51)
        < timedelta(seconds=wait)
        <= timedelta(hours=23, minutes=10)
    )
    assert len(texts_to(NUMBER)) == 10
