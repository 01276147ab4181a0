"""How many letters may go to one company's official mailbox: a few per CVR in a 24-hour window.

Every letter is a real letter to a real company (Digital Post), and anybody can make one go out, with an
application, or, signed in, by naming a subsidiary. So each CVR has a counter (`LetterQuotaModel`), written
in the same transaction as the letter under a condition that it was not moved on meanwhile: concurrent
writers never send more than the quota, and a refused letter writes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.expressions.condition import Condition

from chalicelib.errors import TooManyRequests
from chalicelib.models.application import LetterQuotaModel, get_letter_quota

QUOTA_WINDOW = timedelta(hours=24)


def one_more_letter(cvr: str, now: datetime, letters_per_day: int) -> tuple[LetterQuotaModel, Condition]:
    """The quota item as it will be after one more letter, and the condition that it was not moved on
    meanwhile: `tx.save(*one_more_letter(...))`. Raises 429 when the window's letters are spent."""
    current = get_letter_quota(cvr)
    if current is None or current.window_started_at <= now - QUOTA_WINDOW:
        condition: Condition = (
            LetterQuotaModel.cvr.does_not_exist()
            if current is None
            else LetterQuotaModel.window_started_at == current.window_started_at
        )
        return _quota_item(cvr, now, 1), condition
    if current.letters >= letters_per_day:
        wait = current.window_started_at + QUOTA_WINDOW - now
        raise TooManyRequests(
            "Enough letters have gone to this company's official mailbox for now; try again when "
            "Retry-After has passed.",
            retry_after_seconds=max(1, int(wait.total_seconds()) + 1),
        )
    return _quota_item(cvr, current.window_started_at, int(current.letters) + 1), (
        (LetterQuotaModel.window_started_at == current.window_started_at)
        & (LetterQuotaModel.letters == current.letters)
    )


def _quota_item(cvr: str, window_started_at: datetime, letters: int) -> LetterQuotaModel:
    return LetterQuotaModel(
        cvr,
        window_started_at=window_started_at,
        letters=letters,
        delete_after=window_started_at + QUOTA_WINDOW + timedelta(days=1),
    )
