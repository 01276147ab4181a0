"""Tracing costs nothing at import time, nor on an invocation X-Ray did not sample."""

from __future__ import annotations

import subprocess
import sys

import pytest

from chalicelib import tracing
from tests.conftest import PROJECT_DIR


def test_importing_the_app_does_not_import_the_tracer_or_the_xray_sdk() -> None:
    # When a cold start imports the app (in a fresh interpreter, as Lambda does)
    probe = (
        "import sys, app; print(sorted(m for m in sys.modules if m.startswith(('aws_xray_sdk', 'wrapt'))))"
    )
    finished = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    )

    # Then neither the X-Ray SDK nor its patching library is loaded
    assert finished.stdout.strip() == "[]"


def test_only_a_sampled_invocation_in_lambda_is_traced(monkeypatch: pytest.MonkeyPatch) -> None:
    header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

    # Outside Lambda: never
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    assert not tracing.sampled(header)

    # In Lambda: as the header says, unless Powertools' switch turns tracing off
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "godkend-dev-api")
    assert tracing.sampled(header)
    assert not tracing.sampled(header.replace("Sampled=1", "Sampled=0"))
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    assert not tracing.sampled(header)


def test_an_invocation_that_is_not_sampled_goes_straight_to_the_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "godkend-dev-api")
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0")

    answer = tracing.trace({"event": 1}, lambda event: {"handled": event})

    assert answer == {"handled": {"event": 1}}
    assert tracing._tracer is None
