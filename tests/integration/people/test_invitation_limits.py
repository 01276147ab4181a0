"""A person can mail only so many strangers a day: invitations (new, and sent again) are bounded per inviting
person and per organisation or vendor in a sliding day. Beyond a bound the answer is 429 with Retry-After, in
Danish or English, and nothing is sent or written."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from pynamodb.exceptions import TransactWriteError

from chalicelib.clock import OffsetClock
from chalicelib.container import Container, use_container
from chalicelib.errors import TooManyRequests
from chalicelib.models.base import transaction
from chalicelib.models.caller_limit import CallerWindowModel
from chalicelib.models.outbox import OutboxModel
from chalicelib.models.user import UserModel
from chalicelib.services.people.invitation_limits import InvitationLimits
from chalicelib.settings import Settings
from tests.colleagues import colleague, create_user, created_user, resend
from tests.integration.access.test_authentication import assert_problem
from tests.integration.people.test_vendor_colleagues import colleague as vendor_colleague
from tests.integration.people.test_vendor_colleagues import invite
from tests.integration.vendors.test_vendor_people import vendor_person
from tests.people import Org, People, Person

PER_PERSON = 3
PER_GROUP = 5


@pytest.fixture
def tight(settings: Settings, container: Container) -> Container:
    """The app with 3 invitations a day per person and 5 per organisation or vendor."""
    limited = Container(
        settings=settings.model_copy(
            update={
                "invitations_per_person_per_day": PER_PERSON,
                "invitations_per_group_per_day": PER_GROUP,
            }
        ),
        clock=container.clock,
    )
    use_container(limited)
    return limited


def written() -> tuple[int, int, int]:
    """What an invitation writes: users, mails, and the counts of the limits."""
    return (
        sum(1 for _ in UserModel.scan()),
        sum(1 for _ in OutboxModel.scan()),
        sum(int(w.requests or 0) for w in CallerWindowModel.scan()),
    )


def invite_colleague(client: Any, admin: Person, org: Org, n: int, **headers: str) -> Any:
    body = colleague(org, email=f"bo.{admin.user_id}.{n}@example.org")
    return client.http.post(
        "/v1/users",
        headers={**admin.auth, "content-type": "application/json", **headers},
        body=json.dumps(body).encode(),
    )


def test_the_invitation_past_a_persons_daily_bound_is_refused_in_their_words_and_nothing_is_written(
    client, people: People, tight
):
    # Given an administrator who has sent the day's invitations
    org = people.organisation()
    admin = people.member(org)
    for n in range(PER_PERSON):
        assert invite_colleague(client, admin, org, n).status_code == 201
    before = written()

    # When they invite one more, in Danish and in English
    refused_da = invite_colleague(client, admin, org, 99, **{"accept-language": "da"})
    refused_en = invite_colleague(client, admin, org, 98)

    # Then each is 429 with Retry-After, in words a person understands
    for refused in (refused_da, refused_en):
        assert_problem(refused, 429, "too-many-requests")
        assert 0 < int(refused.headers["Retry-After"]) <= 24 * 3600
    assert "mange invitationer i dag" in json.loads(refused_da.body)["detail"]
    assert "many invitations today" in json.loads(refused_en.body)["detail"]
    # And nothing was written or mailed: no user, no mail, not even a count
    assert written() == before


def test_another_administrator_still_invites_until_the_organisations_bound(client, people: People, tight):
    # Given an administrator who has reached their own bound
    org = people.organisation()
    first, second = people.member(org), people.member(org)
    for n in range(PER_PERSON):
        assert invite_colleague(client, first, org, n).status_code == 201
    assert invite_colleague(client, first, org, 9).status_code == 429

    # When another administrator of the organisation invites
    answers = [invite_colleague(client, second, org, n).status_code for n in range(PER_PERSON)]

    # Then theirs pass until the organisation's bound, and the next is refused in the organisation's words
    assert answers == [201] * (PER_GROUP - PER_PERSON) + [429]
    refused = invite_colleague(client, second, org, 9, **{"accept-language": "da"})
    assert_problem(refused, 429, "too-many-requests")
    assert "I har sendt mange invitationer" in json.loads(refused.body)["detail"]
    # And another organisation's administrator is not held back by it
    other = people.organisation()
    assert invite_colleague(client, people.member(other), other, 0).status_code == 201


def test_the_next_day_the_administrator_invites_again(client, people: People, tight):
    # Given an administrator who reached the bound yesterday (the service's clock a day and a little behind)
    org = people.organisation()
    admin = people.member(org)
    use_container(Container(settings=tight.settings, clock=OffsetClock(-timedelta(hours=25))))
    for n in range(PER_PERSON):
        assert invite_colleague(client, admin, org, n).status_code == 201
    assert invite_colleague(client, admin, org, 9).status_code == 429

    # When it is today
    use_container(tight)

    # Then they invite again
    assert invite_colleague(client, admin, org, 10).status_code == 201


def test_sending_an_invitation_again_counts_as_an_invitation(client, people: People, tight):
    # Given an administrator who invited one colleague and sent it again until the bound
    org = people.organisation()
    admin = people.member(org)
    user = created_user(client, admin, colleague(org, email="gentag@example.org"))
    for _ in range(PER_PERSON - 1):
        assert resend(client, admin, user["user_id"]).status_code == 201
    before = written()

    # When they send it once more, or invite somebody new
    again = resend(client, admin, user["user_id"])
    new = create_user(client, admin, colleague(org, email="ny@example.org"))

    # Then both are refused, and nothing is written
    assert_problem(again, 429, "too-many-requests")
    assert_problem(new, 429, "too-many-requests")
    assert written() == before


def test_a_vendors_person_is_bounded_the_same_way(client, people: People, cognito, tight):
    # Given a vendor person who has sent the day's invitations
    made = vendor_person(client, people, cognito)
    for n in range(PER_PERSON):
        answer = invite(client, made.person, vendor_colleague(email=f"kollega{n}@techshop.example"))
        assert answer.status_code == 201, answer.body
    before = written()

    # When they invite one more
    refused = invite(client, made.person, vendor_colleague(email="en.til@techshop.example"))

    # Then it is 429 with Retry-After, and nothing is written or mailed
    assert_problem(refused, 429, "too-many-requests")
    assert int(refused.headers["Retry-After"]) > 0
    assert written() == before


def test_two_invitations_read_at_once_cannot_both_take_the_days_last_place(container: Container):
    # Given an inviting person with one invitation left today, and two invitations that both read the
    # windows before either was counted (two tabs, one click each)
    limits = InvitationLimits(per_person=1, per_group=5)
    now = container.clock.now()
    first = limits.admit(person_id="u-both", group="org#both", now=now)
    second = limits.admit(person_id="u-both", group="org#both", now=now)

    # When the first is counted in its transaction, and then the second in its own
    with transaction() as tx:
        first.count(tx)
    with pytest.raises(TransactWriteError), transaction() as tx:
        second.count(tx)

    # Then only the first was counted, in either window, and the next invitation is refused
    assert sum(int(w.requests or 0) for w in CallerWindowModel.scan()) == 2
    with pytest.raises(TooManyRequests):
        limits.admit(person_id="u-both", group="org#both", now=now)
