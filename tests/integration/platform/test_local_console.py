"""`make run`'s console server on its own: a built single-page app served as CloudFront serves it."""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from infra.local.console import ConsoleServer, console_config
from tests.e2e.conftest import free_port

CONFIG = console_config(
    api_url="http://127.0.0.1:8000",
    aws_url="http://127.0.0.1:5100",
    region="eu-west-1",
    user_pool_id="eu-west-1_pool",
    client_id="client",
)
INDEX = b'<!doctype html><html><head><script type="module" src="/assets/app.js"></script></head></html>'


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    return tmp_path / "dist"


@pytest.fixture
def console(dist: Path) -> Iterator[str]:
    server = ConsoleServer("127.0.0.1", free_port(), CONFIG, dist)
    server.start()
    yield server.url
    server.stop()


def build(dist: Path) -> None:
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_bytes(INDEX)
    (dist / "assets" / "app.js").write_text("console.log('hej')\n")
    (dist / "assets" / "app.css").write_text("body { margin: 0 }\n")
    (dist / "assets" / "mark.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (dist / "assets" / "font.woff2").write_bytes(b"wOF2")


def test_without_a_build_the_console_address_says_to_run_make_web(console, dist):
    response = requests.get(console + "/", timeout=5)

    assert response.status_code == 503
    assert "make web" in response.text
    assert response.headers["Content-Type"].startswith("text/html")


def test_the_build_is_served_once_it_is_there_with_its_content_types(console, dist):
    # Given the console was built after the stack started
    build(dist)

    # Then each file comes with its own content type
    expected = {
        "/": "text/html",
        "/index.html": "text/html",
        "/assets/app.js": "text/javascript",
        "/assets/app.css": "text/css",
        "/assets/mark.svg": "image/svg+xml",
        "/assets/font.woff2": "font/woff2",
    }
    for path, content_type in expected.items():
        response = requests.get(console + path, timeout=5)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"].split(";")[0] == content_type, path
    assert requests.get(console + "/assets/app.js", timeout=5).text == "console.log('hej')\n"


def test_paths_of_the_console_answer_its_page_and_missing_files_stay_missing(console, dist):
    build(dist)

    # A path the console routes in the browser gets the page
    for path in ("/min-konto", "/min-konto/godkendelseskode?status=active", "/aktiver"):
        response = requests.get(console + path, timeout=5)
        assert response.status_code == 200, path
        assert response.content == INDEX, path

    # A file the build lacks is a 404, not the page
    assert requests.get(console + "/assets/missing.js", timeout=5).status_code == 404


def test_nothing_outside_the_build_is_served(console, dist):
    # Given a file next to the build
    build(dist)
    (dist.parent / "secret.txt").write_text("secret")

    # When a request climbs out of the build, as such (requests would tidy the path) or encoded
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt"):
        connection = http.client.HTTPConnection(urlsplit(console).netloc, timeout=5)
        connection.request("GET", path)
        response = connection.getresponse()

        # Then it is not answered with the file
        assert response.status == 404, path
        assert b"secret" not in response.read(), path
        connection.close()


def test_config_json_says_where_the_api_and_cognito_are_and_whom_to_ask_for_help(console, dist):
    response = requests.get(console + "/config.json", timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert json.loads(response.text) == {
        "api_url": "http://127.0.0.1:8000",
        "region": "eu-west-1",
        "cognito": {
            "endpoint": "http://127.0.0.1:5100",
            "user_pool_id": "eu-west-1_pool",
            "client_id": "client",
        },
        "support": {
            "email": "support@godkend.example",
            "phone": "+45 70 00 00 00",
            "hours": {"da": "hverdage 9-16", "en": "weekdays 9am-4pm"},
        },
    }


def test_the_console_is_served_with_the_security_headers(console, dist):
    build(dist)

    headers = requests.get(console + "/", timeout=5).headers

    csp = {d.split()[0]: d.split()[1:] for d in headers["Content-Security-Policy"].split("; ")}
    assert csp["script-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert set(csp["connect-src"]) == {"'self'", "http://127.0.0.1:8000", "http://127.0.0.1:5100"}
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    # Over plain HTTP a browser ignores HSTS; CloudFront sends it
    assert "Strict-Transport-Security" not in headers


def precompress(dist: Path) -> None:
    """What the build writes beside each text file: its brotli and gzip forms (the brotli one a stand-in, as
    the server only passes it on)."""
    for name in ("index.html", "assets/app.js"):
        file = dist / name
        (dist / f"{name}.br").write_bytes(b"brotli:" + file.read_bytes())
        (dist / f"{name}.gz").write_bytes(gzip.compress(file.read_bytes()))


def fetch_raw(url: str, accept_encoding: str) -> tuple[requests.Response, bytes]:
    """The answer and its body as sent, not decoded."""
    response = requests.get(url, headers={"Accept-Encoding": accept_encoding}, stream=True, timeout=5)
    return response, response.raw.read(decode_content=False)


@pytest.mark.parametrize(
    ("accept_encoding", "encoding"),
    [
        ("gzip, deflate, br, zstd", "br"),  # what Chromium sends
        ("gzip", "gzip"),
        ("br;q=0, gzip;q=0.8", "gzip"),
        ("*", "br"),
        ("identity", None),
    ],
)
def test_files_are_sent_precompressed_as_the_browser_accepts_them(console, dist, accept_encoding, encoding):
    # Given a build with its files precompressed beside them
    build(dist)
    precompress(dist)
    plain = (dist / "assets" / "app.js").read_bytes()

    # When a browser asks for a script and for a path of the console (answered with the page)
    for path, file in (("/assets/app.js", "assets/app.js"), ("/min-konto", "index.html")):
        response, body = fetch_raw(console + path, accept_encoding)

        # Then it gets the form it accepts, said so, with the file's own content type
        assert response.headers.get("Content-Encoding") == encoding, path
        assert response.headers["Vary"] == "Accept-Encoding", path
        suffix = {"br": ".br", "gzip": ".gz", None: ""}[encoding]
        assert body == (dist / f"{file}{suffix}").read_bytes(), path
        assert int(response.headers["Content-Length"]) == len(body), path
    assert gzip.decompress((dist / "assets" / "app.js.gz").read_bytes()) == plain


def test_a_file_the_build_did_not_compress_is_sent_as_it_is(console, dist):
    build(dist)
    precompress(dist)

    response, body = fetch_raw(console + "/assets/font.woff2", "gzip, deflate, br")

    assert "Content-Encoding" not in response.headers
    assert "Vary" not in response.headers
    assert body == b"wOF2"


def test_fingerprinted_files_are_kept_a_year_and_the_page_and_its_configuration_never(console, dist):
    # Given a build: its files under /assets/ are named after their content
    build(dist)
    precompress(dist)

    def cache_control(path: str) -> str:
        return str(fetch_raw(console + path, "gzip, deflate, br")[0].headers["Cache-Control"])

    # Then a browser keeps those for a year without asking again
    for path in ("/assets/app.js", "/assets/app.css", "/assets/font.woff2"):
        assert cache_control(path) == "public, max-age=31536000, immutable", path
    # And asks again for the page every time, whichever path served it, and never keeps the configuration
    for path in ("/", "/index.html", "/min-konto", "/aktiver"):
        assert cache_control(path) == "no-cache", path
    assert cache_control("/config.json") == "no-store"
    # And a missing file is not kept either
    assert cache_control("/assets/missing.js") == "no-store"


def test_a_browser_that_leaves_in_the_middle_of_a_file_is_no_error(console, dist, capfd):
    # Given a build with a file larger than what the connection buffers
    build(dist)
    (dist / "assets" / "large.js").write_bytes(b"x" * 20_000_000)

    # When a browser asks for it and goes away after the first bytes
    netloc = urlsplit(console).netloc
    host, port = netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(b"GET /assets/large.js HTTP/1.1\r\nHost: " + netloc.encode() + b"\r\n\r\n")
        assert connection.recv(1024).startswith(b"HTTP/1.0 200")
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset, at once

    # Then the server goes on answering, and writes no traceback into the stack's log
    assert requests.get(console + "/assets/app.js", timeout=5).status_code == 200
    time.sleep(0.5)
    assert "Traceback" not in capfd.readouterr().err
