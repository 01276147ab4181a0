"""A company's official mailbox as Godkend writes to it: when the last letter went, and the letter being
gathered for it (`chalicelib/services/onboarding/mailboxes.py` has the rules).

One item per CVR. A letter that goes out at once sets `last_letter_at`; a letter asked for while a recent
one went to the mailbox is gathered instead: the item holds the gathered letter's id, when it is due
(`gathering_due_at`), and what it carries (application ids, and the organisations whose claims wait for
their proof code). While a letter is gathered, `gathering` is "open", which puts the item into the sparse
`by-gathering-due` index that the scheduled sender queries by due time; sending it removes the attribute,
so the index holds only letters still to send and the sender's cost grows with the letters, not the table.
Every write is a whole put under the item's version, so two requests never both take the same quiet
mailbox, and none joins a letter that has just gone.

The table keeps its first name, `letter-quotas`: it is still what bounds the letters per CVR.

Access patterns
- a CVR's mailbox ............................ GetItem letter-quotas[cvr], consistent
- take it, or join its gathered letter ....... PutItem letter-quotas[cvr] under its version, in the
                                              transaction that writes the application or claim
- gathered letters due by now ................ Query letter-quotas.by-gathering-due["open"], due_at <= now
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pynamodb.attributes import (
    ListAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name

GATHERING = "open"


class MailboxesByGatheringDue(GlobalSecondaryIndex["MailboxModel"]):
    """Mailboxes with a gathered letter to send, by when it is due. Keys only: the sender reads the item
    itself, consistently, before it writes."""

    class Meta:
        index_name = "by-gathering-due"
        projection = KeysOnlyProjection()

    gathering = UnicodeAttribute(hash_key=True)
    gathering_due_at = UTCDateTimeAttribute(range_key=True)


class MailboxModel(Model):
    class Meta:
        table_name = table_name("letter-quotas")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    cvr = UnicodeAttribute(hash_key=True)
    # The register's name and official mailbox for the CVR, as the latest letter was addressed.
    company_name = UnicodeAttribute(null=True)
    official_mailbox = UnicodeAttribute(null=True)
    # When the latest letter went to the mailbox (written to the outbox).
    last_letter_at = UTCDateTimeAttribute(null=True)
    # "open" while a letter is gathered (the sparse index's only partition), with its due time and id.
    gathering = UnicodeAttribute(null=True)
    gathering_due_at = UTCDateTimeAttribute(null=True)
    gathering_id = UnicodeAttribute(null=True)
    # What the gathered letter carries: application ids (for this CVR), and the org ids of the claims on
    # this CVR waiting for their proof code. Ids only: the people are in the applications and claims.
    gathered_applications = ListAttribute(of=UnicodeAttribute, null=True)
    gathered_claims = ListAttribute(of=UnicodeAttribute, null=True)
    version = VersionAttribute()
    delete_after = TTLAttribute()

    by_gathering_due = MailboxesByGatheringDue()

    @property
    def is_gathering(self) -> bool:
        return self.gathering == GATHERING and self.gathering_due_at is not None

    @property
    def waiting_applications(self) -> list[str]:
        return [str(application_id) for application_id in self.gathered_applications or []]

    @property
    def waiting_claims(self) -> list[str]:
        return [str(org_id) for org_id in self.gathered_claims or []]


def get_mailbox(cvr: str) -> MailboxModel | None:
    try:
        return MailboxModel.get(cvr, consistent_read=True)
    except MailboxModel.DoesNotExist:
        return None


def gathered_letters_due(now: datetime) -> Iterator[str]:
    """The CVRs whose gathered letter is due by `now`, earliest first (from the index: check the item)."""
    for key in MailboxModel.by_gathering_due.query(
        GATHERING, range_key_condition=MailboxModel.gathering_due_at <= now
    ):
        yield key.cvr
