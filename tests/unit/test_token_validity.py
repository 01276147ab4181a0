"""The instant from which a user's tokens are accepted, at the boundary second (`iat` counts seconds): a token
issued in the second of a change may come from before it, so it loses that doubt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.tokens import AccessClaims
from chalicelib.clock import FixedClock
from chalicelib.errors import Unauthenticated
from chalicelib.models.user import UserModel, accepts_token_issued_at, sign_in_from, valid_from
from chalicelib.services.access.identity import IdentityService

CHANGE = datetime(2027, 1, 30, 21, 34, 10, 600_000, tzinfo=UTC)


def user_changed_at(at: datetime | None) -> UserModel:
    return UserModel(
        "u-1",
        org_id="org-1",
        first_name="Ida",
        last_name="Holm",
        email="ida@example.org",
        mobile="+4512345678",
        functions=["codes"],
        status="active",
        second_factor_enrolled=True,
        created_at=CHANGE - timedelta(days=1),
        tokens_valid_from=valid_from(at) if at else None,
    )


class OneToken:
    def __init__(self, issued_at: datetime) -> None:
        self.issued_at = issued_at

    def verify(self, token: str) -> AccessClaims:
        return AccessClaims(
            subject="u-1",
            username="u-1",
            groups=frozenset(),
            auth_time=self.issued_at,
            issued_at=self.issued_at,
            expires_at=self.issued_at + timedelta(hours=1),
            raw={},
        )


class NoDirectory:
    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the directory was asked: {name}")


def identity(user: UserModel, issued_at: datetime) -> IdentityService:
    return IdentityService(
        verifier=OneToken(issued_at),
        directory=NoDirectory(),  # type: ignore[arg-type]
        find_user=lambda _: user,
        record_second_factor=lambda _: None,
        staff_group="staff",
        clock=FixedClock(CHANGE),
        sms=NoDirectory(),  # type: ignore[arg-type]
        code_key=b"k" * 32,
    )


def test_valid_from_is_the_change_cut_to_its_second_and_a_sign_in_is_accepted_from_the_next():
    assert valid_from(CHANGE) == CHANGE.replace(microsecond=0)
    assert sign_in_from(valid_from(CHANGE)) == CHANGE.replace(microsecond=0) + timedelta(seconds=1)


@pytest.mark.parametrize(
    ("issued", "accepted"),
    [
        (CHANGE.replace(microsecond=0) - timedelta(seconds=1), False),  # the second before the change
        # The change's own second: a token from just before the change (a colleague signed in, then
        # disabled) and one from just after it (a sign-in right after enrolment) look the same; refused.
        (CHANGE.replace(microsecond=0), False),
        (CHANGE.replace(microsecond=0) + timedelta(seconds=1), True),  # the next second on
    ],
)
def test_a_token_is_accepted_from_the_second_after_the_last_change(issued: datetime, accepted: bool):
    # Given a user whose state changed at CHANGE, and a token issued at `issued` (whole seconds)
    user = user_changed_at(CHANGE)
    service = identity(user, issued)

    # Then the model and the service agree, on every request and without another read
    assert accepts_token_issued_at(user, issued) is accepted
    if accepted:
        assert service.authenticate("Bearer t").user_id == "u-1"
    else:
        with pytest.raises(Unauthenticated, match="sign in again"):
            service.authenticate("Bearer t")


def test_a_user_never_changed_accepts_any_token():
    assert accepts_token_issued_at(user_changed_at(None), datetime(2000, 1, 1, tzinfo=UTC))
