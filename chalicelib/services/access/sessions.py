"""Sessions end when the person ends them: signing out, changing the password, and setting a new one with a
mailed code (*Glemt adgangskode?*, through the API or at the identity provider, whose trigger calls here) end
every session of the login at once, the caller's own included.

Both first revoke the login's refresh tokens at Cognito (global sign-out), so no new access token can be
drawn from a session that began before; then they move the record's `tokens_valid_from` to now, so every
access token already out answers 401 on its next request (the record is read on every request anyway).
In that order, a failure halfway leaves the caller's token working, so the same request can simply be made
again. A token issued in the same second as the change is refused too (`chalicelib/models/user.py`), so the
answer says from when a new sign-in is accepted: the next whole second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib.clock import Clock
from chalicelib.errors import FieldError, InvalidInput, Unauthenticated
from chalicelib.models.user import UserStatus, end_sessions_of, get_user, sign_in_from, valid_from
from chalicelib.services.access.authz import Principal

SAME_PASSWORD = {
    "en": "Choose a password other than the current one.",
    "da": "Vælg en anden adgangskode end den nuværende.",
}


class SessionDirectory(Protocol):
    def change_password(self, access_token: str, *, old: str, new: str) -> None: ...
    def end_sessions(self, username: str) -> None: ...


@dataclass(frozen=True)
class SessionsEnded:
    """Every token issued up to `ended_at` (a whole second) is refused; a sign-in from `sign_in_from` on is
    accepted, which is `wait_ms` after the answer."""

    ended_at: datetime
    sign_in_from: datetime
    wait_ms: int


def sessions_ended(changed_at: datetime, now: datetime) -> SessionsEnded:
    """What a client is told after a change that ended its sessions at `changed_at`, answered at `now`."""
    ended = valid_from(changed_at)
    first = sign_in_from(ended)
    wait = max(0, math.ceil((first - now).total_seconds() * 1000))
    return SessionsEnded(ended_at=ended, sign_in_from=first, wait_ms=wait)


class SessionService:
    def __init__(self, *, directory: SessionDirectory, clock: Clock) -> None:
        self._directory = directory
        self._clock = clock

    def sign_out(self, principal: Principal) -> SessionsEnded:
        """Sign out everywhere: every refresh token and every access token of the login, this one too."""
        return self._end_every_session(principal.user_id)

    def change_password(self, principal: Principal, *, old: str, new: str) -> SessionsEnded:
        """A new password, proven by the current one; then every session ends, so a session somebody else
        holds (who perhaps knew the old password) ends with it. The caller signs in again with the new one."""
        if old == new:
            raise InvalidInput(
                "The new password is the current one.",
                errors=[FieldError("new_password", SAME_PASSWORD["en"], translations=SAME_PASSWORD)],
            )
        self._directory.change_password(principal.access_token, old=old, new=new)
        return self._end_every_session(principal.user_id)

    def password_reset(self, username: str) -> None:
        """A password set with a mailed code (*Glemt adgangskode?*) ends every earlier session as signing
        out does: people reset because a laptop was stolen or a shared computer stayed signed in. Called
        only once the identity provider took the code, so a wrong code ends nothing. A login with no record
        here, or one no longer active, still has its refresh tokens revoked; its access tokens are refused
        anyway."""
        self._directory.end_sessions(username)
        user = get_user(username)
        if user is not None:
            end_sessions_of(user, self._clock.now())

    def _end_every_session(self, user_id: str) -> SessionsEnded:
        user = get_user(user_id)
        if user is None or user.status != UserStatus.ACTIVE.value:
            raise Unauthenticated("This login is not active.")
        self._directory.end_sessions(user.user_id)
        now = self._clock.now()
        end_sessions_of(user, now)
        return sessions_ended(now, self._clock.now())
