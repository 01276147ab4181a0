"""`make bench-console` on the built console: it measures both pages under both profiles and ends with the
ratio the goal is stated in. One run of each, so the figures themselves are not the point here. It runs as
`make bench-console` runs it, in a process of its own: Playwright's sync API cannot start a second time in a
test process whose browser (tests/e2e/browser.py) is already running."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from infra.local.console import CONSOLE_DIST, PROJECT_DIR, is_built

pytestmark = pytest.mark.e2e


def test_the_console_bench_prints_its_figures_and_ends_with_the_goals_ratio():
    # Given the console's build (make web)
    assert is_built(CONSOLE_DIST), "the console is not built: make web"

    # When the bench runs once per page and profile
    run = subprocess.run(
        [sys.executable, "-m", "bench.console", "--runs", "1"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()

    # Then it prints each page's first paint and usable time under each profile, and the JavaScript fetched
    row = re.compile(r"^((?:unthrottled|Fast 3G).*?)\s+(\d+) ms\s+(\d+) ms\s+([\d.]+) kB$")
    rows = {found[1]: [float(f) for f in found.groups()[1:]] for line in lines if (found := row.match(line))}
    assert set(rows) == {
        "unthrottled, blank page",
        "unthrottled, console",
        "Fast 3G, 4x CPU, blank page",
        "Fast 3G, 4x CPU, console",
    }
    for page, figures in rows.items():
        first_paint, usable, script_kb = figures
        assert 0 < first_paint <= usable, page
        assert (script_kb == 0) == page.endswith("blank page"), page
    # And the console's first visit sends under the budget, compressed, and fetches .woff2 fonts only
    assert rows["unthrottled, console"][2] < 100
    assert re.search(r"^font files the console fetched \(unthrottled\): \d+ woff2$", "\n".join(lines), re.M)
    # And its last line is the goal's ratio
    assert re.fullmatch(r"usable, throttled / blank page: \d+\.\dx", lines[-1])
