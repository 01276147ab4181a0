"""What a function's first invocation imports: a module that no part of it needs is import time that every
cold start pays (docs/performance.md#cold-start). Each test runs, in a fresh interpreter, what
bench/cold_start.py times for that kind of function."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import cold_start
from bench.cold_start import FUNCTIONS

PROJECT_DIR = Path(__file__).resolve().parents[2]

# What only other routes need: models only their transactions write (a code's mail, an application's letter
# tries, an audit entry, a login, an endpoint), a code's entry and its indexes, key management, an
# organisation's validation history and the test-code list. A vendor's check reads its key, a code's value
# item and its organisation's state, and writes a receipt or a failure; its failure window's arithmetic
# needs no `fractions`.
NOT_ON_A_CHECKS_WAY = (
    "chalicelib.models.outbox",
    "chalicelib.models.application",
    "chalicelib.models.audit",
    "chalicelib.models.user",
    "chalicelib.models.webhook",
    "chalicelib.models.code",
    "chalicelib.services.vendors.keys",
    "chalicelib.services.vendors.validation_history",
    "chalicelib.services.vendors.test_code_list",
    "fractions",
)


def imported_by(function: str, modules: tuple[str, ...]) -> list[str]:
    """Which of `modules` a fresh interpreter holds after the function's first invocation's imports."""
    script = (
        FUNCTIONS[function].imports
        + f"; import json, sys; print(json.dumps([m for m in {modules!r} if m in sys.modules]))"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    ).stdout
    found: list[str] = json.loads(out.strip().splitlines()[-1])
    return found


def test_a_vendors_check_imports_no_model_only_other_routes_write() -> None:
    # Given a fresh interpreter, when it imports what a vendor's check needs, reads its body and shapes
    # its answer as the HTTP layer does
    found = imported_by("API function, a vendor's check", NOT_ON_A_CHECKS_WAY)
    # Then none of those was imported
    assert found == []


def test_the_bench_says_where_a_checks_time_above_the_baseline_goes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given the project as its package holds it, when the cold-start bench is asked for its breakdown
    assert cold_start.main(["--breakdown"]) == 0
    out = capsys.readouterr().out
    # Then it names, for a vendor's check, the modules it imports beyond `import boto3, chalice`, the
    # check's own among them, and the time spent building our dataclasses
    section = out.split("API function, a vendor's check:")[1].split("API function, a person's request:")[0]
    assert "chalicelib.services.vendors.validation" in section
    assert "building our dataclasses:" in section
    assert "botocore" not in section
