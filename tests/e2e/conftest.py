"""Starts the real local stack (`python -m infra.local.run`) as a front end would meet it.

One stack for the whole session (`stack`, one per pytest process, on free ports with its own state folder),
shared by every module that only reads the demo or makes organisations of its own: such modules keep to
their own companies (tests/e2e/register.py), people and mail, and each passes alone and in any order with
the others. A module or test that needs another stack says why where it starts one (`stack_of_its_own`):
other settings, a restart, or a change to the demo that the other modules would see.
"""

from __future__ import annotations

import email
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.e2e.browser import browser
from tests.e2e.register import write_register

__all__ = ["browser"]  # the fixture, offered to every module by name

PROJECT_DIR = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 120
LOOSE_LIMITS = {
    "GODKEND_LETTER_INTERVAL_SECONDS": "5",
    "GODKEND_APPLICATIONS_PER_CALLER_PER_HOUR": "1000",
    "GODKEND_APPLICATIONS_PER_CALLER_PER_DAY": "1000",
    "GODKEND_SUPPORT_CASES_PER_CALLER_PER_HOUR": "1000",
    "GODKEND_SUPPORT_CASES_PER_CALLER_PER_DAY": "1000",
    "GODKEND_SIGN_INS_PER_CALLER_PER_HOUR": "1000",
    "GODKEND_HOSTED_CHECK_CODES_PER_CALLER_PER_HOUR": "1000",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class RunningStack:
    process: subprocess.Popen[bytes]
    state_dir: Path
    demo: dict[str, Any]

    @property
    def api(self) -> str:
        return str(self.demo["api_url"])

    @property
    def console_url(self) -> str:
        return str(self.demo["console_url"])

    def cognito(self) -> Any:
        return boto3.client(
            "cognito-idp",
            endpoint_url=self.demo["aws_endpoint_url"],
            region_name=self.demo["region"],
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def mail_containing(self, text: str, seconds: float = 15, *, to: str = "") -> EmailMessage:
        """The first mail in .local/mail/ whose text part contains `text` (and sent to an address containing
        `to`), waiting for it to arrive."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for path in sorted((self.state_dir / "mail").glob("*.eml")):
                message = email.message_from_bytes(path.read_bytes(), policy=default)
                body = message.get_body(preferencelist=("plain",))
                if body is not None and text in body.get_content() and to in str(message["To"]):
                    return message
            time.sleep(0.2)
        raise AssertionError(
            f"no mail containing {text!r} to {to!r} in {self.state_dir / 'mail'} within {seconds} s"
        )

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)


def start_stack(state_dir: Path, settings: dict[str, str] | None = None, **extra_env: str) -> RunningStack:
    """`settings`: GODKEND_ variables for this stack (e.g. shorter retry waits)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GODKEND_", "MOTO_"))}
    # Every request of a test comes from 127.0.0.1, and a test cannot wait an hour for a company's next
    # letter: the stacks limit callers loosely and let a mailbox's letters follow each other within seconds.
    # The limits and the hour themselves are tested with a clock
    # (tests/integration/onboarding/test_applications.py, test_letter_promise.py, test_support_cases.py);
    # tests/e2e/test_letters.py sets its own.
    env.update(LOOSE_LIMITS)
    env.update(settings or {})
    env.update(
        GODKEND_API_PORT=str(free_port()),
        GODKEND_AWS_PORT=str(free_port()),
        GODKEND_CONSOLE_PORT=str(free_port()),
        GODKEND_LOCAL_DIR=str(state_dir),
    )
    env.update(extra_env)
    demo_file = state_dir / "demo.json"
    demo_file.unlink(missing_ok=True)  # its appearance is the signal that this start is ready
    log = (state_dir.parent / f"{state_dir.name}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local.run"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not demo_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"the local stack did not start; log: {log.name}")
        time.sleep(0.25)
    return RunningStack(process, state_dir, json.loads(demo_file.read_text()))


def stack_of_its_own(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    settings: dict[str, str] | None = None,
    **extra_env: str,
) -> Iterator[RunningStack]:
    """A stack started for one module or test (a fixture's body: `yield from`), stopped after it."""
    running = start_stack(tmp_path_factory.mktemp(name) / "state", settings, **extra_env)
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The stack the modules share, its register holding companies of their own for those that make
    organisations. A module needing a stack of its own overrides this fixture, saying why."""
    register = write_register(tmp_path_factory.mktemp("register") / "companies.json")
    yield from stack_of_its_own(tmp_path_factory, "shared", {"GODKEND_REGISTRY_FILE": str(register)})


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keeps each phase's report on the test item, so a fixture can tell that its test failed (and, for
    the browser tests, keep a screenshot)."""
    outcome: Any = yield
    setattr(item, f"report_{call.when}", outcome.get_result())
