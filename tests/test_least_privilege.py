"""Least privilege, checked against what the functions really do: while the other tests run, tests/recorder.py
notes each AWS call a function of the app makes (function, action, resource). This test runs after all of
them and compares those calls with `infra/policies.json`, which infra/operations.py turns into each
function's role:

- a call a function made that its policy does not grant fails, in any run (the function would be refused in
  AWS);
- a grant no function call needed fails when the session ran every integration test (the grant is more than
  the function uses); a run of only some tests cannot tell, and says so.

A session split over processes (`make test` runs the tests in pytest-xdist's workers, then these two checks
in a run of their own) shares its calls through GODKEND_RECORDING_DIR (tests/recorder.py); inside a worker
the two checks cannot know what the other workers will record, and skip.

To write the file from a full run:
    GODKEND_RECORDED_CALLS=calls.tsv .venv/bin/python -m pytest tests/integration
    .venv/bin/python -m tests.recorder calls.tsv > infra/policies.json
or, after `make test`, `.venv/bin/python -m tests.recorder build/recorded-calls > infra/policies.json`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests import recorder

PROJECT_DIR = Path(__file__).resolve().parent.parent
POLICIES = PROJECT_DIR / "infra" / "policies.json"
INTEGRATION = PROJECT_DIR / "tests" / "integration"


def granted() -> set[recorder.Call]:
    calls = set()
    for function, services in json.loads(POLICIES.read_text()).items():
        for service, resources in services.items():
            for resource, actions in resources.items():
                calls |= {(function, f"{service}:{action}", resource) for action in actions}
    return calls


def recorded() -> set[recorder.Call]:
    """What this process recorded, and what the session's other processes did."""
    return recorder.RECORDED | recorder.recorded_elsewhere()


def ran_every_integration_test(session: pytest.Session) -> bool:
    files = {str(p.relative_to(PROJECT_DIR)) for p in INTEGRATION.rglob("test_*.py")}
    elsewhere = recorder.ran_elsewhere()
    ran = {item.nodeid.split("::", 1)[0] for item in session.items if recorder.is_integration(item.nodeid)}
    ran |= {file for other in elsewhere for file in other.files}
    # -x is --maxfail=1: a run that may stop early cannot know every call.
    stops_early = bool(session.config.getoption("maxfail"))
    left_out = recorder.deselected_integration() or not all(other.complete for other in elsewhere)
    return files <= ran and not left_out and not stops_early


def in_a_worker() -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.skip("a pytest-xdist worker cannot know what the others record; `make test` runs this after")


@pytest.mark.after_all
def test_every_call_a_function_made_is_granted_to_it() -> None:
    in_a_worker()
    missing = sorted(recorded() - granted())

    assert missing == [], "add these to infra/policies.json (function, action, resource): " + repr(missing)


@pytest.mark.after_all
def test_no_function_is_granted_a_call_it_never_made(request: pytest.FixtureRequest) -> None:
    in_a_worker()
    if not ran_every_integration_test(request.session):
        pytest.skip("only a run of every integration test knows all the calls; this one ran some")

    unused = sorted(granted() - recorded())

    assert unused == [], "remove these from infra/policies.json, or test the code that needs them: " + repr(
        unused
    )


def test_the_policies_name_exactly_the_functions_of_the_app() -> None:
    from chalice.app import ChaliceAuthorizer, EventSourceHandler

    from app import app

    functions = {
        n for n, h in app.handler_map.items() if isinstance(h, EventSourceHandler | ChaliceAuthorizer)
    }

    assert set(json.loads(POLICIES.read_text())) == functions | {"api_handler"}
