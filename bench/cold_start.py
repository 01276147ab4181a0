"""Prints how long a Lambda cold start spends importing the app: the median of fresh interpreters.

.venv/bin/python -m bench.cold_start [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
PROBE = "import time; t = time.perf_counter(); import app; print(time.perf_counter() - t)"
BASELINE = "import time; t = time.perf_counter(); import boto3, chalice; print(time.perf_counter() - t)"


def median_seconds(code: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        out = subprocess.run(  # noqa: S603
            [sys.executable, "-X", "frozen_modules=on", "-c", code],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        samples.append(float(out.strip().splitlines()[-1]))
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    app_seconds = median_seconds(PROBE, args.runs)
    baseline = median_seconds(BASELINE, args.runs)
    print(f"import app (median of {args.runs}): {app_seconds * 1000:.0f} ms")
    print(f"import boto3 + chalice alone:      {baseline * 1000:.0f} ms")
    print(f"our share:                         {(app_seconds - baseline) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
