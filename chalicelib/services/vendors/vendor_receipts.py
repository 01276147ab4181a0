"""The vendor console's receipts and events: a vendor's people see their own vendor's checks (newest first,
by Danish calendar day), download them as CSV, open one signed receipt, and read the event feed the vendor's
API key reads at `GET /v1/events`.

A person reaches only the vendor their login names (`Principal.vendor_id`): every read is keyed by it, never
by anything in the request, so another vendor's receipts cannot be asked for, and a receipt of another vendor
answers 404 as if it did not exist. Unlike an API key, a person sees live and test checks alike, each marked.

The list is one Query of `validations.by-vendor` a page (`chalicelib/models/validation.py`). The CSV reads
every page of the same Query, up to `EXPORT_MAX_ROWS`: a longer period is refused with a field error that
asks for a shorter one rather than cut short in silence, and the Lambda's answer stays far below its 6 MB.
Cells a spreadsheet would read as a formula (`= + - @`, tab, carriage return first) are prefixed with `'`
(OWASP, CSV injection), so an organisation or representative named `=HYPERLINK(...)` stays text.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pynamodb.expressions.condition import Condition

from chalicelib.clock import Clock, isoformat
from chalicelib.errors import FieldError, Forbidden, InvalidInput, NotFound
from chalicelib.models.paging import encode_cursor, page_start
from chalicelib.models.validation import VALIDATION_ID, ReceiptModel, get_receipt, kept_receipts
from chalicelib.services.vendors.api_keys import KeyMode, VendorIdentity
from chalicelib.services.vendors.validation import Receipt, answer, receipt_claims
from chalicelib.values.page import Page

if TYPE_CHECKING:
    from chalicelib.services.access.authz import Principal
    from chalicelib.services.vendors.receipt_keys import ReceiptSigner

DANISH_TIME = ZoneInfo("Europe/Copenhagen")
INDEX = "validations.by-vendor"
CURSOR_KEYS = frozenset({"validation_id", "vendor_id", "validated_at"})
# The most checks one CSV holds: about 1.5 MB, a few seconds of Queries; a busier period comes in parts.
EXPORT_MAX_ROWS = 10_000
# DynamoDB's largest Query page is 1 MB; an item in this index is a few hundred bytes.
EXPORT_PAGE = 1000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

PERIOD_REVERSED = {
    "da": "Vælg en slutdato, der ligger samme dag som eller efter startdatoen.",
    "en": "Choose an end date on or after the start date.",
}


CSV_HEADERS = {
    "da": (
        "Kontrolleret (dansk tid)",
        "Organisation",
        "CVR",
        "Repræsentant",
        "Koden gyldig til (dansk tid)",
        "Tilstand",
        "Kontrol-id",
    ),
    "en": (
        "Validated at (Danish time)",
        "Organisation",
        "CVR",
        "Representative",
        "Code valid until (Danish time)",
        "Mode",
        "Validation id",
    ),
}
MODES = {"da": ("Live", "Test"), "en": ("Live", "Test")}


@dataclass(frozen=True)
class Period:
    """Danish calendar days, both included; either end may be open."""

    first: date | None = None
    last: date | None = None


@dataclass(frozen=True)
class CheckedOrganisation:
    name: str
    cvr: str


@dataclass(frozen=True)
class CheckedRepresentative:
    first_name: str
    last_name: str


@dataclass(frozen=True)
class VendorCheck:
    """One of the vendor's checks as its people see it in the console."""

    validation_id: str
    validated_at: str
    organisation: CheckedOrganisation
    representative: CheckedRepresentative
    code_expires_at: str
    livemode: bool


@dataclass(frozen=True)
class CsvFile:
    filename: str
    text: str


class VendorReceipts:
    def __init__(
        self,
        *,
        clock: Clock,
        signer: Callable[[], ReceiptSigner],
        export_max_rows: int = EXPORT_MAX_ROWS,
    ) -> None:
        self._clock = clock
        self._max_rows = export_max_rows
        self._signer = signer

    def checks(
        self, person: Principal, period: Period, *, limit: int, cursor: str | None
    ) -> Page[VendorCheck]:
        """The vendor's checks in the period, newest first: one Query a page."""
        vendor_id = _own_vendor(person)
        start = page_start(cursor, index=INDEX, key_names=CURSOR_KEYS, partition=("vendor_id", vendor_id))
        results = self._query(vendor_id, period, start=start, page_size=limit + 1)
        items = list(itertools.islice(results, limit))
        if len(items) < limit:
            return Page([vendor_check(r) for r in items], None)
        # The key of the last item given (DynamoDB's own, taken before looking one further).
        resume_after: dict[str, Any] | None = results.last_evaluated_key
        if resume_after is None or next(results, None) is None:
            return Page([vendor_check(r) for r in items], None)
        return Page([vendor_check(r) for r in items], encode_cursor(INDEX, resume_after))

    def export(self, person: Principal, period: Period, *, language: str) -> CsvFile:
        """Every check of the period as CSV, newest first; refused when there are more than the cap."""
        vendor_id = _own_vendor(person)
        results = self._query(vendor_id, period, start=None, page_size=EXPORT_PAGE)
        rows = list(itertools.islice(results, self._max_rows + 1))
        if len(rows) > self._max_rows:
            rows_da = f"{self._max_rows:,}".replace(",", ".")
            said = {
                "da": f"Perioden har mere end {rows_da} kontroller. "
                "Vælg en kortere periode, og hent den i dele.",
                "en": f"The period has more than {self._max_rows:,} checks. "
                "Choose a shorter period and download it in parts.",
            }
            raise InvalidInput(
                said["en"], errors=[FieldError("from", said["en"], translations=said)], detail_da=said["da"]
            )
        return CsvFile(filename=_filename(period, self._clock.now()), text=to_csv(rows, language))

    def receipt(self, person: Principal, validation_id: str) -> Receipt:
        """One of the vendor's receipts, signed again from the stored record, as the key's
        `GET /v1/validations/{id}` answers it; live and test alike. Another vendor's is 404."""
        vendor_id = _own_vendor(person)
        found = (
            get_receipt(validation_id, now=self._clock.now()) if VALIDATION_ID.match(validation_id) else None
        )
        if found is None or found.vendor_id != vendor_id:
            raise NotFound("No such validation.")
        signed = self._signer().sign(receipt_claims(found), self._clock.now().astimezone(UTC))
        return Receipt(**vars(answer(found, signed)), validated_at=isoformat(found.validated_at))

    def as_vendor(self, person: Principal) -> VendorIdentity:
        """The person's vendor, as the event feed (`chalicelib/services/webhooks/`) knows a vendor: the
        console reads the very feed the vendor's API key pages at `GET /v1/events`."""
        # The feed reads only the vendor's id; no key was presented, so none is named.
        return VendorIdentity(vendor_id=_own_vendor(person), vendor_name="", key_id="", mode=KeyMode.LIVE)

    def _query(
        self,
        vendor_id: str,
        period: Period,
        *,
        start: dict[str, Any] | None,
        page_size: int,
    ) -> Any:
        return ReceiptModel.by_vendor.query(
            vendor_id,
            _range(period),
            filter_condition=kept_receipts(self._clock.now()),
            scan_index_forward=False,
            last_evaluated_key=start,
            page_size=page_size,
        )


def period_of(first: date | None, last: date | None) -> Period:
    """The period a person asked for; an end before the start is a field error on `to`."""
    if first is not None and last is not None and last < first:
        raise InvalidInput(
            "The period ends before it starts.",
            errors=[FieldError("to", PERIOD_REVERSED["en"], translations=PERIOD_REVERSED)],
        )
    return Period(first, last)


def _range(period: Period) -> Condition | None:
    """The Query's condition on `validated_at`: a day is a day in Denmark, as the console shows it."""
    low = None if period.first is None else _midnight(period.first)
    high = (
        None
        if period.last is None
        else _midnight(period.last + timedelta(days=1)) - timedelta(microseconds=1)
    )
    at = ReceiptModel.validated_at
    if low is not None and high is not None:
        return at.between(low, high)
    if low is not None:
        return at >= low
    return None if high is None else at <= high


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, DANISH_TIME).astimezone(UTC)


def vendor_check(receipt: ReceiptModel) -> VendorCheck:
    return VendorCheck(
        validation_id=receipt.validation_id,
        validated_at=isoformat(receipt.validated_at),
        organisation=CheckedOrganisation(name=receipt.organisation_name, cvr=receipt.primary_cvr),
        representative=CheckedRepresentative(first_name=receipt.first_name, last_name=receipt.last_name),
        code_expires_at=isoformat(receipt.code_expires_at),
        livemode=receipt.is_live,
    )


# The cells' separator a spreadsheet opening the file expects: Danish spreadsheets (Excel with Danish regional
# settings) split on the list separator `;`, since `,` is their decimal mark; English ones on `,`.
SEPARATORS = {"da": ";", "en": ","}


def to_csv(receipts: Iterable[ReceiptModel], language: str) -> str:
    """RFC 4180 CSV (every cell quoted, CRLF; `;` between cells in Danish), with a byte-order mark so
    spreadsheets read it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATORS[language], quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS[language])
    live, test = MODES[language]
    for receipt in receipts:
        writer.writerow(
            neutralised(
                [
                    _local(receipt.validated_at),
                    receipt.organisation_name,
                    receipt.primary_cvr,
                    f"{receipt.first_name} {receipt.last_name}",
                    _local(receipt.code_expires_at),
                    live if receipt.is_live else test,
                    receipt.validation_id,
                ]
            )
        )
    return "\ufeff" + out.getvalue()


def neutralised(cells: Iterable[str]) -> Iterator[str]:
    """Each cell as text a spreadsheet shows, never runs: one that starts like a formula gets a `'` first."""
    for cell in cells:
        yield "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _local(moment: datetime) -> str:
    return moment.astimezone(DANISH_TIME).strftime("%Y-%m-%d %H:%M:%S")


def _filename(period: Period, now: datetime) -> str:
    first = period.first.isoformat() if period.first else "start"
    last = period.last.isoformat() if period.last else now.astimezone(DANISH_TIME).date().isoformat()
    return f"godkend-kontroller-{first}-{last}.csv"


def _own_vendor(person: Principal) -> str:
    if person.vendor_id is None:
        raise Forbidden("This is for a vendor's people, in the vendor console.")
    return person.vendor_id
