"""Renewal requests (journey 16): a representative asks, from a link in a mail, for a new value of their code,
and the organisation's users with `codes` answer.

Two tables, because the two items are found by different keys and live differently.

The **link** (`renewal-links`, keyed by the SHA-256 of its secret) is the capability a representative's mail
carries in its URL's fragment. Only the hash is stored, so a reader of the table cannot use a link. It names
the code entry (`code_id`) and the value it was mailed with (`renewals`): a renewal, a revocation or an
erasure of the code makes every earlier link useless, and the new code mail carries a new one. It expires
30 days after that value does (`expires_at`, the table's TTL; every read compares it with the clock).

The **request** (`renewal-requests`, keyed by `code_id`) is the code's latest request: at most one per code,
so "one open request at a time" is a conditional put. A request is open while its status is `open` *and*
the code still has the value it was made for (`renewals`) and is not revoked: a renewal or a revocation
answers it by changing the code, whatever becomes of the follow-up that records who answered. It copies the
code's organisation, company and account so that the users whose scope covers the account can list it
(the same three indexes as codes, `chalicelib/models/scoped.py`). It holds the representative's note;
their name and address stay on the code entry. Kept 90 days after it was made or last answered
(`purge_at`, see `chalicelib/models/retention.py`); erased with the code's representative.

Access patterns
- a link by its secret ................. GetItem renewal-links[sha256(secret)], consistent
- make a link ........................... PutItem renewal-links[hash] if absent, before its mail
- a code's request ...................... GetItem renewal-requests[code_id], consistent
- make a request ........................ PutItem renewal-requests[code_id] if absent, or not open, or made
                                          for an earlier value (with its audit entry and mails, one
                                          TransactWriteItems)
- answer it ............................. UpdateItem renewal-requests[code_id] if it is the same request and
                                          open (with its audit entry and mail, one TransactWriteItems)
- the open requests a user may answer ... Query renewal-requests.by-org|by-company|by-account (as codes),
                                          newest first, filter status = open and the scope
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from enum import StrEnum

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name
from chalicelib.models.retention import is_gone
from chalicelib.models.retention import renewal_request_purge_at as renewal_request_purge_at
from chalicelib.models.scoped import BY_ACCOUNT, BY_COMPANY, BY_ORG, ScopedIndexes

# A link works until 30 days after the value it was mailed with expires.
LINK_AFTER_EXPIRY = timedelta(days=30)
REQUEST_ID = re.compile(r"^([0-9a-f]{32})-([0-9]{1,6})$")


class RequestStatus(StrEnum):
    OPEN = "open"
    RENEWED = "renewed"
    DECLINED = "declined"
    REVOKED = "revoked"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class RenewalLinkModel(Model):
    class Meta:
        table_name = table_name("renewal-links")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    token_hash = UnicodeAttribute(hash_key=True)
    code_id = UnicodeAttribute()
    # The code's renewal count when the link was mailed: the value it asks to replace.
    renewals = NumberAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


class RequestsByOrganisation(GlobalSecondaryIndex["RenewalRequestModel"]):
    class Meta:
        index_name = BY_ORG
        projection = AllProjection()

    org_id = UnicodeAttribute(hash_key=True)
    requested_at = UTCDateTimeAttribute(range_key=True)


class RequestsByCompany(GlobalSecondaryIndex["RenewalRequestModel"]):
    class Meta:
        index_name = BY_COMPANY
        projection = AllProjection()

    cvr = UnicodeAttribute(hash_key=True)
    requested_at = UTCDateTimeAttribute(range_key=True)


class RequestsByAccount(GlobalSecondaryIndex["RenewalRequestModel"]):
    class Meta:
        index_name = BY_ACCOUNT
        projection = AllProjection()

    account_key = UnicodeAttribute(hash_key=True)
    requested_at = UTCDateTimeAttribute(range_key=True)


class RenewalRequestModel(Model):
    class Meta:
        table_name = table_name("renewal-requests")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    code_id = UnicodeAttribute(hash_key=True)
    # `<code_id>-<n>`: the n-th request for the code, so that an answer names the request it answers.
    request_id = UnicodeAttribute()
    sequence = NumberAttribute(default=0)
    org_id = UnicodeAttribute()
    cvr = UnicodeAttribute()
    account = UnicodeAttribute()
    account_key = UnicodeAttribute()
    renewals = NumberAttribute()
    status = UnicodeAttribute(default=RequestStatus.OPEN.value)
    requested_at = UTCDateTimeAttribute()
    # The representative's own words, shown only to the organisation's users.
    note = UnicodeAttribute(null=True)
    answered_at = UTCDateTimeAttribute(null=True)
    answered_by = UnicodeAttribute(null=True)
    # Why it was declined, mailed to the representative.
    reason = UnicodeAttribute(null=True)
    purge_at = TTLAttribute()

    by_org = RequestsByOrganisation()
    by_company = RequestsByCompany()
    by_account = RequestsByAccount()

    @property
    def purge_when(self) -> datetime:
        return self.purge_at


REQUEST_INDEXES: ScopedIndexes[RenewalRequestModel] = ScopedIndexes(
    by_org=RenewalRequestModel.by_org,
    by_company=RenewalRequestModel.by_company,
    by_account=RenewalRequestModel.by_account,
    org_id=RenewalRequestModel.org_id,
    cvr=RenewalRequestModel.cvr,
    account=RenewalRequestModel.account,
    item_key="code_id",
    item_key_pattern=re.compile(r"^[0-9a-f]{32}$"),
    sort_key="requested_at",
)


def get_link(token: str, *, now: datetime) -> RenewalLinkModel | None:
    """The link a secret names, unless there is none or it has expired (TTL may lag)."""
    if not 20 <= len(token) <= 200:
        return None
    try:
        link = RenewalLinkModel.get(token_hash(token), consistent_read=True)
    except RenewalLinkModel.DoesNotExist:
        return None
    return None if now >= link.expires_at else link


def get_request(code_id: str, *, now: datetime) -> RenewalRequestModel | None:
    try:
        request = RenewalRequestModel.get(code_id, consistent_read=True)
    except RenewalRequestModel.DoesNotExist:
        return None
    return None if is_gone(request.purge_when, now) else request


def parse_request_id(request_id: str) -> str | None:
    """The code id a request id names, or None when it is not one."""
    match = REQUEST_ID.match(request_id)
    return match.group(1) if match else None
