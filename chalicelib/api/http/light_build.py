"""Writes the light path's schemas (chalicelib/api/http/light.py) from the routes' declarations: for each
`schemas` module, the JSON schema each declared answer model publishes (as serialised) and each listed body
model (as validated), without the keywords that only document. Run after changing a route's model:

    .venv/bin/python -m chalicelib.api.http.light_build

`tests/unit/test_light_path.py` fails when a file is not what the models publish now, and proves for every
model written here that the light path gives what pydantic gives.

A model is written only when its pydantic validation is what its schema says (`eligible`): every value
passes through unchanged, or is refused. Anything else (a validator other than a field's published
pattern, a custom serialiser, aliases, a default factory, a coercing config, an enum class) leaves the
model to pydantic alone, which is always right, only slower to import.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalicelib.api.http.light import GENERATED

if TYPE_CHECKING:
    from pydantic import BaseModel

# Bodies read by the light path: their handlers read the fields as attributes and nothing else of the
# model (`light.Fields` has no `model_dump` or `model_fields_set`).
LIGHT_BODIES = frozenset({"chalicelib.api.schemas.validations:CodeCheck"})

# Keywords that only document; the light path needs none of them (`default` it needs, and keeps).
_DOCUMENTING = frozenset({"title", "description", "examples", "x-messages"})
# Core schema nodes whose validation is what their JSON schema says, value for value.
_PLAIN = frozenset(
    {
        "model",
        "model-fields",
        "model-field",
        "str",
        "bool",
        "int",
        "list",
        "nullable",
        "union",
        "literal",
        "default",
        "definitions",
        "definition-ref",
    }
)
_PLAIN_CONFIG = frozenset({"title", "extra_fields_behavior"})
_CHANGING = frozenset({"strip_whitespace", "to_lower", "to_upper", "pattern", "coerce_numbers_to_str"})


def eligible(model: type[BaseModel]) -> bool:
    """Whether pydantic's validation of the model is what its JSON schema says (see the module's doc)."""
    model.model_rebuild()
    patterns: list[str] = []
    if not _plain(model.__pydantic_core_schema__, patterns):
        return False
    published = json.dumps(model.model_json_schema())
    # A checked pattern must be the one the field publishes, which the light path checks in its place.
    return all(json.dumps(pattern) in published for pattern in patterns)


def _plain(node: Any, patterns: list[str]) -> bool:
    if isinstance(node, list | tuple):
        return all(_plain(item, patterns) for item in node)
    if not isinstance(node, dict):
        return True
    return _plain_node(node, patterns) and all(
        _plain(value, patterns)
        for key, value in node.items()
        if key not in {"cls", "metadata", "function", "config", "ref", "expected", "default"}
    )


def _plain_node(node: dict[str, Any], patterns: list[str]) -> bool:
    """Whether this node of a core schema (not its children) validates as its JSON schema says."""
    kind = node.get("type")
    if kind == "function-after":
        pattern = getattr(node.get("function", {}).get("function"), "light_pattern", None)
        patterns.append(pattern if isinstance(pattern, str) else "")
        return isinstance(pattern, str)
    refused = {
        "model": bool(node.get("custom_init") or node.get("post_init"))
        or not set(node.get("config", {})) <= _PLAIN_CONFIG,
        "model-fields": bool(node.get("computed_fields")),
        "model-field": bool(set(node) & _RENAMING),
        "literal": not all(type(value) in {str, bool, int} for value in node.get("expected", [])),
        "default": "default" in node
        and node["default"] != json.loads(json.dumps(node["default"], default=str)),
    }
    return (
        (not isinstance(kind, str) or kind in _PLAIN)
        and not refused.get(str(kind), False)
        and "serialization" not in node
        and not _CHANGING & set(node)
        and "default_factory" not in node
    )


_RENAMING = frozenset({"validation_alias", "serialization_alias", "serialization_exclude"})


def bare(node: Any) -> Any:
    """A schema without the keywords that only document (a property named like one is kept)."""
    if isinstance(node, list):
        return [bare(item) for item in node]
    if not isinstance(node, dict):
        return node
    found: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DOCUMENTING:
            continue
        if key in {"properties", "$defs"}:
            found[key] = {name: bare(schema) for name, schema in value.items()}
        elif key in {"items", "additionalProperties", "anyOf", "oneOf", "allOf", "prefixItems"}:
            found[key] = bare(value)
        else:
            found[key] = value
    return found


def declarations() -> dict[str, dict[str, dict[str, Any]]]:
    """Each schemas module's light schemas, by kind ("answer", "body") and model name."""
    import app
    from chalicelib.api.http.openapi import operations
    from chalicelib.api.http.routing import resolve

    found: dict[str, dict[str, dict[str, Any]]] = defaultdict(lambda: {"answer": {}, "body": {}})
    for operation in operations(app.app):
        for kind, name in (("answer", operation.response), ("body", operation.body)):
            if not isinstance(name, str):
                continue
            module, _, attribute = name.rpartition(":")
            module = module or str(operation.schemas)
            if kind == "body" and f"{module}:{attribute}" not in LIGHT_BODIES:
                continue
            model = resolve(operation.schemas, name)
            if eligible(model):
                found[module][kind][attribute] = bare(model.model_json_schema(mode="validation"))
    return {
        module: {kind: dict(sorted(models.items())) for kind, models in kinds.items()}
        for module, kinds in found.items()
    }


def text(schemas: dict[str, dict[str, Any]]) -> str:
    return json.dumps(schemas, indent=1, ensure_ascii=False) + "\n"


def main(directory: Path = Path(GENERATED)) -> int:
    directory.mkdir(exist_ok=True)
    wanted = {f"{module}.json": text(schemas) for module, schemas in declarations().items()}
    for stale in set(path.name for path in directory.glob("*.json")) - set(wanted):
        (directory / stale).unlink()
    for name, content in wanted.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
