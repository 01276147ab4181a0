"""Contract fuzzing: schemathesis generates requests from the served OpenAPI document and runs all its checks
against `make run`'s stack, as each kind of caller. Any server error, a schema-valid request refused, a
schema-violating one accepted, or an answer (status, headers, content type, body) the document does not
declare fails the suite, and so does an operation of the document the run never called.

Bounded: the examples and fuzzing phases, a few examples per operation (GODKEND_FUZZ_EXAMPLES), a fixed seed
(GODKEND_FUZZ_SEED to vary it). Explicit exclusions, each for a reason the hooks module gives
(tests/e2e/fuzz_hooks.py), and the application form's rules beyond its schema (tests/e2e/schemathesis.toml):
the local HTTP server's own TRACE answer; GET /openapi.json, which the run loads rather than tests; a
listing's `account` without its `company` in requests meant to be valid; and, for people, POST
/v1/me/second-factor/reset, which would remove the demo login's second factor and so end the run's own sign-in
for good, and POST /v1/me/sign-out, which ends every session of the run's login by design
(tests/integration/access/test_sessions.py covers both).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests

from infra.local.signin import sign_in, wait_for_sign_in
from infra.local.totp import fresh_totp
from tests.e2e.conftest import RunningStack, stack_of_its_own
from tests.e2e.fuzz_hooks import REPLACED_CHECKS, VENDOR_PERSON_LOGIN
from tests.e2e.test_console_vendor import api, token_of

pytestmark = pytest.mark.e2e

PROJECT_DIR = Path(__file__).resolve().parents[2]
EXAMPLES_PER_OPERATION = int(os.environ.get("GODKEND_FUZZ_EXAMPLES", "3"))
SEED = os.environ.get("GODKEND_FUZZ_SEED", "20261201")
RUN_TIMEOUT_SECONDS = 600
PEOPLE = ("vendor-person", "administrator", "staff")
VENDOR_PERSON_PASSWORD = "Leverandor-Fuzz-2026"
# Ending the run's own sign-in would leave the rest of the run without a caller; see the module's docstring.
EXCLUDED_FOR_PEOPLE = ("/v1/me/second-factor/reset", "/v1/me/sign-out")
# Schemathesis lists no operation for the document it loads (the run's first request, so called all the same).
THE_DOCUMENT = "GET /openapi.json"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    # A stack of its own: what the fuzzed requests do is theirs to choose, as each caller may. Staff may
    # revoke the demo vendor's key or suspend the demo organisation, the administrator may change the demo
    # logins' functions, and the vendor's made-up codes drive it past its limit of failed checks; every other
    # module relies on all three.
    yield from stack_of_its_own(tmp_path_factory, "fuzzing")


def fuzz(stack: RunningStack, role: str, report: Path) -> subprocess.CompletedProcess[str]:
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
        # No coverage phase: its boundary values for the password and token patterns take tens of seconds an
        # operation to generate, past any --max-time (docs/testing.md#contract-fuzzing).
        "--phases",
        "examples,fuzzing",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
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
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
    ]
    for path in excluded_paths(role):
        command += ["--exclude-path", path]
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


def excluded_paths(role: str) -> tuple[str, ...]:
    return EXCLUDED_FOR_PEOPLE if role in PEOPLE else ()


def operations_of_the_document(stack: RunningStack, role: str) -> set[str]:
    """Every operation the served document declares, named as schemathesis names them ("GET /v1/me"), less
    the caller's exclusions and the document's own."""
    document = requests.get(f"{stack.api}/openapi.json", timeout=10).json()
    return {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        if path not in excluded_paths(role)
        for method in item
        if method in HTTP_METHODS
    } - {THE_DOCUMENT}


def operations_called(report: Path) -> set[str]:
    """The operations a run's JUnit report says it tested: one test case each, marked skipped when no phase
    sent it a request (out of time, say), and absent when the run never came to it."""
    cases = ElementTree.parse(report).getroot().iter("testcase")  # noqa: S314 - our own tool's report
    return {str(case.get("name")) for case in cases if case.find("skipped") is None}


def report_of(finished: subprocess.CompletedProcess[str]) -> str:
    return finished.stdout[-20000:] + finished.stderr[-5000:]


@pytest.fixture(scope="module")
def vendor_person(stack: RunningStack) -> None:
    """A person of a vendor staff made, with their own password and authenticator, all through the API, as
    tests/e2e/test_key_last_used.py does; the hooks sign in with the login left in the stack's directory."""
    email = "fuzz.leverandor@example.org"
    contact = {"first_name": "Mette", "last_name": "Holm", "email": email, "mobile": "+45 20 30 40 50"}
    body = {"name": "Fuzz Leverandør", "contact_email": email, "contact": contact}
    created = api(stack, "POST", "/v1/staff/vendors", token_of(stack, "staff"), json=body)
    assert created.status_code == 201, created.text
    mail = stack.mail_containing("leverandørkonsol", seconds=30, to=email)
    text = str(mail.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    token = re.search(r"^Invitationskode: (\S+)\r?$", text, re.MULTILINE).group(1)  # type: ignore[union-attr]
    answer = {"token": token, "password": VENDOR_PERSON_PASSWORD}
    accepted = api(stack, "POST", "/v1/invitations/accept", None, json=answer)
    assert accepted.status_code == 201, accepted.text
    username = accepted.json()["username"]
    first = sign_in(stack.cognito(), stack.demo["cognito"]["client_id"], username, VENDOR_PERSON_PASSWORD)
    secret = api(stack, "POST", "/v1/me/second-factor/authenticator", first).json()["secret_code"]
    code = {"code": fresh_totp(secret)}
    verified = api(stack, "POST", "/v1/me/second-factor/authenticator/verify", first, json=code)
    assert verified.status_code == 200, verified.text
    wait_for_sign_in(verified.json()["sign_in_from"])
    login = {"username": username, "password": VENDOR_PERSON_PASSWORD, "totp_secret": secret}
    (stack.state_dir / VENDOR_PERSON_LOGIN).write_text(json.dumps(login))


# Anonymous and the vendor first, then the vendor's person: the staff run may revoke the demo vendor's key,
# suspend the demo organisation or remove the vendor's person, as staff may.
@pytest.mark.usefixtures("vendor_person")
@pytest.mark.parametrize("role", ["anonymous", "vendor", "vendor-person", "administrator", "staff"])
def test_the_app_answers_as_its_openapi_document_says(stack: RunningStack, role: str, tmp_path: Path):
    # Given the served document
    operations = operations_of_the_document(stack, role)

    # When the examples and fuzzing phases run over it as this caller
    finished = fuzz(stack, role, tmp_path / "junit.xml")

    # Then they called every operation, and every answer was as the document says
    assert "Tested:" in finished.stdout, report_of(finished)
    not_called = sorted(operations - operations_called(tmp_path / "junit.xml"))
    assert not not_called, f"{len(not_called)} of {len(operations)} operations never called: {not_called}"
    assert finished.returncode == 0, report_of(finished)
