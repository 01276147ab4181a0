"""Applications for a login, and the activation codes their letters carry.

Every application stands on its own: it is kept under its CVR number and its own id, with its own block in a
letter, so a stranger's pending application never blocks or absorbs the company's own. What bounds the
letters is the pacing per official mailbox (`chalicelib/models/mailbox.py`, `chalicelib/services/
mailboxes.py`): an application's letter goes at once to a quiet mailbox, or is gathered into the next letter
to it, which names every application it carries. The application holds what the applicant typed; the
activation holds the secret's keyed hash, its tries and its state, under the username printed in the letter.
A gathered application's activation is written with its letter. Activating one application voids the others
for its CVR.

Access patterns
- one application ........................... GetItem applications[cvr, application_id]
- a gathered letter's applications .......... BatchGetItem applications[cvr, application_id], consistent
- a CVR's applications ...................... Query applications[cvr] (to void the others at activation)
- an activation by the username in a letter . GetItem activations[username] (consistent read)
- count a try before comparing .............. UpdateItem activations[username] ADD attempts 1 if < 5
- letters whose 2-hour promise is due ....... Query applications.by-letter-watch["pending"], due_by <= now
- letters that broke it, latest due first ... Query applications.by-letter-watch["overdue"], descending

The letter watch (chalicelib/services/onboarding/letter_promise.py) is a sparse index: a new application is
written with `letter_watch = "pending"`; the check removes the attribute once it sees the letter sent in time,
or moves it to "overdue" when it was not, so each application is looked at once after its due time and the
"pending" partition only ever holds letters whose promise is still open.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name
from chalicelib.models.retention import APPLICATION_AFTER_LETTER

LETTER_PROMISE = timedelta(hours=2)
ACTIVATION_VALIDITY = timedelta(days=14)
MAX_ATTEMPTS = 5
# A claim older than this belongs to a request that died mid-way (Lambda's timeout is 30 s); it may be
# taken over, so that a crash can never leave an activation stuck.
STALE_CLAIM = timedelta(minutes=5)
# Applicants' personal data is not kept longer than the activation could still matter: an application is
# removed this long after its letter's code expired (chalicelib/models/retention.py).
RETENTION_AFTER_EXPIRY = APPLICATION_AFTER_LETTER


class ApplicationStatus(StrEnum):
    PENDING = "pending"  # a letter is on its way or waiting to be used
    ACTIVATED = "activated"
    LOCKED = "locked"  # too many wrong tries; a new application sends a new letter
    VOIDED = "voided"  # another application for the same CVR was activated


class ActivationStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"  # the right code was given; the login is being created
    USED = "used"
    LOCKED = "locked"


class LetterWatch(StrEnum):
    PENDING = "pending"  # the letter's promise is open: due in the future, or due and not yet checked
    OVERDUE = "overdue"  # the check found it not delivered by letter_due_by


class ApplicationsByLetterWatch(GlobalSecondaryIndex["ApplicationModel"]):
    """Applications whose letter is watched, by due time. What the check and the staff list need, without the
    applicant's form: personal data is not copied into an index that does not need it."""

    class Meta:
        index_name = "by-letter-watch"
        projection = IncludeProjection(
            [
                "application_id",
                "org_id",
                "company_name",
                "official_mailbox",
                "status",
                "created_at",
                "letter_overdue_at",
            ]
        )

    letter_watch = UnicodeAttribute(hash_key=True)
    letter_due_by = UTCDateTimeAttribute(range_key=True)


class ApplicationsBySubject(GlobalSecondaryIndex["ApplicationModel"]):
    """Applications by the applicant's e-mail address, for staff answering an access or erasure request."""

    class Meta:
        index_name = "by-subject"
        projection = AllProjection()

    subject = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ApplicationModel(Model):
    class Meta:
        table_name = table_name("applications")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    cvr = UnicodeAttribute(hash_key=True)
    application_id = UnicodeAttribute(range_key=True)
    # The organisation the administrator will belong to: a new id, or the one that already owns the CVR.
    org_id = UnicodeAttribute()
    # What the applicant sent, normalised (name, subsidiaries, accounts, applicant, language).
    form = JSONAttribute()
    # Where the letter went: the company register's entry, never anything from the form.
    company_name = UnicodeAttribute()
    official_mailbox = UnicodeAttribute()
    username = UnicodeAttribute()
    status = UnicodeAttribute(default=ApplicationStatus.PENDING.value)
    created_at = UTCDateTimeAttribute()
    letter_due_by = UTCDateTimeAttribute()
    code_expires_at = UTCDateTimeAttribute()
    activated_at = UTCDateTimeAttribute(null=True)
    # The outbox id of the gathered letter that carries this application
    # (`chalicelib/services/onboarding/mailboxes.py`); absent when its letter went at once, under
    # `letter_message_id(application_id)`.
    letter_id = UnicodeAttribute(null=True)
    # LetterWatch while the letter's promise is watched; absent once the letter was seen delivered in time.
    letter_watch = UnicodeAttribute(null=True)
    # When the check found the letter overdue.
    letter_overdue_at = UTCDateTimeAttribute(null=True)
    delete_after = TTLAttribute()
    # The applicant's e-mail as an access request finds it (`retention.subject_of`), or the digest that
    # stands for it once the applicant's data was erased.
    subject = UnicodeAttribute(null=True)

    by_letter_watch = ApplicationsByLetterWatch()
    by_subject = ApplicationsBySubject()

    def is_pending(self, now: datetime) -> bool:
        return self.status == ApplicationStatus.PENDING.value and now < self.code_expires_at


def letter_message_id(application_id: str) -> str:
    """The outbox message id of the letter an application got at once: one letter per application, never
    two. A gathered application's letter is `letter_id`; `letter_of` names either."""
    return f"activation_letter:{application_id}"


def letter_of(application: ApplicationModel) -> str:
    """The outbox message id of the letter that carries the application (or will)."""
    return application.letter_id or letter_message_id(application.application_id)


def letters_due(now: datetime) -> Iterator[ApplicationModel]:
    """Applications whose letter's promise is open and due by `now`, oldest due first (index projection)."""
    return iter(
        ApplicationModel.by_letter_watch.query(
            LetterWatch.PENDING.value, range_key_condition=ApplicationModel.letter_due_by <= now
        )
    )


def _still_watched(application: ApplicationModel) -> Condition:
    # The same application, still in the same watch state.
    condition: Condition = (ApplicationModel.application_id == application.application_id) & (
        ApplicationModel.letter_watch == LetterWatch.PENDING.value
    )
    return condition


def close_letter_watch(application: ApplicationModel) -> bool:
    """The letter was delivered in time: out of the index. False when another check got there first."""
    return _update_if(application, [ApplicationModel.letter_watch.remove()])


def mark_letter_overdue(application: ApplicationModel, now: datetime) -> bool:
    """The letter broke its promise: into the overdue partition. False when another check got there first,
    so that concurrent checks count each overdue letter once."""
    return _update_if(
        application,
        [
            ApplicationModel.letter_watch.set(LetterWatch.OVERDUE.value),
            ApplicationModel.letter_overdue_at.set(now),
        ],
    )


def _update_if(application: ApplicationModel, actions: list[Action]) -> bool:
    try:
        # A fresh object: the one from the index holds only the projected attributes.
        ApplicationModel(application.cvr, application.application_id).update(
            actions=actions, condition=_still_watched(application)
        )
    except UpdateError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def overdue_letters_page(
    *, limit: int, start: dict[str, Any] | None
) -> tuple[list[ApplicationModel], dict[str, Any] | None]:
    """One page of the applications whose letter was overdue, latest due first, and the key to go on from."""
    # One more than asked for tells whether another page exists, so the last page is never an empty one.
    found = list(
        ApplicationModel.by_letter_watch.query(
            LetterWatch.OVERDUE.value,
            scan_index_forward=False,
            limit=limit + 1,
            page_size=limit + 1,
            last_evaluated_key=start,
        )
    )
    if len(found) <= limit:
        return found, None
    last = found[limit - 1]
    return found[:limit], {
        "cvr": {"S": last.cvr},
        "application_id": {"S": last.application_id},
        "letter_watch": {"S": LetterWatch.OVERDUE.value},
        "letter_due_by": {"S": ApplicationModel.letter_due_by.serialize(last.letter_due_by)},
    }


def applications_by_id(cvr: str, application_ids: Sequence[str]) -> dict[str, ApplicationModel]:
    """The applications of a CVR with these ids that still exist, read consistently in one batch."""
    keys = [(cvr, application_id) for application_id in application_ids]
    return (
        {a.application_id: a for a in ApplicationModel.batch_get(keys, consistent_read=True)} if keys else {}
    )


def applications_for(cvr: str) -> list[ApplicationModel]:
    """Every application kept for a CVR (bounded by the letters' pacing: at most a letter's worth an
    interval)."""
    return list(ApplicationModel.query(cvr, consistent_read=True))


class ActivationModel(Model):
    class Meta:
        table_name = table_name("activations")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    username = UnicodeAttribute(hash_key=True)
    application_id = UnicodeAttribute()
    cvr = UnicodeAttribute()
    org_id = UnicodeAttribute()
    # HMAC-SHA256 of the code under GODKEND_ACTIVATION_KEY; the code itself is never stored here.
    code_digest = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    status = UnicodeAttribute(default=ActivationStatus.PENDING.value)
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    claimed_at = UTCDateTimeAttribute(null=True)
    used_at = UTCDateTimeAttribute(null=True)
    delete_after = TTLAttribute()


def get_application(cvr: str, application_id: str) -> ApplicationModel | None:
    try:
        return ApplicationModel.get(cvr, application_id, consistent_read=True)
    except ApplicationModel.DoesNotExist:
        return None


def get_activation(username: str) -> ActivationModel | None:
    try:
        return ActivationModel.get(username, consistent_read=True)
    except ActivationModel.DoesNotExist:
        return None


def claimable(now: datetime) -> Condition:
    """Open to a try: waiting, or claimed by a request that died before finishing."""
    condition: Condition = (ActivationModel.status == ActivationStatus.PENDING.value) | (
        (ActivationModel.status == ActivationStatus.CLAIMED.value)
        & (ActivationModel.claimed_at < now - STALE_CLAIM)
    )
    return condition
