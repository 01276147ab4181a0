"""An organisation sees who validated its codes: which vendors checked which of its codes, newest first, in
the caller's scope, from the receipts the checks left (`chalicelib/services/vendors/validation.py`). Apart
from the check itself, so that a vendor's check imports none of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.clock import isoformat
from chalicelib.errors import FieldError, InvalidInput
from chalicelib.models.organisation import names_of_accounts
from chalicelib.models.paging import InvalidCursor, bad_cursor
from chalicelib.models.validation import RECEIPT_INDEXES, ReceiptModel, kept_receipts
from chalicelib.services.access.authz import Function, Principal
from chalicelib.services.access.scope import org_of, visible_to
from chalicelib.services.vendors.validation import Representative, representative_of
from chalicelib.values.page import Page

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
LIMIT_RULE = {"en": f"Give a number from 1 to {MAX_LIMIT}.", "da": f"Skriv et tal fra 1 til {MAX_LIMIT}."}


@dataclass(frozen=True)
class HistoryQuery:
    company: str | None = None
    account: str | None = None
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


@dataclass(frozen=True)
class HistoryVendor:
    vendor_id: str
    name: str


@dataclass(frozen=True)
class HistoryEntry:
    validation_id: str
    validated_at: str
    vendor: HistoryVendor
    code_id: str
    company: str
    account: str
    representative: Representative
    code_expires_at: str
    # Their names now; None when the company or account has since left the organisation.
    company_name: str | None = None
    account_name: str | None = None


def history(principal: Principal, query: HistoryQuery, *, now: datetime) -> Page[HistoryEntry]:
    """Which vendors validated which of the organisation's codes, newest first, in the caller's scope."""
    if not 1 <= query.limit <= MAX_LIMIT:
        raise InvalidInput(
            "Some fields are missing or invalid.",
            errors=[FieldError("limit", LIMIT_RULE["en"], translations=LIMIT_RULE)],
        )
    visible = visible_to(principal, Function.HISTORY, company=query.company, account=query.account)
    listing = RECEIPT_INDEXES.listing_for(org_of(principal), visible, [kept_receipts(now)])
    if listing is None:
        return Page([], None)
    try:
        receipts, cursor = RECEIPT_INDEXES.page(listing, limit=query.limit, cursor=query.cursor)
    except InvalidCursor as exc:
        raise bad_cursor(exc) from exc
    # The names as the organisation calls its companies and accounts now, for the page at once.
    companies, accounts = names_of_accounts((r.cvr, r.account) for r in receipts)
    return Page([history_entry(r, companies, accounts) for r in receipts], cursor)


def history_entry(
    receipt: ReceiptModel,
    companies: dict[str, str],
    accounts: dict[tuple[str, str], str],
) -> HistoryEntry:
    return HistoryEntry(
        validation_id=receipt.validation_id,
        validated_at=isoformat(receipt.validated_at),
        vendor=HistoryVendor(vendor_id=receipt.vendor_id, name=receipt.vendor_name),
        code_id=receipt.code_id,
        company=receipt.cvr,
        account=receipt.account,
        representative=representative_of(receipt),
        code_expires_at=isoformat(receipt.code_expires_at),
        company_name=companies.get(receipt.cvr),
        account_name=accounts.get((receipt.cvr, receipt.account)),
    )
