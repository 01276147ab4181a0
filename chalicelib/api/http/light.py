"""The light path for bodies and answers: the JSON schemas the routes' pydantic models publish, checked by a
small interpreter that imports no pydantic, so a vendor's check or a person's request does not pay for it.

The schemas are generated from the same declarations as the OpenAPI document
(`chalicelib/api/http/light_build.py` writes `chalicelib/api/http/generated/<schemas module>.json`, and
`tests/unit/test_light_path.py` fails when a file is not what the models publish now). Only models whose
pydantic validation is what their schema says are written there: no validator that changes a value, no
custom serialiser, no coercing config (`light_build.eligible`).

The light path only ever *agrees*: when it is sure, its answer is the one pydantic would give; whenever
it is not (a value of another Python type than the schema's, a key the model does not declare, a union
more than one member takes, a keyword it does not know), it raises `Unsure` and the caller asks pydantic,
as before. So a refused body's field errors are pydantic's own, word for word, and an answer the model
would refuse is still refused by the model (docs/decisions/0007-a-light-path-before-pydantic.md)."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

# Beside this module, read with `os.path` (pathlib is not otherwise on a check's way).
GENERATED = os.path.join(os.path.dirname(__file__), "generated")

# Keywords that only document (or hold the definitions): they do not decide what a value may be.
_DOCUMENTING = frozenset({"title", "description", "examples", "default", "x-messages", "format", "$defs"})
# Formats that document a rule the light path does not check: such a field is left to pydantic.
_CHECKED_FORMATS: frozenset[str] = frozenset()


class Unsure(Exception):
    """The light path cannot say for sure: pydantic decides."""


@functools.cache
def _generated(module: str) -> dict[str, Any]:
    try:
        with open(os.path.join(GENERATED, f"{module}.json"), encoding="utf-8") as file:
            text = file.read()
    except FileNotFoundError:
        return {}
    found: dict[str, Any] = json.loads(text)
    return found


def declared(schemas: str | None, name: Any, kind: str) -> dict[str, Any] | None:
    """The generated schema of a route's body (`kind` "body") or answer ("answer"), or None when the
    model is left to pydantic (not generated, or named by its class)."""
    if not isinstance(name, str):
        return None
    module, _, attribute = name.rpartition(":")
    module = module or str(schemas)
    found = _generated(module).get(kind, {}).get(attribute)
    return found if isinstance(found, dict) else None


class Fields:
    """A body read by the light path: its fields as attributes, as the model's instance has them. (A plain
    class: building a dataclass costs more at import than this whole module.)"""

    __slots__ = ("values",)

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def __repr__(self) -> str:
        return f"Fields({self.values!r})"

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


def _the_one_taking(options: list[dict[str, Any]], take: Callable[[dict[str, Any]], Any]) -> Any:
    """What the one member of a union that takes the value makes of it; `Unsure` unless exactly one does."""
    taken = []
    for option in options:
        try:
            taken.append(take(option))
        except Unsure:
            continue
    if len(taken) != 1:
        raise Unsure
    return taken[0]


def read_body(schema: dict[str, Any], data: Any) -> Fields:
    """The body as the model reads it, when the light path is sure it takes it; `Unsure` otherwise."""
    found = _body_value(schema, schema, data)
    if not isinstance(found, Fields):
        raise Unsure
    return found


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    reference = node.get("$ref")
    if reference is None:
        return node
    if not str(reference).startswith("#/$defs/") or len(node) != 1:
        raise Unsure
    return _resolve(root, root.get("$defs", {})[str(reference).removeprefix("#/$defs/")])


def _body_value(root: dict[str, Any], node: dict[str, Any], value: Any) -> Any:
    node = _resolve(root, node)
    if "anyOf" in node:
        return _the_one_taking(node["anyOf"], lambda option: _body_value(root, option, value))
    kind = node.get("type")
    if kind == "object":
        return _body_object(root, node, value)
    if kind == "array":
        if type(value) is not list:
            raise Unsure
        _known(node, {"type", "items", "minItems", "maxItems"})
        _bounded(len(value), node, "minItems", "maxItems")
        return [_body_value(root, node.get("items", {}), item) for item in value]
    return _scalar(node, value)


def _body_object(root: dict[str, Any], node: dict[str, Any], value: Any) -> Fields:
    _known(node, {"type", "properties", "required", "additionalProperties"})
    if type(value) is not dict or node.get("additionalProperties") is not False:
        raise Unsure
    properties: dict[str, Any] = node.get("properties", {})
    if not set(value) <= set(properties) or not set(node.get("required", ())) <= set(value):
        raise Unsure
    found = {}
    for name, field in properties.items():
        if name in value:
            found[name] = _body_value(root, field, value[name])
        elif "default" in field:
            # A JSON default, copied as pydantic copies a mutable one.
            found[name] = json.loads(json.dumps(field["default"]))
        else:
            raise Unsure
    return Fields(found)


def shape_answer(schema: dict[str, Any], answer: Any) -> Any:
    """The answer as its model dumps it (JSON, fields left unset left out), when the light path is sure
    the model takes it; `Unsure` otherwise."""
    return _answer_value(schema, schema, answer)


def _answer_value(root: dict[str, Any], node: dict[str, Any], value: Any) -> Any:
    node = _resolve(root, node)
    if "anyOf" in node:
        return _the_one_taking(node["anyOf"], lambda option: _answer_value(root, option, value))
    kind = node.get("type")
    if kind == "object":
        return _answer_object(root, node, value)
    if kind == "array":
        if type(value) is not list:
            raise Unsure
        _known(node, {"type", "items", "minItems", "maxItems"})
        _bounded(len(value), node, "minItems", "maxItems")
        return [_answer_value(root, node.get("items", {}), item) for item in value]
    return _scalar(node, value)


_MISSING = object()


def _answer_object(root: dict[str, Any], node: dict[str, Any], value: Any) -> dict[str, Any]:
    _known(node, {"type", "properties", "required", "additionalProperties"})
    if node.get("additionalProperties", False) is not False:
        raise Unsure
    properties: dict[str, Any] = node.get("properties", {})
    if type(value) is dict:
        if not set(value) <= set(properties):
            raise Unsure  # pydantic would drop the key; let it
        given = value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        # Read as pydantic reads any object (`from_attributes`): each declared field by its attribute.
        given = {
            name: found for name in properties if (found := getattr(value, name, _MISSING)) is not _MISSING
        }
    else:
        raise Unsure
    if not set(node.get("required", ())) <= set(given):
        raise Unsure
    return {name: _answer_value(root, properties[name], given[name]) for name in properties if name in given}


def _scalar(node: dict[str, Any], value: Any) -> Any:
    _known(node, {"type", "const", "enum", "minLength", "maxLength", "pattern", "minimum", "maximum"})
    if "format" in node and node["format"] not in _CHECKED_FORMATS:
        raise Unsure
    kind = node.get("type")
    # Only the Python type the schema's names (a number is left out: pydantic's float makes 1 into 1.0).
    if type(value) is not _TYPES.get(kind):
        raise Unsure
    found: Any = value
    if kind == "string":
        _bounded(len(found), node, "minLength", "maxLength")
        if "pattern" in node and _compiled(node["pattern"]).fullmatch(found) is None:
            raise Unsure
    elif kind == "integer":
        _bounded(found, node, "minimum", "maximum")
    if not _among(value, [node["const"]] if "const" in node else node.get("enum")):
        raise Unsure
    return value


def _among(value: Any, options: list[Any] | None) -> bool:
    # Of the same type too: `True == 1` in Python, not in JSON.
    return options is None or any(type(option) is type(value) and option == value for option in options)


_TYPES: dict[Any, type] = {"string": str, "integer": int, "boolean": bool, "null": type(None)}


def _known(node: dict[str, Any], keywords: set[str]) -> None:
    if not set(node) <= keywords | _DOCUMENTING:
        raise Unsure


def _bounded(size: int, node: dict[str, Any], least: str, most: str) -> None:
    if (least in node and size < node[least]) or (most in node and size > node[most]):
        raise Unsure


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)
