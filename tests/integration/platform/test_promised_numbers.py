"""Numbers the product promises that no other test stated as a number: a subsidiary's letter code is valid 14
days (docs/onboarding.md#proof-chain), and a code texted to enrol SMS 10 minutes
(docs/access.md#second-factor). Stated here as numbers, through the API, on both sides of the boundary; the
clock starts a month back so that the people's access tokens are still good after it moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from chalice.test import Client

from chalicelib.clock import FixedClock, isoformat
from chalicelib.container import Container, use_container
from tests.integration.access.test_authentication import assert_problem
from tests.integration.access.test_sessions import post
from tests.integration.onboarding.test_naming_companies import administrator, name_company, newest_code, prove
from tests.onboarding import OTHER_MAIN, OTHER_SUBSIDIARY
from tests.people import People, json_of
from tests.sms import last_code_to

FOURTEEN_DAYS = timedelta(days=14)
TEN_MINUTES = timedelta(minutes=10)
SECOND = timedelta(seconds=1)


@pytest.fixture
def clock(container: Container) -> FixedClock:
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=30))
    use_container(Container(settings=container.settings, clock=clock))
    return clock


def test_a_subsidiarys_letter_code_proves_it_for_14_days(client: Client, people: People, clock: FixedClock):
    # Given an administrator who adds two companies that need a letter each
    admin = administrator(people)
    first = json_of(name_company(client, admin, OTHER_SUBSIDIARY))
    name_company(client, admin, OTHER_MAIN)

    # Then the letters are valid 14 days, to the second
    assert first["letter_expires_at"] == isoformat(clock.now() + FOURTEEN_DAYS)

    # When 14 days less a second have passed, a letter's code still proves its company
    clock.advance(FOURTEEN_DAYS - SECOND)
    assert prove(client, admin, OTHER_SUBSIDIARY, newest_code(OTHER_SUBSIDIARY)).status_code == 200
    # And from the 14th day's second on, the other's no longer does
    clock.advance(SECOND)
    assert_problem(prove(client, admin, OTHER_MAIN, newest_code(OTHER_MAIN)), 404, "not-found")


def test_a_code_texted_to_enrol_sms_is_good_for_10_minutes(client: Client, people: People, clock: FixedClock):
    # Given a person without a second factor, who asks for a code by text
    person = people.member(people.organisation(), enrolled=False)
    assert post(client, "/v1/me/second-factor/sms", person.token).status_code == 202

    # When 10 minutes have passed, the code is no longer waiting
    clock.advance(TEN_MINUTES)
    late = post(
        client,
        "/v1/me/second-factor/sms/verify",
        person.token,
        f'{{"code": "{last_code_to("+4512345678")}"}}',
    )
    assert_problem(late, 409, "conflict")

    # And a new code entered 10 minutes less a second after it was sent enrols SMS
    assert post(client, "/v1/me/second-factor/sms", person.token).status_code == 202
    clock.advance(TEN_MINUTES - SECOND)
    in_time = post(
        client,
        "/v1/me/second-factor/sms/verify",
        person.token,
        f'{{"code": "{last_code_to("+4512345678")}"}}',
    )
    assert in_time.status_code == 200, in_time.body
