"""Prints how long a Lambda cold start spends importing the app: the median of fresh interpreters.

Every function of the service (the API, the mail and the reminder functions) imports `app`; each then
imports what its handler needs on its first invocation, which is part of its cold start too. So besides
`import app` and its ratio to `import boto3, chalice` alone, this prints what each kind of function's
first invocation imports on top: a vendor's check, the mail delivery and the expiry reminders.

.venv/bin/python -m bench.cold_start [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
TIMED = "import time; t = time.perf_counter(); {imports}; print(time.perf_counter() - t)"
BASELINE = "import boto3, chalice"
APP = "import app"
# What each function's handler imports when it first runs (beyond app), as its first invocation would.
FUNCTIONS = {
    "API function, a vendor's check": (
        "import app, boto3, chalicelib.api.schemas.validations, chalicelib.services.vendors.validation, "
        "chalicelib.services.vendors.keys, chalicelib.models.validation, chalicelib.settings"
    ),
    "API function, a person's request": (
        "import app, boto3, chalicelib.adapters.tokens, chalicelib.services.access.identity, "
        "chalicelib.settings"
    ),
    "mail function (deliver_outbox)": (
        "import app, boto3, chalicelib.services.outbox.delivery, chalicelib.adapters.idempotency, "
        "chalicelib.adapters.ses, chalicelib.mail.render, chalicelib.settings"
    ),
    "reminder functions": (
        "import app, boto3, chalicelib.services.codes.reminders, chalicelib.adapters.sqs, chalicelib.settings"
    ),
}


def median_seconds(imports: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        out = subprocess.run(  # noqa: S603
            [sys.executable, "-X", "frozen_modules=on", "-c", TIMED.format(imports=imports)],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        samples.append(float(out.strip().splitlines()[-1]))
    return statistics.median(samples)


def interleaved(cases: dict[str, str], runs: int) -> dict[str, float]:
    """Each case's median, the runs taking turns so that a busy moment of the machine weighs on all alike."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, imports in cases.items():
            samples[name].append(median_seconds(imports, 1))
    return {name: statistics.median(found) for name, found in samples.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    found = interleaved({"app": APP, "baseline": BASELINE, **FUNCTIONS}, args.runs)
    app_seconds, baseline = found["app"], found["baseline"]
    print(f"import app (median of {args.runs}): {app_seconds * 1000:.0f} ms")
    print(f"import boto3 + chalice alone:      {baseline * 1000:.0f} ms")
    print(f"import app / boto3 + chalice:      {app_seconds / baseline:.2f}x")
    for name in FUNCTIONS:
        seconds = found[name]
        print(f"{name + ', first invocation:':<50} {seconds * 1000:.0f} ms ({seconds / baseline:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
