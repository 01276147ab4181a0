"""The mail outbox. A service that causes a mail writes an outbox item in the same DynamoDB transaction as
the change itself, so the mail exists if and only if the change committed. The table's stream then drives
delivery (`chalicelib/events/mail.py`); the stream carries only the message id.

    with transaction() as tx:
        tx.save(code, condition=...)
        tx.save(*outgoing(MailKind.CODE_ISSUED, to=Recipient(...), language="da", context={...},
                          secrets={"code": value}, message_id=f"code-issued:{code_id}:{n}"))

`secrets` (a code, an activation code, an invitation token) are kept apart from the context so that they
can be removed from the item as soon as the mail is sent; the item itself expires after RETENTION.

A mail is found by its recipient's address (`subject`, the `by-subject` index). A mail that names somebody
else in its context (a letter's applicant, the colleague and the administrator in a mail to the
administrators) says whom (`mentions`), and its transaction writes a pointer per address
(`chalicelib/models/mentions.py`), so that a person's access or erasure request finds it too.

Access patterns
- message by id ..................... GetItem outbox[message_id]
- messages by status, oldest first .. Query outbox.by-status[status] (staff: failed mail; the sweeper:
                                      queued ones created before a time)
- a person's mail (access, erasure) . Query outbox.by-subject[subject], then BatchGetItem; mail naming them
                                      through their pointers (mentions[subject])
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name
from chalicelib.models.retention import subject_of

RETENTION = timedelta(days=90)
# Context variables that hold the address of a person the mail is about (not its recipient): a letter to a
# company's official mailbox names its applicant, or, gathered, each applicant and asker in a block of its
# own. Such a mail names those people without being told to.
MENTIONED_BY_ADDRESS = ("applicant_email",)
BLOCKS = ("applications", "proofs")


def addresses_named_in(context: dict[str, Any]) -> tuple[str, ...]:
    """The addresses of the people a context names (MENTIONED_BY_ADDRESS), blocks included, once each."""
    blocks = (block for key in BLOCKS for block in context.get(key) or [] if isinstance(block, dict))
    scopes = [context, *blocks]
    found = (str(scope[key]) for scope in scopes for key in MENTIONED_BY_ADDRESS if scope.get(key))
    return tuple(dict.fromkeys(found))


class MailKind(StrEnum):
    """Each kind has templates in chalicelib/mail/templates/<kind>/ (see chalicelib/mail/render.py)."""

    CODE_ISSUED = "code_issued"
    # To the official mailbox on record for a CVR: the username and activation code of a new administrator.
    ACTIVATION_LETTER = "activation_letter"
    # To a subsidiary's official mailbox: the code that proves it belongs to the organisation.
    PROOF_LETTER = "proof_letter"
    # To an organisation's administrators: staff approved, rejected or suspended the organisation.
    DECISION = "decision"
    # To an organisation's remaining administrators: support removed one of its logins.
    LOGIN_REMOVED = "login_removed"
    # To a colleague an administrator created: the username and a single-use invitation code.
    INVITATION = "invitation"
    # To an organisation's administrators: someone gained or lost the `users` function.
    ADMINISTRATORS_CHANGED = "administrators_changed"
    # To a code's representative and to whoever issued its value: it expires in 7 days, or tomorrow.
    CODE_EXPIRING = "code_expiring"
    # To the same two: the value expired yesterday; how to get it renewed.
    CODE_EXPIRED = "code_expired"
    # To a vendor's contact: its webhook endpoint kept failing, so deliveries are paused.
    WEBHOOK_PAUSED = "webhook_paused"
    # To a support case's sender: staff's answer, with the case's reference and nothing the sender wrote.
    SUPPORT_ANSWER = "support_answer"
    # To the users with `codes` and the code's account in scope: a representative asked for a new code.
    RENEWAL_REQUESTED = "renewal_requested"
    # To a representative: the organisation declined their request for a new code, with its reason.
    RENEWAL_DECLINED = "renewal_declined"


class Language(StrEnum):
    DA = "da"
    EN = "en"


class MailStatus(StrEnum):
    QUEUED = "queued"  # waiting for the stream to deliver it
    SENT = "sent"
    FAILED = "failed"  # parked after the last attempt; staff can retry it
    SUPPRESSED = "suppressed"  # the address bounced or complained earlier; not sent
    BOUNCED = "bounced"  # sent, and the recipient's server reported a permanent bounce
    COMPLAINED = "complained"  # sent, and the recipient marked it as spam


class OutboxByStatus(GlobalSecondaryIndex["OutboxModel"]):
    class Meta:
        index_name = "by-status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class OutboxBySubject(GlobalSecondaryIndex["OutboxModel"]):
    """Messages by their recipient's address (`retention.subject_of`), for staff answering an access or
    erasure request. Keys only: an index must never hold a copy of a message's secrets."""

    class Meta:
        index_name = "by-subject"
        projection = KeysOnlyProjection()

    subject = UnicodeAttribute(hash_key=True)
    message_id = UnicodeAttribute(range_key=True)


class OutboxModel(Model):
    class Meta:
        table_name = table_name("outbox")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE
        # Keys only: the mailer reads the item itself, so a code or an activation code never travels in a
        # stream record (records stay readable for 24 hours, long after the item has dropped its secrets).
        stream_view_type = "KEYS_ONLY"

    message_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    language = UnicodeAttribute(default=Language.DA.value)
    to_address = UnicodeAttribute()
    to_name = UnicodeAttribute()
    context = JSONAttribute(default=dict)
    secrets = JSONAttribute(null=True)
    status = UnicodeAttribute(default=MailStatus.QUEUED.value)
    # Bumped by a staff retry, so the stream delivers the item again.
    generation = NumberAttribute(default=0)
    attempts = NumberAttribute(default=0)
    # Times the sweeper found this generation stuck in `queued` and drove it again (chalicelib/services/
    # mail_sweeper.py); a staff retry starts again from zero.
    swept = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    provider_message_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    sent_at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute()
    # The recipient's address as an access request finds it, or the digest once it was erased.
    subject = UnicodeAttribute(null=True)
    version = VersionAttribute()

    by_status = OutboxByStatus()
    by_subject = OutboxBySubject()

    # Whom the mail names besides its recipient, for the transaction that writes it
    # (chalicelib/models/base.py); not an attribute.
    mentioned: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str


def outgoing(
    kind: MailKind,
    *,
    to: Recipient,
    language: Language | str,
    context: dict[str, Any],
    now: datetime,
    secrets: dict[str, Any] | None = None,
    message_id: str | None = None,
    mentions: tuple[str, ...] = (),
) -> tuple[OutboxModel, Condition]:
    """An outbox item and the condition to save it under: `tx.save(*outgoing(...))`.

    Give a `message_id` derived from what causes the mail when the same cause could be written twice; the
    condition then makes the second write fail instead of mailing twice. Give `mentions`, the addresses of
    the people the context names besides the recipient (an address in MENTIONED_BY_ADDRESS counts without
    being given, in a letter's blocks too), so that their requests about their data find the mail.
    """
    message = OutboxModel(
        message_id or f"{kind.value}:{uuid.uuid4()}",
        kind=kind.value,
        language=Language(language).value,
        to_address=to.address,
        to_name=to.name,
        subject=subject_of(to.address),
        context=context,
        secrets=secrets or None,
        created_at=now,
        expires_at=now + RETENTION,
    )
    message.mentioned = (*mentions, *addresses_named_in(context))
    return message, OutboxModel.message_id.does_not_exist()


def get_message(message_id: str) -> OutboxModel | None:
    try:
        return OutboxModel.get(message_id)
    except OutboxModel.DoesNotExist:
        return None
