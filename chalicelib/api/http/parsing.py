"""Bodies and query strings, read into the pydantic models a route declares: size and depth limits before
the JSON parser runs, one error per field named as the client sent it, and a query model's fields as the
route's documented query parameters (one source for both)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from chalicelib.api.http import light as light_path
from chalicelib.errors import FieldError, InvalidInput, PayloadTooLarge
from chalicelib.services.access.authz import Access

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

MAX_BODY_BYTES = 64 * 1024
# No request model nests anywhere near this deep; the limit keeps the JSON parser (recursive in CPython)
# and pydantic away from hostile input such as 20,000 opening brackets.
MAX_BODY_DEPTH = 32

M = TypeVar("M", bound="BaseModel")


@dataclass(frozen=True)
class QueryParam:
    name: str
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})
    required: bool = False


def parse_body[M: BaseModel](
    raw: bytes | None, model: type[M] | Callable[[], type[M]], *, light: dict[str, Any] | None = None
) -> Any:
    """The body read by its model (a class, or what gives it when first needed); with the model's generated
    schema (`light`), read by the light path whenever that is sure, so that pydantic is imported only
    when it is not (a refused body's field errors are always pydantic's own)."""
    if raw is not None and len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The body may be at most {MAX_BODY_BYTES} bytes.")
    if json_depth(raw or b"") > MAX_BODY_DEPTH:
        raise InvalidInput(f"The body may nest objects and lists at most {MAX_BODY_DEPTH} deep.")
    try:
        data = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InvalidInput("The body must be a JSON object.") from exc
    if not _is_unicode(data):
        raise InvalidInput("The body holds a lone surrogate (\\ud800 to \\udfff), which is not text.")
    if light is not None:
        try:
            return light_path.read_body(light, data)
        except light_path.Unsure:
            pass
    return _validated(data, model if isinstance(model, type) else model())


def _validated[M: BaseModel](data: Any, model: type[M]) -> M:
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(
            "Some fields are missing or invalid.",
            errors=field_errors(exc, model),
            detail_da="Nogle felter mangler eller er ikke udfyldt rigtigt. Ret dem, og send igen.",
        ) from exc


def _is_unicode(data: Any) -> bool:
    # JSON's \u escapes can spell half a surrogate pair, which no string of ours may hold (nor DynamoDB).
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


QUOTE, BACKSLASH = ord('"'), ord("\\")
OPENS = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_depth(raw: bytes) -> int:
    """How deep the brackets of a JSON text nest, counting only those outside strings; one pass, no
    recursion, so it can run before the parser does. Text that is not JSON is left to the parser."""
    deepest = depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            # Inside a string only an unescaped quote matters.
            in_string = escaped or byte != QUOTE
            escaped = not escaped and byte == BACKSLASH
        elif byte == QUOTE:
            in_string = True
        else:
            depth += OPENS.get(byte, 0)
            deepest = max(deepest, depth)
    return deepest


def parse_query[M: BaseModel](params: Mapping[str, str], model: type[M]) -> M:
    from pydantic import ValidationError

    try:
        return model.model_validate(dict(params))
    except ValidationError as exc:
        raise InvalidInput(
            "Some query parameters are missing or invalid.",
            errors=field_errors(exc, model),
            detail_da="Nogle af søgningens oplysninger mangler eller er ikke rigtige. Ret dem, og søg igen.",
        ) from exc


def query_params(model: type[BaseModel]) -> tuple[QueryParam, ...]:
    """A query model's fields as the route's documented query parameters: one source for both."""
    schema = model.model_json_schema()
    definitions = schema.get("$defs", {})
    return tuple(
        QueryParam(
            # A parameter named like a Python keyword (`from`) is a field with an alias.
            name=field.alias or name,
            description=field.description or "",
            schema=_query_schema(_inline(schema["properties"][field.alias or name], definitions)),
            required=field.is_required(),
        )
        for name, field in model.model_fields.items()
    )


def _inline(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    # A parameter's schema stands alone in the document: pydantic's local $refs (an enum's) would dangle.
    reference = schema.get("$ref", "")
    if reference.startswith("#/$defs/"):
        target = dict(definitions[reference.removeprefix("#/$defs/")])
        target.pop("title", None)
        return {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _query_schema(schema: dict[str, Any]) -> dict[str, Any]:
    # A query parameter is absent rather than null: document an optional field by its non-null form.
    found = {k: v for k, v in schema.items() if k not in {"title", "description", "anyOf"}}
    options = [option for option in schema.get("anyOf", []) if option != {"type": "null"}]
    if len(options) == 1:
        found.update(options[0])
    elif options:
        found["anyOf"] = options
    if found.get("default", "") is None:
        del found["default"]
    return found


# What pydantic puts in an error's location for a union's member rather than a field: the member's kind
# (`function-after[...]`, `none`) or a tagged union's tag (company access, chalicelib/fields.py).
_UNION_MEMBER = re.compile(r"^(?:[a-z-]+\[.*\]|none|str|int|bool|list|dict)$")
_UNION_TAGS = frozenset(access.value for access in Access)


def field_errors(exc: ValidationError, model: type[BaseModel] | None = None) -> list[FieldError]:
    """One error per field, named as the client sent it; of a union's members, the first one's answer. Its
    message is the one the model's schema publishes for the rule broken (`x-messages`, chalicelib/fields.py),
    in every language; the English one is kept where the check named more (which character, which scripts)."""
    found: dict[str, FieldError] = {}
    for error in exc.errors(include_url=False, include_input=False):
        parts = [str(part) for part in error["loc"]]
        named = [
            part
            for index, part in enumerate(parts)
            if not _UNION_MEMBER.match(part)
            and not (part in _UNION_TAGS and index > 0 and parts[index - 1].isdigit())
        ]
        if error["type"] in {"union_tag_invalid", "union_tag_not_found"}:
            # The tag field itself is wrong (company access neither `full` nor `limited`): name it.
            named.append(str((error.get("ctx") or {}).get("discriminator", "")).strip("'") or "tag")
        location = ".".join(named) or "body"
        if location not in found:
            found[location] = _field_error(location, named, error, model)
    return list(found.values())


# Pydantic's own error types, by the rule of the schema they break.
_RULE_OF_TYPE = {
    "missing": "required",
    "string_too_short": "minLength",
    "string_too_long": "maxLength",
    "string_pattern_mismatch": "pattern",
    "too_short": "minItems",
    "too_long": "maxItems",
    "literal_error": "enum",
    "enum": "enum",
    "union_tag_invalid": "enum",
    "union_tag_not_found": "required",
    "greater_than": "minimum",
    "greater_than_equal": "minimum",
    "less_than": "maximum",
    "less_than_equal": "maximum",
    "extra_forbidden": "additional",
}


def _field_error(location: str, named: list[str], error: Any, model: type[BaseModel] | None) -> FieldError:
    # Imported here, as pydantic is: only a request whose input is refused pays for it.
    from chalicelib.fields import LANGUAGES, generic_message, rule_messages, specific_danish

    context = error.get("ctx") or {}
    rule = str(context.get("rule") or _RULE_OF_TYPE.get(error["type"], "type"))
    schema = {} if model is None else (_schema_at(named, model) or {})
    said = rule_messages(schema) if rule != "additional" else {}
    messages = {
        language: said.get(language, {}).get(rule) or generic_message(language, rule, schema)
        for language in LANGUAGES
    }
    if context.get("specific"):
        messages["en"] = error["msg"]
        messages["da"] = specific_danish(error["msg"]) or messages["da"]
    return FieldError(field=location, message=messages["en"], translations=messages)


def _schema_at(named: list[str], model: type[BaseModel]) -> dict[str, Any] | None:
    schema = _json_schema(model)
    return _walk(schema, named, schema.get("$defs", {}))


@functools.cache
def _json_schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def _walk(node: dict[str, Any], parts: list[str], definitions: dict[str, Any]) -> dict[str, Any] | None:
    """The schema of the value at a field's path: through references, unions, lists and properties."""
    reference = str(node.get("$ref", ""))
    if reference.startswith("#/$defs/"):
        node = definitions.get(reference.removeprefix("#/$defs/"), {})
    if not parts:
        options = [option for option in node.get("anyOf", []) if option != {"type": "null"}]
        # An optional field (`X | None`): its rules, and their messages, are its one non-null option's.
        return _walk(options[0], [], definitions) if len(options) == 1 else node
    for option in [*node.get("anyOf", []), *node.get("oneOf", [])]:
        found = _walk(option, parts, definitions)
        if found is not None:
            return found
    head, rest = parts[0], parts[1:]
    if head.isdigit() and isinstance(node.get("items"), dict):
        return _walk(node["items"], rest, definitions)
    properties = node.get("properties", {})
    return _walk(properties[head], rest, definitions) if head in properties else None
