"""Contract fuzzing: schemathesis generates requests from the served OpenAPI document and runs all its checks
against `make run`'s stack, as each kind of caller. Any server error, a schema-valid request refused, a
schema-violating one accepted, or an answer (status, headers, content type, body) the document does not
declare fails the suite.

Bounded: a few examples per operation and phase, a time budget per caller (GODKEND_FUZZ_SECONDS), a fixed
seed (GODKEND_FUZZ_SEED to vary it). Explicit exclusions, each for a reason the hooks module gives
(tests/e2e/fuzz_hooks.py), and the application form's rules beyond its schema (tests/e2e/schemathesis.toml):
the local HTTP server's own TRACE answer; a listing's `account` without its `company` in requests meant
to be valid; and, for people, POST /v1/me/second-factor/reset, which would remove the demo login's second
factor and so end the run's own sign-in for good, and POST /v1/me/sign-out, which ends every session of the
run's login by design (tests/integration/access/test_sessions.py covers both).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import RunningStack, stack_of_its_own
from tests.e2e.fuzz_hooks import REPLACED_CHECKS

pytestmark = pytest.mark.e2e

PROJECT_DIR = Path(__file__).resolve().parents[2]
EXAMPLES_PER_OPERATION = int(os.environ.get("GODKEND_FUZZ_EXAMPLES", "3"))
# Each caller's run stops when its budget is spent (and fuzzes again while it lasts), so the four runs add
# about three minutes to `make test` on a quiet machine, however slow the emulator is.
SECONDS_PER_CALLER = int(os.environ.get("GODKEND_FUZZ_SECONDS", "40"))
SEED = os.environ.get("GODKEND_FUZZ_SEED", "20261201")
RUN_TIMEOUT_SECONDS = 600


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    # A stack of its own: what the fuzzed requests do is theirs to choose, as each caller may. Staff may
    # revoke the demo vendor's key or suspend the demo organisation, the administrator may change the demo
    # logins' functions, and the vendor's made-up codes drive it past its limit of failed checks; every other
    # module relies on all three.
    yield from stack_of_its_own(tmp_path_factory, "fuzzing")


def fuzz(stack: RunningStack, role: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(Path(__file__).with_name("schemathesis.toml")),
        "run",
        f"{stack.api}/openapi.json",
        "--checks",
        "all",
        "--exclude-checks",
        ",".join(REPLACED_CHECKS),
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--max-time",
        str(SECONDS_PER_CALLER),
        "--seed",
        SEED,
        "--workers",
        "1",
        "--no-shrink",
        "--max-failures",
        "50",
        # The colleague form's patterns and formats together leave few generated bodies; that is fine.
        "--suppress-health-check",
        "filter_too_much",
    ]
    if role in ("administrator", "staff"):
        command += ["--exclude-path", "/v1/me/second-factor/reset", "--exclude-path", "/v1/me/sign-out"]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.e2e.fuzz_hooks",
        "GODKEND_FUZZ_ROLE": role,
        "GODKEND_LOCAL_DIR": str(stack.state_dir),
        "PYTHONPATH": str(PROJECT_DIR),
    }
    return subprocess.run(  # noqa: S603 - our own tool, our own arguments
        command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS
    )


# Anonymous and the vendor first: the staff run may revoke the demo vendor's key or suspend the demo
# organisation, as staff may.
@pytest.mark.parametrize("role", ["anonymous", "vendor", "administrator", "staff"])
def test_the_app_answers_as_its_openapi_document_says(stack: RunningStack, role: str):
    finished = fuzz(stack, role)
    report = finished.stdout[-20000:] + finished.stderr[-5000:]
    assert "Tested:" in finished.stdout, report
    assert finished.returncode == 0, report
