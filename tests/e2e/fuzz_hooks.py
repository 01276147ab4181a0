"""Schemathesis hooks for the contract fuzzing (tests/e2e/test_contract_fuzzing.py), loaded through
SCHEMATHESIS_HOOKS: how to generate values of the formats the OpenAPI document names that are our own."""

from __future__ import annotations

import schemathesis
from hypothesis import strategies as st

from chalicelib.fields import CVR_FORMAT
from chalicelib.services.cvr import WEIGHTS


def _with_check_digit(first_seven: str) -> str | None:
    check = -sum(int(d) * w for d, w in zip(first_seven, WEIGHTS, strict=False)) % 11
    return first_seven + str(check) if check < 10 else None


# A CVR number passes the modulus-11 check: a pattern cannot say so, so the document names the format.
cvr_numbers = (
    st.integers(min_value=1_000_000, max_value=9_999_999).map(str).map(_with_check_digit).filter(bool)
)
schemathesis.openapi.format(CVR_FORMAT, cvr_numbers)  # type: ignore[arg-type]
