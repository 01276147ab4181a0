"""How many invitation mails one person, and one organisation or vendor, may send in a day.

An invitation goes to any address, with names the inviting person types, from our sender: without a bound, a
rogue administrator (or a vendor's person) could mail strangers by the thousand in our name. Each invitation
and each invitation sent again counts once for the person who sends it and once for their organisation (or
vendor), each in a sliding day (`GODKEND_INVITATIONS_PER_PERSON_PER_DAY`,
`GODKEND_INVITATIONS_PER_GROUP_PER_DAY`): bounds no honest administrator meets.

The counting is the anonymous requests' (`chalicelib/services/onboarding/caller_limits.py`): fixed windows in
the `caller-windows` table, a sliding estimate over the current and previous one
(`chalicelib/services/vendors/failure_limit.py`). The difference is where the count is written: in the
invitation's own transaction, under the condition that each window still has room. So a refused invitation
writes nothing at all (no count, no user, no mail), an invitation that fails for another reason counts
nothing, and two sent at once cannot both take the last place. Beyond a bound: 429 with `Retry-After`, the
whole seconds until one more would be counted.

Access patterns
- the sender's and the group's windows ...... BatchGetItem caller-windows[invitations-*/86400/<id>, start] x 2
                                              each, consistent
- count an invitation ....................... UpdateItem caller-windows[...] ADD requests 1 if below the room
                                              left, in the invitation's TransactWriteItems
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.transactions import TransactWrite

from chalicelib.errors import TooManyRequests
from chalicelib.models.caller_limit import CallerWindowModel, counts
from chalicelib.services.vendors.failure_limit import FailureLimit

DAY_SECONDS = 24 * 3600

PERSON_REFUSED = {
    "en": "You have sent many invitations today. Send the next one when Retry-After has passed, or ask "
    "support if you need to invite more people at once.",
    "da": "Du har sendt mange invitationer i dag. Send den næste senere, eller kontakt support, hvis I skal "
    "invitere mange på én gang.",
}
GROUP_REFUSED = {
    "en": "Your organisation has sent many invitations today. Send the next one when Retry-After has "
    "passed, or ask support if you need to invite more people at once.",
    "da": "I har sendt mange invitationer i dag. Send den næste senere, eller kontakt support, hvis I skal "
    "invitere mange på én gang.",
}


@dataclass(frozen=True)
class _Window:
    key: str
    limit: FailureLimit
    current: int
    previous: int
    refusal: dict[str, str]


@dataclass(frozen=True)
class Admission:
    """The windows an invitation counts in, read at `at`: counted by `count` in the invitation's own
    transaction."""

    at: int
    windows: tuple[_Window, ...]

    def count(self, tx: TransactWrite) -> None:
        for window in self.windows:
            start, _ = window.limit.windows(self.at)
            tx.update(
                CallerWindowModel(window.key, start),
                actions=[
                    CallerWindowModel.requests.add(1),
                    CallerWindowModel.expires_at.set(
                        datetime.fromtimestamp(window.limit.expiry_of(start), tz=UTC)
                    ),
                ],
                condition=CallerWindowModel.requests.does_not_exist()
                | (CallerWindowModel.requests < window.limit.room(self.at, window.previous)),
            )


class InvitationLimits:
    def __init__(self, *, per_person: int, per_group: int) -> None:
        self._person = FailureLimit(limit=per_person, window_seconds=DAY_SECONDS)
        self._group = FailureLimit(limit=per_group, window_seconds=DAY_SECONDS)

    def admit(self, *, person_id: str, group: str, now: datetime) -> Admission:
        """The windows one more invitation by `person_id` for `group` (`org#…`, `vendor#…`) counts in; or
        TooManyRequests, in the words of the bound that is full, having written nothing."""
        at = int(now.timestamp())
        wanted = [
            (f"invitations-by-person/{DAY_SECONDS}/{person_id}", self._person, PERSON_REFUSED),
            (f"invitations-by-group/{DAY_SECONDS}/{group}", self._group, GROUP_REFUSED),
        ]
        found = counts([(key, start) for key, limit, _ in wanted for start in limit.windows(at)])
        windows = []
        for key, limit, refusal in wanted:
            current, previous = limit.windows(at)
            windows.append(_Window(key, limit, found[(key, current)], found[(key, previous)], refusal))
        full = [w for w in windows if w.current >= w.limit.room(at, w.previous)]
        if full:
            wait = max(w.limit.retry_after(at, w.current, w.previous) or 1 for w in full)
            words = full[0].refusal
            raise TooManyRequests(words["en"], retry_after_seconds=wait, detail_da=words["da"])
        return Admission(at=at, windows=tuple(windows))
