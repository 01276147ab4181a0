"""X-Ray tracing of every function, through Powertools' Tracer, paid for only by the invocations traced.

Lambda (tracing `Active` in the template) records every sampled invocation's segment; the Tracer adds a
subsegment for the handler and one for each AWS call (it patches botocore). Importing the Tracer and the
X-Ray SDK takes tens of milliseconds, so it is not done at import time, nor on an invocation X-Ray did not
sample (by default one a second and 5% of the rest): the first sampled invocation of a container imports
it, and later ones reuse it. Outside Lambda (tests, `make run`) nothing is traced.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

_tracer: Any = None


def trace(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Chalice middleware for every kind of event: the handler's work as a subsegment, when sampled."""
    if not sampled(os.environ.get("_X_AMZN_TRACE_ID", "")):
        return get_response(event)
    tracer = _the_tracer()
    name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "handler")
    with tracer.provider.in_subsegment(f"## {name}") as subsegment:
        subsegment.put_annotation("service", "godkend")
        return get_response(event)


def sampled(trace_header: str) -> bool:
    """Whether Lambda's trace header (`Root=...;Parent=...;Sampled=1`) says X-Ray records this invocation."""
    if "AWS_LAMBDA_FUNCTION_NAME" not in os.environ or os.environ.get("POWERTOOLS_TRACE_DISABLED") == "true":
        return False
    return "Sampled=1" in trace_header.split(";")


def _the_tracer() -> Any:
    global _tracer
    if _tracer is None:
        from aws_lambda_powertools import Tracer

        _tracer = Tracer(service="godkend")
    return _tracer
