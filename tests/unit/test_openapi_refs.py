"""Every `$ref` of the published OpenAPI document leads somewhere. Two schema modules declaring a model of the
same name once left both routes pointing at a component the document did not hold, which only the console's
client generator noticed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import app


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict), f"{ref} does not resolve"
        assert part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def test_every_reference_in_the_openapi_document_resolves():
    # Given the document the API publishes
    document = app.openapi_document()

    # Then every reference in it names a part of it
    found = sorted(set(refs(document)))
    assert found
    for ref in found:
        resolve(document, ref)
