"""axe-core, the accessibility engine browsers' own audits use, run inside a page of the console.

axe-core comes from the console's npm dependencies (web/node_modules, installed by `make test`), so the
browser tests check with the version the lock file pins. It is evaluated through the DevTools protocol, which
the console's Content-Security-Policy does not govern: the page under test is served exactly as in production.
Every rule runs, whatever its impact or tag: a "minor" finding is still something a person meets.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"

# What axe found, per rule: its id, impact, help text and where (the first few elements' selectors and the
# reason axe gives for each), enough to find the element without a screenshot.
_RUN = """async (scope) => {
  const result = await axe.run(scope ? document.querySelector(scope) : document, {
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""


@cache
def _source() -> str:
    if not AXE.exists():
        raise FileNotFoundError(f"{AXE} is missing: run `cd web && npm ci` (make test does)")
    return AXE.read_text(encoding="utf-8")


def violations(page: Page, scope: str | None = None) -> list[dict[str, Any]]:
    """Every axe-core violation on the page as it is now (or inside the element `scope` selects)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    found: list[dict[str, Any]] = page.evaluate(_RUN, scope)
    return found


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {node['target']}: {node['summary']}" for node in violation["nodes"])
    return "\n".join(lines)


def assert_accessible(page: Page, where: str, scope: str | None = None) -> None:
    """Fails with what axe-core found, rule by rule, when the page (or `scope`) has any violation at all."""
    found = violations(page, scope)
    assert not found, f"axe-core on {where}:\n{describe(found)}"
