"""Prints how soon the console shows something and how soon its sign-in form can be used, against a blank
page.

The built console (`web/dist/`, from `make web`) is served by `make run`'s console server
(infra/local/console.py: its compression, its cache and security headers), with a `/config.json` that points
nowhere (the sign-in page calls nothing before it is submitted). The reference is a blank page served by the
same server: a plain HTML sign-in form, no style, no script. Both are loaded in Debian's Chromium
(Playwright), each run in a fresh browser context (an empty cache, as a first visit), unthrottled and on
Chrome DevTools' mobile profile: Fast 3G (562.5 ms latency, 1.44 Mbit/s down, 675 kbit/s up) and a 4x slower
CPU, both through the DevTools protocol. The pages take turns, so that a busy moment of the machine weighs on
both alike.

- first paint: the first contentful paint (the browser's `first-contentful-paint` entry);
- usable: the sign-in form is on the page and painted, its submit button enabled (the console's script has
  run: its form is drawn by the script);
- JavaScript: what the page fetched of it before it was usable, as sent (compressed), and what fonts.

The absolute times are this machine's; the ratio to the blank page is what carries over to another.

    .venv/bin/python -m bench.console [--runs 5] [--dist web/dist]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Request, sync_playwright

from infra.local.console import CONSOLE_DIST, ConsoleServer, console_config, is_built

CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium headless as root on a closed network (as the browser tests run it).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 60_000
POLL_MS = 50

# Chrome DevTools' "Fast 3G" preset (its figures, bytes per second) and its mobile CPU slowdown.
FAST_3G = {"offline": False, "latency": 562.5, "downloadThroughput": 180_000, "uploadThroughput": 84_375}
CPU_SLOWDOWN = 4

# Nothing answers there: the sign-in page calls neither before the form is submitted.
NOWHERE = console_config(
    api_url="http://127.0.0.1:9",
    aws_url="http://127.0.0.1:9",
    region="eu-west-1",
    user_pool_id="eu-west-1_bench",
    client_id="bench",
)

BLANK_PAGE = """<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>Log ind</title></head>
<body><h1>Log ind</h1>
<form><label for="u">Brugernavn</label><input id="u" autocomplete="username">
<label for="p">Adgangskode</label><input id="p" type="password" autocomplete="current-password">
<button type="submit">Log ind</button></form></body></html>
"""

# Runs before any of the page's own scripts: notes when a sign-in form with an enabled submit button is on
# the page, then waits for the frame that paints it (the task after the next animation frame), the same way
# for the blank page and the console.
USABLE_PROBE = """
(() => {
  const usable = () => {
    const form = document.querySelector('input[autocomplete="username"]')?.form;
    const submit = form?.querySelector('button[type="submit"]');
    return Boolean(submit && !submit.disabled);
  };
  const seen = () => {
    if (window.__usableAt !== undefined || window.__usableSeen || !usable()) return;
    window.__usableSeen = true;
    requestAnimationFrame(() => setTimeout(() => { window.__usableAt = performance.now(); }, 0));
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true, attributes: true });
  document.addEventListener("DOMContentLoaded", seen);
})();
"""
READ_TIMES = """() => ({
  firstPaint: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null,
  usable: window.__usableAt ?? null,
})"""


@dataclass
class Load:
    first_paint_ms: float
    usable_ms: float
    script_bytes: int
    fonts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Profile:
    name: str
    network: dict[str, Any] | None
    cpu_slowdown: int


PROFILES = [
    Profile("unthrottled", None, 1),
    Profile(f"Fast 3G, {CPU_SLOWDOWN}x CPU", FAST_3G, CPU_SLOWDOWN),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(dist: Path) -> Iterator[str]:
    server = ConsoleServer("127.0.0.1", free_port(), NOWHERE, dist)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def load_once(browser: Browser, url: str, profile: Profile) -> Load:
    """A first visit to `url` in a fresh context: first paint, when its form is usable, what it fetched."""
    context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen")
    try:
        context.add_init_script(USABLE_PROBE)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        cdp = context.new_cdp_session(page)
        if profile.network:
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", profile.network)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": profile.cpu_slowdown})
        finished: list[Request] = []
        page.on("requestfinished", lambda request: finished.append(request))
        page.goto(url, wait_until="commit")
        times = until_usable(page)
        scripts = sum(r.sizes()["responseBodySize"] for r in finished if r.resource_type == "script")
        if profile.network is None:
            # The fonts are asked for once text is laid out in them: wait for them where waiting is short.
            page.wait_for_load_state("networkidle")
        first_paint = float(times["firstPaint"] or times["usable"])
        return Load(
            first_paint_ms=first_paint,
            # A form is not usable before it is seen: never before the first paint.
            usable_ms=max(float(times["usable"]), first_paint),
            script_bytes=scripts,
            fonts=sorted(r.url.rsplit(".", 1)[-1] for r in finished if r.resource_type == "font"),
        )
    finally:
        context.close()


def until_usable(page: Page) -> dict[str, Any]:
    """The page's times once its form is usable. Polled from here: the console's CSP (no `unsafe-eval`)
    refuses Playwright's `wait_for_function`."""
    for _ in range(TIMEOUT_MS // POLL_MS):
        times: dict[str, Any] = page.evaluate(READ_TIMES)
        if times["usable"] is not None:
            return times
        page.wait_for_timeout(POLL_MS)
    raise TimeoutError(f"{page.url}: no usable sign-in form after {TIMEOUT_MS} ms")


def measure(browser: Browser, urls: dict[str, str], runs: int) -> dict[tuple[str, str], list[Load]]:
    """Every page under every profile, `runs` times, the pages taking turns."""
    found: dict[tuple[str, str], list[Load]] = {(p.name, page): [] for p in PROFILES for page in urls}
    for profile in PROFILES:
        for _ in range(runs):
            for page, url in urls.items():
                found[profile.name, page].append(load_once(browser, url, profile))
    return found


def median(loads: list[Load], what: str) -> float:
    return float(statistics.median(float(getattr(load, what)) for load in loads))


def report(found: dict[tuple[str, str], list[Load]], runs: int) -> list[str]:
    lines = [
        f"First visit, median of {runs} (Chromium; throttled: Fast 3G, {CPU_SLOWDOWN}x CPU):",
        f"{'':<28} {'first paint':>12} {'usable':>9} {'JavaScript':>11}",
    ]
    for (profile, page), loads in found.items():
        kilobytes = median(loads, "script_bytes") / 1000
        lines.append(
            f"{profile + ', ' + page:<28} {median(loads, 'first_paint_ms'):>9.0f} ms "
            f"{median(loads, 'usable_ms'):>6.0f} ms {kilobytes:>8.1f} kB"
        )
    fonts = Counter(found[PROFILES[0].name, "console"][-1].fonts)
    fetched = ", ".join(f"{count} {kind}" for kind, count in sorted(fonts.items())) or "none"
    lines.append(f"font files the console fetched (unthrottled): {fetched}")
    # Unthrottled first, so the goal's figure (usable, throttled) is the last line.
    for profile, label in ((PROFILES[0].name, "unthrottled"), (PROFILES[1].name, "throttled")):
        console, blank = found[profile, "console"], found[profile, "blank page"]
        for what, name in (("first_paint_ms", "first paint"), ("usable_ms", "usable")):
            lines.append(f"{name}, {label} / blank page: {median(console, what) / median(blank, what):.1f}x")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.console", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dist", type=Path, default=CONSOLE_DIST, help="the console's build (web/dist)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not is_built(args.dist):
        parser.error(f"no console build in {args.dist}: run `make web` first")
    with tempfile.TemporaryDirectory() as blank_dist, sync_playwright() as playwright:
        (Path(blank_dist) / "index.html").write_text(BLANK_PAGE)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            with serving(Path(blank_dist)) as blank, serving(args.dist) as console:
                found = measure(browser, {"blank page": blank, "console": console}, args.runs)
        finally:
            browser.close()
    for line in report(found, args.runs):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
