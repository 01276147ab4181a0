"""The last-administrator guard: an organisation always keeps an active user with the `users` function, also
when two changes that would each take one away race."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.errors import LastAdministrator
from chalicelib.models.audit import Origin
from chalicelib.models.outbox import MailKind
from chalicelib.models.user import UserModel, UserStatus, active_administrators, get_user
from chalicelib.services.access.authz import Access, CompanyScope, Function, Principal
from chalicelib.services.people.colleagues import ColleagueChanges, ColleagueService
from tests.colleagues import colleague, created_user, delete_user, patch_user, record
from tests.integration.access.test_authentication import assert_problem
from tests.onboarding import mail, trail
from tests.people import Org, People, Person

DEMOTE = {"functions": ["codes"]}
DISABLE = {"status": "disabled"}


def test_the_only_administrator_can_be_neither_demoted_nor_disabled_nor_deleted(client, people: People):
    # Given an organisation whose only administrator also has a colleague without the `users` function
    org = people.organisation()
    admin = people.member(org)
    people.member(org, functions=[Function.CODES])
    before = record(admin.user_id)

    # Then taking the function away, disabling or deleting them is refused, even by themselves
    for response in (
        patch_user(client, admin, admin.user_id, DEMOTE),
        patch_user(client, admin, admin.user_id, DISABLE),
        patch_user(client, admin, admin.user_id, {**DEMOTE, "first_name": "Anna"}),
        delete_user(client, admin, admin.user_id),
    ):
        body = assert_problem(response, 409, "last-administrator")
        assert "users" in body["detail"]

    # And nothing changed, and nothing was mailed or audited
    after = record(admin.user_id)
    assert (after.functions, after.status, after.first_name, after.version) == (
        before.functions,
        before.status,
        before.first_name,
        before.version,
    )
    assert trail(org.org_id) == []
    assert mail(MailKind.ADMINISTRATORS_CHANGED) == []


def test_with_two_administrators_one_may_go_and_then_the_other_is_the_last(client, people: People):
    org = people.organisation()
    first, second = people.member(org), people.member(org)

    assert patch_user(client, first, second.user_id, DEMOTE).status_code == 200

    assert_problem(patch_user(client, first, first.user_id, DEMOTE), 409, "last-administrator")
    assert [a.user_id for a in active_administrators(org.org_id)] == [first.user_id]


def test_an_invited_or_disabled_holder_of_the_users_function_does_not_count(client, people: People):
    # Given an active administrator, a disabled one, and an invited one
    org = people.organisation()
    admin, disabled = people.member(org), people.member(org)
    assert patch_user(client, admin, disabled.user_id, DISABLE).status_code == 200
    created_user(client, admin, colleague(org, functions=["users"]))

    # Then the active one is the last administrator
    assert_problem(delete_user(client, admin, admin.user_id), 409, "last-administrator")


def test_enabling_a_disabled_administrator_lets_the_other_go(client, people: People):
    org = people.organisation()
    admin, other = people.member(org), people.member(org)
    patch_user(client, admin, other.user_id, DISABLE)
    assert_problem(delete_user(client, admin, admin.user_id), 409, "last-administrator")

    assert patch_user(client, admin, other.user_id, {"status": "active"}).status_code == 200

    assert delete_user(client, admin, admin.user_id).status_code == 204


# The race


class RivalFirst:
    """A clock whose first reading lets a rival change commit: the service has read everything it checks by
    then (target, administrators, witness) and not yet written, so both changes work from reads taken
    before either write."""

    def __init__(self, rival: Callable[[], Any]) -> None:
        self._rival: Callable[[], Any] | None = rival
        self.rival_result: Any = None

    def now(self) -> datetime:
        if self._rival is not None:
            rival, self._rival = self._rival, None
            self.rival_result = rival()
        return datetime.now(UTC)


def principal_of(person: Person, org: Org) -> Principal:
    """The administrator as the service sees them after authentication: every function, full scope."""
    return Principal(
        user_id=person.user_id,
        org_id=org.org_id,
        functions=frozenset(Function),
        companies={c.cvr: CompanyScope(c.cvr, Access.FULL) for c in org.companies},
    )


def change(kind: str) -> Callable[[ColleagueService, Principal, str], Any]:
    def act(service: ColleagueService, principal: Principal, user_id: str) -> Any:
        origin = Origin("10.0.0.1", "race")
        if kind == "delete":
            return service.delete(principal, user_id, origin=origin)
        body = DEMOTE if kind == "demote" else DISABLE
        return service.update(principal, user_id, ColleagueChanges.model_validate(body), origin=origin)

    return act


def removed(user_id: str) -> bool:
    user = get_user(user_id)
    return user is None or user.status != UserStatus.ACTIVE.value or "users" not in user.functions


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [("demote", "demote"), ("disable", "delete"), ("delete", "demote"), ("delete", "delete")],
)
def test_two_changes_racing_to_remove_the_last_two_administrators_cannot_both_win(
    client, people: People, container, ours, theirs
):
    # Given an organisation with exactly two administrators, A and B
    org = people.organisation()
    a, b = people.member(org), people.member(org)
    plain = ColleagueService(
        logins=container.logins, clock=container.clock, limits=container.invitation_limits
    )

    # And a change to A by B whose reads are done when a rival change to B by A commits
    def rival() -> Any:
        return change(theirs)(plain, principal_of(a, org), b.user_id)

    clock = RivalFirst(rival)
    racing = ColleagueService(logins=container.logins, clock=clock, limits=container.invitation_limits)

    # When the change to A then tries to commit
    with pytest.raises(LastAdministrator):
        change(ours)(racing, principal_of(b, org), a.user_id)

    # Then the rival won, the change to A was refused, and A remains the organisation's administrator
    assert removed(b.user_id)
    assert not removed(a.user_id)
    assert [admin.user_id for admin in active_administrators(org.org_id)] == [a.user_id]
    assert len(trail(org.org_id)) == 1


def test_a_stale_witness_is_replaced_by_another_administrator_who_remains(client, people: People, container):
    # Given three administrators A, B and C, and a demotion of A that picked B as the one who remains
    org = people.organisation()
    a, b, c = people.member(org), people.member(org), people.member(org)
    plain = ColleagueService(
        logins=container.logins, clock=container.clock, limits=container.invitation_limits
    )

    # When B is demoted by someone else after the demotion of A read the administrators
    clock = RivalFirst(lambda: change("demote")(plain, principal_of(c, org), b.user_id))
    racing = ColleagueService(logins=container.logins, clock=clock, limits=container.invitation_limits)
    change("demote")(racing, principal_of(c, org), a.user_id)

    # Then the demotion of A read again and went through with C as the one who remains
    assert removed(a.user_id)
    assert removed(b.user_id)
    assert [admin.user_id for admin in active_administrators(org.org_id)] == [c.user_id]


def test_the_guard_checks_the_witness_in_the_transaction_not_only_when_reading(people: People):
    # Given two administrators, both read before either changes
    org = people.organisation()
    a, b = people.member(org), people.member(org)
    stale_a, stale_b = UserModel.get(a.user_id), UserModel.get(b.user_id)

    # When A is demoted with B as witness, and then B from its stale read with A as witness
    from chalicelib.models.base import transaction
    from chalicelib.models.user import administrator_condition
    from chalicelib.models.user import set_functions as demoted

    def demote(target: UserModel, witness: UserModel) -> None:
        with transaction() as tx:
            tx.condition_check(UserModel, witness.user_id, condition=administrator_condition(org.org_id))
            tx.update(target, actions=[demoted(["codes"])], add_version_condition=False)

    demote(stale_a, stale_b)

    # Then the second is cancelled by its witness check alone
    from pynamodb.exceptions import TransactWriteError

    with pytest.raises(TransactWriteError) as refused:
        demote(stale_b, stale_a)
    assert [r.code if r else None for r in refused.value.cancellation_reasons] == [
        "ConditionalCheckFailed",
        None,
    ]
    assert [admin.user_id for admin in active_administrators(org.org_id)] == [b.user_id]
