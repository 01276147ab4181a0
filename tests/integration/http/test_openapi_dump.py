"""The console's typed client is generated from a file that `make web` writes offline; it must be the very
document the API serves."""

from __future__ import annotations

import json
from pathlib import Path

from chalice.test import Client

from infra.openapi_dump import main


def test_the_dumped_document_is_the_one_the_api_serves(client: Client, tmp_path: Path):
    # Given the document written offline
    out = tmp_path / "openapi.json"
    assert main([str(out)]) == 0
    written = json.loads(out.read_text(encoding="utf-8"))

    # When the API serves its own
    served = json.loads(client.http.get("/openapi.json").body)

    # Then they are the same, console routes included
    assert written == served
    assert {"/v1/codes", "/v1/users", "/v1/me/second-factor/authenticator"} <= set(written["paths"])


def test_dumping_again_leaves_an_unchanged_file_untouched(tmp_path: Path):
    # Given a document already written
    out = tmp_path / "openapi.json"
    main([str(out)])
    before = out.stat().st_mtime_ns

    # When it is written again with nothing changed
    main([str(out)])

    # Then the file is not rewritten: a watcher (vite, make) sees no change
    assert out.stat().st_mtime_ns == before
