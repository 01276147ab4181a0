"""Least privilege, checked against what the functions really do: while the other tests run, tests/recorder.py
notes each AWS call a function of the app makes (function, action, resource). This test runs after all of
them and compares those calls with `infra/policies.json`, which infra/operations.py turns into each
function's role:

- a call a function made that its policy does not grant fails, in any run (the function would be refused in
  AWS);
- a grant no function call needed fails when the session ran every integration test (the grant is more than
  the function uses); a run of only some tests cannot tell, and says so.

To write the file from a full run:
    GODKEND_RECORDED_CALLS=calls.tsv .venv/bin/python -m pytest tests/integration
    .venv/bin/python -m tests.recorder calls.tsv > infra/policies.json
"""

from __future__ import annotations

import json
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


def ran_every_integration_test(session: pytest.Session) -> bool:
    files = {str(p.relative_to(PROJECT_DIR)) for p in INTEGRATION.glob("test_*.py")}
    ran = {item.nodeid.split("::", 1)[0] for item in session.items}
    deselected = bool(session.config.getoption("keyword") or session.config.getoption("markexpr"))
    # -x is --maxfail=1: a run that may stop early cannot know every call.
    stops_early = bool(session.config.getoption("maxfail"))
    return files <= ran and not deselected and not stops_early


@pytest.mark.after_all
def test_every_call_a_function_made_is_granted_to_it() -> None:
    missing = sorted(recorder.RECORDED - granted())

    assert missing == [], "add these to infra/policies.json (function, action, resource): " + repr(missing)


@pytest.mark.after_all
def test_no_function_is_granted_a_call_it_never_made(request: pytest.FixtureRequest) -> None:
    if not ran_every_integration_test(request.session):
        pytest.skip("only a run of every integration test knows all the calls; this one ran some")

    unused = sorted(granted() - recorder.RECORDED)

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
