"""The documented test codes as `GET /v1/test-codes` lists them: each with the answer a test key's check of
it gives (`chalicelib/services/vendors/validation.py`), less what differs with every check. Apart from the
check itself, so that a vendor's check imports none of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.services.vendors.api_keys import VendorIdentity
from chalicelib.services.vendors.test_codes import TEST_CODES, VALID, DocumentedCode
from chalicelib.services.vendors.validation import (
    InvalidCode,
    Representative,
    ValidatedOrganisation,
    answer,
    receipt_of_test_code,
)


@dataclass(frozen=True)
class CodeFacts:
    """A valid test code's answer as the test codes are listed: without what differs with each check (the
    validation id and the signed receipt)."""

    code_expires_at: str
    organisation: ValidatedOrganisation
    representative: Representative
    livemode: bool

    @property
    def valid(self) -> bool:
        return True


@dataclass(frozen=True)
class ListedTestCode:
    code: str
    answer: CodeFacts | InvalidCode


@dataclass(frozen=True)
class TestCodeList:
    items: list[ListedTestCode]


def test_code_list(vendor: VendorIdentity, now: datetime) -> TestCodeList:
    """The documented test codes and what a test key's check of each answers (the route admits test keys
    only; the codes themselves are published in the guide)."""
    now = now.astimezone(UTC)
    return TestCodeList(items=[_listed(vendor, code, now) for code in TEST_CODES])


def _listed(vendor: VendorIdentity, code: DocumentedCode, now: datetime) -> ListedTestCode:
    if code.outcome != VALID:
        return ListedTestCode(code=code.code, answer=InvalidCode(reason=code.outcome, livemode=False))
    # The same answer a check gives, from the same (here unsaved) receipt, less what differs each time.
    given = answer(receipt_of_test_code(vendor, code, now), signed="")
    return ListedTestCode(
        code=code.code,
        answer=CodeFacts(
            code_expires_at=given.code_expires_at,
            organisation=given.organisation,
            representative=given.representative,
            livemode=given.livemode,
        ),
    )
