"""Test mode, as Stripe has it: a test key (`gkv_test_…`) validates only the documented test codes below, one
for each answer a check can give, each against one fixed test organisation that is no real organisation.

What a test check may touch, and why it is safe:
- it reads the presented key (one GetItem) and nothing else: no code, no organisation, no failure window, so
  no real organisation's data is read and a real organisation's code is simply `unknown`;
- a valid test code leaves a receipt (one PutItem) marked `livemode: false`, naming the test organisation
  (`TEST_ORGANISATION_ID`, not an id any organisation can have) and a test code id (`test-…`, not a code's
  id), so no organisation's history, no code's receipts and no webhook event (those concern a real code's
  renewal or revocation, or a real organisation's change of status) ever finds it; it is kept 30 days;
- it is not counted against any failure limit: the test codes are published, so there is nothing to guess,
  and the live limit exists to stop guessing real codes.

The values are fixed and documented (docs/vendor-guide.md), so that a vendor's own tests can assert them.
The CVR number fails the modulus-11 check, so no company in the register has it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

TEST_ORGANISATION_ID = "test-organisation"
TEST_HANDLE = "GodkendTest"
TEST_ORGANISATION_NAME = "Godkend Testforening"
TEST_LEGAL_NAME = "Godkend Testforening"
TEST_CVR = "12345678"
TEST_ACCOUNT = "1"
TEST_APPROVED_SINCE = datetime(2024, 1, 1, tzinfo=UTC)
TEST_FIRST_NAME = "Test"
TEST_LAST_NAME = "Testesen"
# Far ahead and fixed, so that a vendor's tests can assert it.
TEST_CODE_EXPIRES_AT = datetime(2099, 12, 31, 23, 0, tzinfo=UTC)
# A test receipt is evidence of nothing: kept long enough to read back while integrating, then gone.
TEST_RECEIPT_RETENTION = timedelta(days=30)
VALID = "valid"


@dataclass(frozen=True)
class DocumentedCode:
    """One test code: its random part (8 lowercase letters or digits, like a real code's) and the answer it
    gives (`valid`, or the reason it is not)."""

    random_part: str
    outcome: str

    @property
    def code(self) -> str:
        return f"{self.random_part}@{TEST_HANDLE}"

    @property
    def code_id(self) -> str:
        return f"test-{self.outcome}"


# In the order they are listed; every other code is `unknown` too.
TEST_CODES = (
    DocumentedCode("valid000", VALID),
    DocumentedCode("expired0", "expired"),
    DocumentedCode("revoked0", "revoked"),
    DocumentedCode("unknown0", "unknown"),
    DocumentedCode("notappr0", "organisation_not_approved"),
)
_BY_RANDOM_PART = {c.random_part: c for c in TEST_CODES}


def documented_code(random_part: str, handle: str) -> DocumentedCode | None:
    """The test code a normalised code is (its handle in any case, as a real code's), or None."""
    found = _BY_RANDOM_PART.get(random_part)
    return found if found is not None and handle.lower() == TEST_HANDLE.lower() else None
