"""Vendors validate codes and read their receipts; an organisation sees who validated its codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.http.callers import TEST_KEY, VENDOR, VENDOR_KEY_IN_FIRST_READ, Call, user
from chalicelib.api.http.routing import Routes
from chalicelib.container import container
from chalicelib.errors import DomainError
from chalicelib.services.access.authz import Function

if TYPE_CHECKING:
    from chalicelib.services.vendors.test_code_list import TestCodeList
    from chalicelib.services.vendors.validation import InvalidCode, Receipt, ValidCode
    from chalicelib.services.vendors.validation_history import HistoryEntry
    from chalicelib.values.page import Page

# No code is longer than 49 characters (8, @, a handle of at most 40); anything far longer is not a code
# pasted with some whitespace but a broken integration, and is refused rather than looked up. The same
# number as `chalicelib.fields.MAX_PASTED_CODE`, written out so that `import app` needs no pydantic; the
# schemas module refuses to load if the two differ.
MAX_CODE_INPUT = 100

routes = Routes(__name__, schemas="chalicelib.api.schemas.validations", tag="Validations")


@routes.post(
    "/v1/validations",
    rule=VENDOR_KEY_IN_FIRST_READ,
    summary="Validate a code, and keep a receipt when it is valid",
    body="CodeCheck",
    response="Validation",
    errors=(429, 503),
    description="Answers 200 whether or not the code is valid. A text that is not a code at all is "
    "`unknown`; a body that breaks the contract (not JSON, no `code`, not a string, empty, over "
    f"{MAX_CODE_INPUT} characters, other fields) is 400. Every answer with `valid: false` counts as a failed "
    "check; a vendor with too many in a sliding window is answered 429 with `Retry-After`, before the code "
    "is looked at. A test key (`gkv_test_…`) is answered only from the documented test codes "
    "(GET /v1/test-codes), with `livemode: false`, reads no real organisation's data and is not counted.",
)
def validate_code(call: Call) -> ValidCode | InvalidCode:
    try:
        code = call.body().code
    except DomainError:
        call.check_key()  # a bad key is told before a bad body, as on every other route
        raise
    # The key is checked in the check's own first read, together with the code.
    return container().validations.validate(call.presented_key, code)


@routes.get(
    "/v1/validations/{validation_id}",
    rule=VENDOR,
    summary="One of the vendor's own receipts",
    response="Receipt",
    errors=(503,),
    description="Still there after the code expired, was renewed or revoked. Another vendor's is 404; so is "
    "a test check's receipt to a live key and a live one's to a test key (test receipts are kept 30 days).",
)
def get_validation(call: Call, validation_id: str) -> Receipt:
    return container().validations.receipt(call.vendor, validation_id)


@routes.get(
    "/v1/test-codes",
    rule=TEST_KEY,
    summary="The documented test codes, and what a test key's check of each answers",
    response="TestCodes",
    errors=(503,),
    description="For test keys (`gkv_test_…`) only; a live key is 403. Each answer is the one POST "
    "/v1/validations gives a test key, less the `validation_id` and `receipt` that differ with every check.",
)
def list_test_codes(call: Call) -> TestCodeList:
    from chalicelib.services.vendors.test_code_list import test_code_list

    return test_code_list(call.vendor, container().clock.now())


@routes.get(
    "/v1/organisation/validations",
    rule=user(Function.HISTORY),
    summary="Which vendors validated which of the organisation's codes, newest first",
    response="HistoryPage",
    errors=(400, 404),
    query="chalicelib.api.schemas.paging:ScopedPageQuery",
    description="Only codes under the companies and accounts in the caller's scope.",
)
def list_validations(call: Call) -> Page[HistoryEntry]:
    query = call.query_model()
    from chalicelib.services.vendors.validation_history import HistoryQuery, history

    return history(
        call.principal,
        HistoryQuery(company=query.company, account=query.account, limit=query.limit, cursor=query.cursor),
        now=container().clock.now(),
    )
