"""Support cases: what a person wrote through *Kontakt support*, and what staff answered.

Anyone may file a case (`POST /v1/support/cases`), so a case holds only what its sender typed and staff's
answers, and it is mailed to nobody but the address it gives, with staff's words only. The case's id is the
reference the sender is shown and may quote (`S-7K3M-9QXD`): short, unambiguous when read aloud or typed.

A case is kept 12 months after its last change (filed, answered, closed; `purge_at`, the table's TTL;
chalicelib/models/retention.py): long enough to look up an earlier case of the same organisation, no longer.

Access patterns
- one case ............................... GetItem support-cases[case_id] (consistent read)
- file a case ............................ PutItem support-cases[case_id] if absent
- cases by status, newest first .......... Query support-cases.by-status[status] ScanIndexForward=false,
                                           Limit, cursor (staff's list)
- answer, close .......................... UpdateItem support-cases[case_id] if open and unchanged (version),
                                           in the transaction that writes the mail and the audit entry
- a person's cases (access, erasure) ..... Query support-cases.by-subject[subject], then GetItem
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CaseTopic(StrEnum):
    ADMINISTRATOR_LEFT = "administrator_left"  # the seed's "contact support so we can delete the old login"
    SIGN_IN = "sign_in"
    OTHER = "other"


class CasesByStatus(GlobalSecondaryIndex["SupportCaseModel"]):
    class Meta:
        index_name = "by-status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class CasesBySubject(GlobalSecondaryIndex["SupportCaseModel"]):
    """Cases by their sender's address (`retention.subject_of`), for a person's access or erasure request."""

    class Meta:
        index_name = "by-subject"
        projection = KeysOnlyProjection()

    subject = UnicodeAttribute(hash_key=True)
    case_id = UnicodeAttribute(range_key=True)


class SupportCaseModel(Model):
    class Meta:
        table_name = table_name("support-cases")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    case_id = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute(default=CaseStatus.OPEN.value)
    topic = UnicodeAttribute(default=CaseTopic.OTHER.value)
    organisation = UnicodeAttribute()
    cvr = UnicodeAttribute(null=True)
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    message = UnicodeAttribute()
    # The language the case was written in; staff's answers are mailed in it.
    language = UnicodeAttribute(default="da")
    # Staff's answers, oldest first: [{"at", "staff_id", "text"}].
    answers = JSONAttribute(default=list)
    answer_count = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    closed_at = UTCDateTimeAttribute(null=True)
    closed_by = UnicodeAttribute(null=True)
    # The sender's address as an access request finds it, or the digest once it was erased.
    subject = UnicodeAttribute()
    purge_at = TTLAttribute()
    version = VersionAttribute()

    by_status = CasesByStatus()
    by_subject = CasesBySubject()

    @property
    def purge_when(self) -> datetime:
        return self.purge_at


def cases_of_subject(subject: str, *, now: datetime) -> list[SupportCaseModel]:
    """The cases filed from an address (`retention.subject_of`), but those past their retention."""
    ids = [key.case_id for key in SupportCaseModel.by_subject.query(subject)]
    found = (get_case(case_id) for case_id in ids)
    return [case for case in found if case is not None and now < case.purge_when]


def get_case(case_id: str) -> SupportCaseModel | None:
    try:
        return SupportCaseModel.get(case_id, consistent_read=True)
    except SupportCaseModel.DoesNotExist:
        return None
