"""`make run`'s web console: serves the built console (`web/dist/`, from `make web`) on loopback, as
CloudFront serves it in AWS: its files with their content types and the console's security headers, every
other path answered with `index.html` (the console routes in the browser), and `/config.json` saying where
the local API and the emulator's Cognito are.

Files are sent compressed when the browser accepts it: brotli, else gzip, as the build wrote them beside
each file (`.br`, `.gz`). The build's fingerprinted files (`/assets/`) may be kept a year, the page is asked
for again every time (infra/console.py says so for CloudFront too), and `/config.json`, new every start, is
never kept.

Without a build the stack still starts: the console's address answers a page saying to run `make web`, and
shows the console once the build is there (the files are read on every request).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from infra.console import ASSET_CACHE, ASSETS_PATH, PAGE_CACHE, security_headers

PROJECT_DIR = Path(__file__).resolve().parents[2]
CONSOLE_DIST = PROJECT_DIR / "web" / "dist"
CONFIG_PATH = "/config.json"
# Precompressed beside each file by the build, in the order they are preferred.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))

# Stated here rather than guessed from the machine's /etc/mime.types, which may lack or misname them.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".txt": "text/plain; charset=utf-8",
}

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Godkend console: not built</title></head>
<body><h1>The console is not built yet</h1>
<p>Run <code>make web</code> in the project directory, then reload this page.
The API and the emulator are running; see <code>.local/demo.json</code>.</p></body></html>
"""


# Who a person reaches for help locally: the footer's contact and opening hours (a stage's own are in
# .chalice/config.json, infra/console.py).
LOCAL_SUPPORT = {
    "email": "support@godkend.example",
    "phone": "+45 70 00 00 00",
    "hours": {"da": "hverdage 9-16", "en": "weekdays 9am-4pm"},
}


def console_config(
    *,
    api_url: str,
    aws_url: str,
    region: str,
    user_pool_id: str,
    client_id: str,
    support: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the console reads from `/config.json` at start: the API, the user pool it signs in against, and
    the support contact its footer and its own pages name."""
    return {
        "api_url": api_url,
        "region": region,
        "cognito": {"endpoint": aws_url, "user_pool_id": user_pool_id, "client_id": client_id},
        "support": support or LOCAL_SUPPORT,
    }


def console_dist() -> Path:
    """The build to serve: `web/dist/`, or GODKEND_CONSOLE_DIST (the tests give one of their own)."""
    configured = os.environ.get("GODKEND_CONSOLE_DIST")
    return Path(configured) if configured else CONSOLE_DIST


def is_built(dist: Path) -> bool:
    return (dist / "index.html").is_file()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser that went away in the middle of an answer (a closed tab, a page left before its fonts
        # came) is no error of the server's: its traceback would only bury the stack's log.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class ConsoleServer:
    def __init__(self, host: str, port: int, config: dict[str, Any], dist: Path = CONSOLE_DIST) -> None:
        headers = security_headers([config["api_url"], config["cognito"]["endpoint"]], https=False)
        handler = _handler(dist.resolve(), json.dumps(config, indent=2).encode(), headers)
        self._server = _Server((host, port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="console", daemon=True)
        self.url = f"http://{host}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass(frozen=True)
class Answer:
    status: HTTPStatus
    content_type: str
    body: bytes
    cache: str = "no-store"
    # The body's Content-Encoding (None: as it is); `vary` when another request could get it otherwise.
    encoding: str | None = None
    vary: bool = False

    def headers(self) -> dict[str, str]:
        found = {
            "Content-Type": self.content_type,
            "Content-Length": str(len(self.body)),
            "Cache-Control": self.cache,
        }
        if self.encoding:
            found["Content-Encoding"] = self.encoding
        if self.vary:
            found["Vary"] = "Accept-Encoding"
        return found


def accepted_encodings(accept_encoding: str) -> set[str]:
    """The codings an `Accept-Encoding` header accepts (`*` stands for any; `;q=0` refuses one)."""
    accepted = set()
    for item in accept_encoding.lower().split(","):
        coding, *parameters = (part.strip() for part in item.split(";"))
        if coding and not any(_refuses(parameter) for parameter in parameters):
            accepted.add(coding)
    return accepted


def _refuses(parameter: str) -> bool:
    name, _, value = parameter.partition("=")
    try:
        return name.strip() == "q" and float(value) == 0
    except ValueError:
        return False


def answer_for(dist: Path, path: str, config: bytes, accept_encoding: str = "") -> Answer:
    """What the console's address answers for `path`, as CloudFront with the console's bucket would."""
    if path == CONFIG_PATH:
        # Never cached: it names this start's user pool, which is new every start.
        return Answer(HTTPStatus.OK, "application/json", config)
    if not is_built(dist):
        return Answer(HTTPStatus.SERVICE_UNAVAILABLE, CONTENT_TYPES[".html"], NOT_BUILT_PAGE.encode())
    found = _file_for(dist, path)
    if found is None and "." in path.rsplit("/", 1)[-1]:
        # A missing asset stays missing: answering it with the page would hide a broken build.
        return Answer(HTTPStatus.NOT_FOUND, CONTENT_TYPES[".txt"], b"Not found\n")
    if found is None:
        return _file_answer(dist / "index.html", PAGE_CACHE, accept_encoding)
    return _file_answer(found, ASSET_CACHE if path.startswith(ASSETS_PATH) else PAGE_CACHE, accept_encoding)


def _file_answer(file: Path, cache: str, accept_encoding: str) -> Answer:
    """`file` as the browser accepts it: its precompressed variant if the build wrote one it takes."""
    variants = [(coding, file.with_name(file.name + suffix)) for coding, suffix in ENCODINGS]
    variants = [(coding, variant) for coding, variant in variants if variant.is_file()]
    accepted = accepted_encodings(accept_encoding)
    coding, body = next(((c, v) for c, v in variants if c in accepted or "*" in accepted), (None, file))
    return Answer(
        HTTPStatus.OK,
        CONTENT_TYPES.get(file.suffix, "application/octet-stream"),
        body.read_bytes(),
        cache=cache,
        encoding=coding,
        vary=bool(variants),
    )


def _handler(dist: Path, config: bytes, headers: dict[str, str]) -> type[BaseHTTPRequestHandler]:
    class ConsoleHandler(BaseHTTPRequestHandler):
        server_version = "GodkendConsole"

        def do_GET(self) -> None:
            self._send(with_body=True)

        def do_HEAD(self) -> None:
            self._send(with_body=False)

        def _send(self, *, with_body: bool) -> None:
            path = unquote(urlsplit(self.path).path)
            answer = answer_for(dist, path, config, self.headers.get("Accept-Encoding", ""))
            self.send_response(answer.status)
            for name, value in [*answer.headers().items(), *headers.items()]:
                self.send_header(name, value)
            self.end_headers()
            if with_body:
                self.wfile.write(answer.body)

        def log_message(self, format: str, *args: Any) -> None:
            # The console's file requests would drown the API's request log.
            pass

    return ConsoleHandler


def _file_for(dist: Path, path: str) -> Path | None:
    """The file under `dist` that `path` names, never one outside it."""
    candidate = (dist / path.lstrip("/")).resolve()
    if not candidate.is_relative_to(dist) or not candidate.is_file():
        return None
    return candidate
