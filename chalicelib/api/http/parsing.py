"""Bodies and query strings, read into the pydantic models a route declares: size and depth limits before
the JSON parser runs, one error per field named as the client sent it, and a query model's fields as the
route's documented query parameters (one source for both)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

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


def parse_body[M: BaseModel](raw: bytes | None, model: type[M]) -> M:
    from pydantic import ValidationError

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
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput("Some fields are missing or invalid.", errors=field_errors(exc)) from exc


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
        raise InvalidInput("Some query parameters are missing or invalid.", errors=field_errors(exc)) from exc


def query_params(model: type[BaseModel]) -> tuple[QueryParam, ...]:
    """A query model's fields as the route's documented query parameters: one source for both."""
    schema = model.model_json_schema()
    definitions = schema.get("$defs", {})
    return tuple(
        QueryParam(
            name=name,
            description=field.description or "",
            schema=_query_schema(_inline(schema["properties"][name], definitions)),
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


def field_errors(exc: ValidationError) -> list[FieldError]:
    """One error per field, named as the client sent it; of a union's members, the first one's answer."""
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
        found.setdefault(location, FieldError(field=location, message=error["msg"]))
    return list(found.values())
