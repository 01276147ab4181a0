"""The vendor console's receipts and events: a vendor's people (a Cognito token, never an API key) list and
download their own vendor's checks, open one signed receipt, and read the vendor's event feed. Rules in
`chalicelib/services/vendors/vendor_receipts.py`."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from chalice.app import Response

from chalicelib.api.http.callers import VENDOR_PERSON, Call
from chalicelib.api.http.problems import language_of
from chalicelib.api.http.routing import Routes
from chalicelib.container import container

if TYPE_CHECKING:
    from chalicelib.services.vendors.validation import Receipt
    from chalicelib.services.vendors.vendor_receipts import Period, VendorCheck
    from chalicelib.services.webhooks.endpoints import FeedEvent
    from chalicelib.values.page import Page

routes = Routes(__name__, schemas="chalicelib.api.schemas.vendor_receipts", tag="Vendor console")

PERIOD = (
    "`from` and `to` are Danish calendar days (`2026-12-07`), both included; an end before the start is 400 "
    "with a field error on `to`."
)


@routes.get(
    "/v1/vendor/validations",
    rule=VENDOR_PERSON,
    summary="The vendor's checks, newest first, optionally within a period",
    response="VendorChecks",
    errors=(400,),
    query="ChecksQuery",
    description=f"Live and test checks alike, each marked by `livemode`. {PERIOD}",
)
def list_checks(call: Call) -> Page[VendorCheck]:
    query = call.query_model()
    return container().vendor_receipts.checks(
        call.principal, _period(query.date_from, query.date_to), limit=query.limit, cursor=query.cursor
    )


@routes.get(
    "/v1/vendor/validations/export",
    rule=VENDOR_PERSON,
    summary="The vendor's checks in a period as a CSV file, newest first",
    errors=(400,),
    query="ExportQuery",
    media_type="text/csv",
    description=f"{PERIOD} Headers in Danish, or English with `Accept-Language: en`. A cell that a "
    "spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) "
    "starts with `'`. At most 10,000 checks: a period with more is 400 with a field error on `from` "
    "(choose a shorter one).",
)
def export_checks(call: Call) -> Response:
    query = call.query_model()
    csv_file = container().vendor_receipts.export(
        call.principal, _period(query.date_from, query.date_to), language=_csv_language(call)
    )
    return Response(
        body=csv_file.text,
        status_code=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{csv_file.filename}"',
        },
    )


@routes.get(
    "/v1/vendor/validations/{validation_id}",
    rule=VENDOR_PERSON,
    summary="One of the vendor's receipts, signed, as GET /v1/validations/{validation_id} answers the key",
    response="chalicelib.api.schemas.validations:Receipt",
    errors=(503,),
    description="Live and test receipts alike; another vendor's is 404.",
)
def get_check(call: Call, validation_id: str) -> Receipt:
    return container().vendor_receipts.receipt(call.principal, validation_id)


@routes.get(
    "/v1/vendor/events",
    rule=VENDOR_PERSON,
    summary="The vendor's events, oldest first, as GET /v1/events pages them for the vendor's key",
    response="chalicelib.api.schemas.webhooks:EventPage",
    errors=(400,),
    query="chalicelib.api.schemas.paging:PageQuery",
)
def list_events(call: Call) -> Page[FeedEvent]:
    query = call.query_model()
    vendor = container().vendor_receipts.as_vendor(call.principal)
    return container().webhooks.feed(vendor, limit=query.limit, cursor=query.cursor)


def _period(first: str | None, last: str | None) -> Period:
    from chalicelib.services.vendors.vendor_receipts import period_of

    return period_of(
        None if first is None else date.fromisoformat(first),
        None if last is None else date.fromisoformat(last),
    )


def _csv_language(call: Call) -> str:
    """Danish, unless the caller asks for English: the file is for people at a Danish vendor."""
    asked = call.request.headers.get("accept-language")
    return "en" if asked and language_of(call.request) == "en" else "da"
