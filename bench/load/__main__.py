"""`make load`: a bounded, mixed load on a stage, measured with Locust, stopping by itself.

By default the local stack that `make run` started (found through .local/demo.json); `--url` (make: URL=...)
with `--config` (LOAD_CONFIG=...) for a deployed stage. Prepares callers and codes through the API, runs
Locust headless for `--run-time`, prints per request kind the throughput, p50/p95/p99 and failures, and
leaves Locust's CSV and HTML report in `--out` (build/load/). Exits non-zero if any request failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from bench.load.setup import (
    Target,
    TargetUnusable,
    deployed_target,
    local_target,
    prepare,
    revoke_vendor_keys,
)
from infra.local.client import UnexpectedAnswer

PROJECT_DIR = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make load", description=__doc__)
    parser.add_argument("--url", default=os.environ.get("URL") or None, help="a deployed stage's API")
    parser.add_argument("--config", type=Path, default=os.environ.get("LOAD_CONFIG") or None)
    parser.add_argument(
        "--demo",
        type=Path,
        default=Path(os.environ.get("GODKEND_LOCAL_DIR", PROJECT_DIR / ".local")) / "demo.json",
        help="the local stack's demo.json",
    )
    parser.add_argument("--users", type=int, default=64, help="concurrent simulated callers")
    parser.add_argument("--spawn-rate", type=float, default=16, help="callers started per second")
    parser.add_argument("--run-time", default="60s", help="how long the load runs (Locust's format: 30s, 2m)")
    parser.add_argument(
        "--colleagues", type=int, default=4, help="colleagues created to sign in (local stack)"
    )
    parser.add_argument("--codes", type=int, default=20, help="valid codes prepared for the vendors")
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "build" / "load")
    return parser.parse_args(argv)


def target_of(args: argparse.Namespace) -> Target:
    if args.url:
        return deployed_target(args.url.rstrip("/"), args.config or Path("load-config.json"))
    target = local_target(args.demo)
    try:
        requests.get(f"{target.api_url}/health", timeout=5).raise_for_status()
    except requests.RequestException as exc:
        raise TargetUnusable(
            f"no local stack answers at {target.api_url} ({args.demo} is left from an earlier run); "
            "start it with `make run`"
        ) from exc
    return target


def run_locust(args: argparse.Namespace, target: Target, fixture_file: Path) -> int:
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        target.api_url,
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        args.run_time,
        "--stop-timeout",
        "30",
        "--csv",
        str(args.out / "load"),
        "--html",
        str(args.out / "report.html"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {
        **os.environ,
        "GODKEND_LOAD_FIXTURE": str(fixture_file),
        "GODKEND_LOAD_SUMMARY": str(args.out / "summary.json"),
        "PYTHONPATH": str(PROJECT_DIR),
    }
    (args.out / "summary.json").unlink(missing_ok=True)
    with (args.out / "locust.log").open("wb") as log:
        done = subprocess.run(command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=log, check=False)  # noqa: S603
    return done.returncode


def table(summary: dict[str, Any]) -> str:
    """Per request kind: requests, failures, throughput and latency percentiles."""
    header = (
        f"{'request kind':<44} {'requests':>9} {'failed':>7} {'per s':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    )
    lines = [header]
    for kind in summary["kinds"]:
        if kind["name"] == "all":
            lines.append("-" * len(header))
        lines.append(
            f"{kind['name']:<44} {kind['requests']:>9,} {kind['failures']:>7,} {kind['per_second']:>7.1f} "
            f"{kind['p50']:>7,} {kind['p95']:>7,} {kind['p99']:>7,}"
        )
    limited = summary["applications_at_letter_limit"]
    if limited:
        lines.append(f"(applications answered 429 at the per-CVR letter limit: {limited})")
    for error in summary["errors"]:
        lines.append(f"failed {error['occurrences']} times: {error['name']}: {error['error'][:160]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        target = target_of(args)
        print(f"preparing {target.api_url}: colleagues, codes and {args.users} vendors ...", flush=True)
        started = time.monotonic()
        fixture = prepare(
            target, vendors=args.users, colleagues=0 if args.url else args.colleagues, codes=args.codes
        )
    except (TargetUnusable, UnexpectedAnswer) as exc:
        print(f"make load: {exc}", file=sys.stderr)
        return 1
    fixture_file = args.out / "fixture.json"
    fixture.write(fixture_file)
    print(
        f"prepared in {time.monotonic() - started:.0f} s; {args.users} callers for {args.run_time} ...",
        flush=True,
    )
    try:
        code = run_locust(args, target, fixture_file)
    finally:
        fixture_file.unlink(missing_ok=True)  # it holds access tokens and vendor keys
        revoke_vendor_keys(target, fixture)
    summary_file = args.out / "summary.json"
    if not summary_file.exists():
        print(
            f"make load: Locust stopped without statistics (status {code}); see {args.out / 'locust.log'}",
            file=sys.stderr,
        )
        return code or 1
    summary = json.loads(summary_file.read_text())
    print(table(summary))
    print(f"report: {args.out / 'report.html'}; Locust's CSV and log: {args.out}/load_*.csv, locust.log")
    failed = summary["kinds"][-1]["failures"]
    if failed:
        print(f"make load: {failed} requests failed", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
