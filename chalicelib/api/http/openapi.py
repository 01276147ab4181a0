"""Builds the OpenAPI 3.1 document from the routes the app has registered. Every route must have been
declared through `Routes`; one that was not makes the build fail rather than go undocumented."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from chalice.app import Chalice
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.api.http.callers import Caller
from chalicelib.api.http.cors import is_preflight
from chalicelib.api.http.routing import Operation, operation_of
from chalicelib.fields import FORMATS, MESSAGES_KEYWORD, RULE_KEYWORDS, rule_messages

API_TITLE = "Godkend"
API_VERSION = "1.0.0"
PATH_PARAM = re.compile(r"{([^}]+)}")


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None


class UndocumentedRoute(Exception):
    pass


# What `If-Match` holds (RFC 9110, 13.1.1): a list of entity tags, each quoted, weak ones with `W/` (which
# never match a decision's version); `*` and an empty header name no version (428).
ENTITY_TAG = r'(?:W/)?"[\x21\x23-\x7E]*"'
ENTITY_TAGS = rf"^[ \t]*{ENTITY_TAG}(?:[ \t]*,[ \t]*{ENTITY_TAG})*[ \t]*$"


def operations(app: Chalice) -> list[Operation]:
    found = []
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            if is_preflight(entry.view_function):
                continue
            operation = operation_of(entry.view_function)
            if operation is None:
                raise UndocumentedRoute(f"{method} {path} was not declared through Routes")
            found.append(operation)
    return found


def build_document(app: Chalice) -> dict[str, Any]:
    ops = operations(app)
    schemas = _schemas(ops)
    paths: dict[str, dict[str, Any]] = {}
    for op in sorted(ops, key=lambda o: (o.path, o.method)):
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    explain_formats(schemas)
    explain_formats(paths)
    publish_messages(schemas, paths, ops)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": API_TITLE,
            "version": API_VERSION,
            "description": (
                "Verification of Danish NGOs: applications, logins, validation codes and vendor checks."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "cognito": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A Cognito access token from a sign-in with password and second factor.",
                },
                "vendorKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "gkv_<vendor id>_<key id>_<secret>",
                    "description": "A vendor's API key, issued by the operator's staff and shown once.",
                },
            },
        },
    }


def _schemas(ops: list[Operation]) -> dict[str, Any]:
    models: set[type[BaseModel]] = {Problem}
    for op in ops:
        models.update(m for m in (op.body_model(), op.response_model()) if m is not None)
    ordered = sorted(models, key=lambda m: m.__name__)
    _, top = models_json_schema(
        [(model, "serialization") for model in ordered], ref_template="#/components/schemas/{model}"
    )
    defs: dict[str, Any] = top.get("$defs", {})
    return defs


def explain_formats(node: Any) -> None:
    """Every schema with a format of ours (chalicelib/fields.py) says in its description what the format
    means: a client learns the rule its pattern cannot state from the document, as the server checks it."""
    if isinstance(node, dict):
        meaning = FORMATS.get(node.get("format", "")) if isinstance(node.get("format"), str) else None
        if meaning is not None and meaning not in str(node.get("description", "")):
            said = str(node.get("description", "")).rstrip(". ")
            node["description"] = f"{said}. {meaning}" if said else meaning
        for value in node.values():
            explain_formats(value)
    elif isinstance(node, list):
        for value in node:
            explain_formats(value)


def publish_messages(schemas: dict[str, Any], paths: dict[str, Any], ops: list[Operation]) -> None:
    """Every rule of every field a client sends (bodies and query parameters) has its message in Danish and
    English on the field's schema (`x-messages`, by language and rule): what the API answers when the rule
    is broken, and what a form built from this document can say before it sends anything."""
    bodies = {model.__name__ for op in ops if (model := op.body_model()) is not None}
    for name in sorted(_reachable(bodies, schemas)):
        _publish(schemas[name])
    for operation in (op for methods in paths.values() for op in methods.values()):
        for parameter in operation.get("parameters", []):
            if isinstance(parameter.get("schema"), dict):
                _publish(parameter["schema"], required=bool(parameter.get("required")))


def _reachable(names: set[str], schemas: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    waiting = list(names)
    while waiting:
        name = waiting.pop()
        if name in found or name not in schemas:
            continue
        found.add(name)
        waiting.extend(re.findall(r"#/components/schemas/([A-Za-z0-9_.-]+)", str(schemas[name])))
    return found


_RULE_TYPES: dict[str, tuple[type, ...]] = {
    "pattern": (str,),
    "format": (str,),
    "enum": (list,),
    "uniqueItems": (bool,),
}


def is_ruled(node: dict[str, Any]) -> bool:
    """A schema that states a rule a value can break (not a property merely named like a keyword)."""
    return any(
        keyword in node and isinstance(node[keyword], _RULE_TYPES.get(keyword, (int, float)))
        for keyword in RULE_KEYWORDS
    )


def _publish(node: Any, *, required: bool = False) -> None:
    if not isinstance(node, dict):
        return
    if (is_ruled(node) or required) and "$ref" not in node:
        node[MESSAGES_KEYWORD] = rule_messages(node)
    needed = set(node.get("required", [])) if isinstance(node.get("required"), list) else set()
    for name, field in (node.get("properties") or {}).items():
        _publish(field, required=name in needed)
    for keyword in ("items", "additionalProperties"):
        _publish(node.get(keyword))
    for keyword in ("anyOf", "oneOf", "allOf"):
        for option in node.get(keyword) or []:
            _publish(option)


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _operation(op: Operation) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "operationId": _operation_id(op),
        "summary": op.summary,
        "tags": [op.tag],
        "x-godkend-caller": op.rule.caller.value,
        "responses": _responses(op),
    }
    if op.description:
        doc["description"] = op.description
    if op.rule.function is not None:
        doc["x-godkend-function"] = op.rule.function.value
    if op.rule.key_mode is not None:
        doc["x-godkend-key-mode"] = op.rule.key_mode
    doc["security"] = _security(op)
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in PATH_PARAM.findall(op.path)
    ]
    parameters += [
        {
            "name": q.name,
            "in": "query",
            "required": q.required,
            "description": q.description,
            "schema": q.schema,
        }
        for q in op.query_params()
    ]
    if op.if_match:
        parameters.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": True,
                "description": "The `ETag` of what the decision was made on. Without it the answer is 428; "
                "when it changed since (another name asked for, a company renamed, another decision), 412: "
                "look again and decide on what it shows now.",
                "schema": {"type": "string", "pattern": ENTITY_TAGS},
            }
        )
    if parameters:
        doc["parameters"] = parameters
    body = op.body_model()
    if body is not None:
        doc["requestBody"] = {
            "required": not op.body_optional,
            "content": {"application/json": {"schema": _ref(body)}},
        }
    return doc


def _security(op: Operation) -> list[dict[str, list[str]]]:
    if op.rule.caller is Caller.ANYONE:
        return []
    return [{"vendorKey": []}] if op.rule.caller is Caller.VENDOR else [{"cognito": []}]


def _responses(op: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    success: dict[str, Any] = {"description": HTTPStatus(op.status).phrase}
    response = op.response_model()
    if response is not None:
        success["content"] = {"application/json": {"schema": _ref(response)}}
    elif op.media_type is not None:
        success["content"] = {op.media_type: {"schema": {"type": "string"}}}
    if op.etag:
        success["headers"] = {
            "ETag": {
                "description": "The version of what this answer shows (also its `etag` field): send it as "
                "`If-Match` with a decision on it",
                "schema": {"type": "string"},
            }
        }
    responses[str(op.status)] = success
    for status in op.error_statuses():
        responses[str(status)] = {
            "description": HTTPStatus(status).phrase,
            "content": {"application/problem+json": {"schema": _ref(Problem)}},
        }
    if "429" in responses:
        responses["429"]["headers"] = {
            "Retry-After": {
                "description": "Whole seconds until the request may be made again",
                "schema": {"type": "integer", "minimum": 1},
            }
        }
    return responses


def _operation_id(op: Operation) -> str:
    words = re.sub(r"[{}]", "", op.path).strip("/").replace("/", "_").replace("-", "_").replace(".", "_")
    return f"{op.method.lower()}_{words}"
