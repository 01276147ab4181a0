"""The API's contract changes only when a change means it to: the document the app builds is, byte for byte,
the one committed beside this test (`tests/contract/openapi.json`). Moving code about (modules, packages,
the composition root) must leave it as it was; a change that is meant to alter the contract commits the new
document with it, so the diff shows a reviewer what callers will see."""

from __future__ import annotations

from pathlib import Path

from infra.openapi_dump import main

COMMITTED = Path(__file__).with_name("openapi.json")
HOW_TO_UPDATE = (
    "The OpenAPI document the app builds is not the committed one (tests/contract/openapi.json). If the "
    "change is meant to alter the API's contract, write the new document with\n"
    "    .venv/bin/python -m infra.openapi_dump tests/contract/openapi.json\n"
    "read its diff, and commit it with the change. If it is not meant to, the change altered the contract "
    "by accident: a route, a model, a field's rule or a description moved or changed."
)


def test_the_document_the_app_builds_is_the_committed_one(tmp_path: Path):
    # Given the document as the console's build writes it (infra/openapi_dump.py)
    built = tmp_path / "openapi.json"

    # When the app builds it now
    assert main([str(built)]) == 0

    # Then it is the committed one, byte for byte
    assert built.read_bytes() == COMMITTED.read_bytes(), HOW_TO_UPDATE
