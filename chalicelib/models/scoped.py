"""Listing an organisation's items within a caller's scope, newest first, a page at a time.

Codes and validation receipts are both kept under three indexes, each sorted by a time: `by-org`
(partition `org_id`), `by-company` (partition `cvr`) and `by-account` (partition `account_key` =
`<cvr>#<account>`). A listing queries the narrowest of them the caller's scope allows, with a filter that
pins the organisation and the scope, and pages with an index-bound cursor (`chalicelib/models/paging.py`):
the partition and the filter always come from the request, never from the cursor.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.models.paging import InvalidCursor, StartKey, decode_cursor, encode_cursor

# DynamoDB allows at most 100 operands in one IN.
MAX_IN_OPERANDS = 100
BY_ORG, BY_COMPANY, BY_ACCOUNT = "by-org", "by-company", "by-account"
PARTITION_KEYS = {BY_ORG: "org_id", BY_COMPANY: "cvr", BY_ACCOUNT: "account_key"}

M = TypeVar("M", bound=Model)


def account_key(cvr: str, account: str) -> str:
    # A CVR is always 8 digits, so the first 8 characters are the company whatever the account number holds.
    return f"{cvr}#{account}"


@dataclass(frozen=True)
class Visible:
    """A company in a listing: all of its accounts (None), or only these."""

    cvr: str
    accounts: frozenset[str] | None = None


@dataclass(frozen=True)
class Listing:
    index: str
    partition: str
    condition: Condition | None


@dataclass(frozen=True)
class ScopedIndexes[M: Model]:
    """How one table keeps an organisation's items: its three indexes, the attributes a scope filters on,
    and what a key in a cursor must look like."""

    by_org: GlobalSecondaryIndex[M]
    by_company: GlobalSecondaryIndex[M]
    by_account: GlobalSecondaryIndex[M]
    org_id: UnicodeAttribute
    cvr: UnicodeAttribute
    account: UnicodeAttribute
    item_key: str  # the table's hash key
    item_key_pattern: re.Pattern[str]
    sort_key: str  # every index's range key, a UTCDateTimeAttribute

    def index(self, name: str) -> GlobalSecondaryIndex[M]:
        return {BY_ORG: self.by_org, BY_COMPANY: self.by_company, BY_ACCOUNT: self.by_account}[name]

    def listing_for(
        self, org_id: str, visible: Sequence[Visible], extra: Sequence[Condition] = ()
    ) -> Listing | None:
        """The narrowest Query that returns an organisation's items in `visible`, or None when nothing is.

        One account is its own partition; one company is too, filtered to the accounts in scope; anything
        wider is the organisation's partition filtered to the scope. Every filter also pins the
        organisation."""
        visible = [v for v in visible if v.accounts is None or v.accounts]
        if not visible:
            return None
        conditions: list[Condition] = [self.org_id == org_id, *extra]
        if len(visible) > 1:
            conditions.append(any_of([self._company_condition(v) for v in visible]))
            return Listing(BY_ORG, org_id, all_of(conditions))
        (only,) = visible
        if only.accounts is not None and len(only.accounts) == 1:
            (number,) = only.accounts
            return Listing(BY_ACCOUNT, account_key(only.cvr, number), all_of(conditions))
        if only.accounts is not None:
            conditions.append(self._accounts_in(only.accounts))
        return Listing(BY_COMPANY, only.cvr, all_of(conditions))

    def page(self, listing: Listing, *, limit: int, cursor: str | None) -> tuple[list[M], str | None]:
        """Up to `limit` items, newest first, and a cursor for the next page (None on the last one).
        Raises InvalidCursor for a cursor that does not resume this very Query."""
        start = self._start_key(listing, cursor) if cursor is not None else None
        results = self.index(listing.index).query(
            listing.partition,
            filter_condition=listing.condition,
            scan_index_forward=False,
            last_evaluated_key=start,
            page_size=limit + 1,
        )
        items = list(itertools.islice(results, limit))
        if len(items) < limit:
            return items, None
        # Taken before looking ahead: the key of the last item returned (or of the last one DynamoDB read).
        resume_after: dict[str, Any] | None = results.last_evaluated_key
        if resume_after is None or next(results, None) is None:
            return items, None
        return items, encode_cursor(listing.index, resume_after)

    def _start_key(self, listing: Listing, cursor: str) -> StartKey:
        partition_key = PARTITION_KEYS[listing.index]
        key = decode_cursor(
            cursor, index=listing.index, key_names=frozenset({self.item_key, self.sort_key, partition_key})
        )
        if key[partition_key]["S"] != listing.partition or not self.item_key_pattern.match(
            key[self.item_key]["S"]
        ):
            raise InvalidCursor("not a cursor for this list")
        try:
            UTCDateTimeAttribute().deserialize(key[self.sort_key]["S"])
        except ValueError as exc:
            raise InvalidCursor("not a cursor for this list") from exc
        return key

    def _company_condition(self, visible: Visible) -> Condition:
        company = self.cvr == visible.cvr
        return company if visible.accounts is None else company & self._accounts_in(visible.accounts)

    def _accounts_in(self, accounts: frozenset[str]) -> Condition:
        ordered = sorted(accounts)
        chunks = [ordered[i : i + MAX_IN_OPERANDS] for i in range(0, len(ordered), MAX_IN_OPERANDS)]
        return any_of([self.account.is_in(*chunk) for chunk in chunks])


def all_of(conditions: list[Condition]) -> Condition:
    combined = conditions[0]
    for condition in conditions[1:]:
        combined &= condition
    return combined


def any_of(conditions: list[Condition]) -> Condition:
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined
