"""How a route is declared: once, with who may call it. That one declaration drives the authentication
and function check before the handler runs, the mapping of errors to problem+json, and the route's entry in
the OpenAPI document, so the three cannot drift apart.

    routes = Routes(__name__, tag="Codes", schemas="chalicelib.api.schemas.codes")

    @routes.post("/v1/codes", rule=user(Function.CODES), summary="Create a code", body="NewCode",
                 response="Code", status=201)
    def create_code(call: Call) -> dict[str, Any]:
        return codes().create(call.principal, call.body())

Bodies, answers and queries are pydantic models named by the module that holds them (`schemas`), and
imported the first time a route parses one or the OpenAPI document is built: a cold start does not pay
for pydantic, nor for the models of routes the request does not take.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from chalice.app import Blueprint, Request, Response

from chalicelib.api import problems
from chalicelib.container import container
from chalicelib.errors import (
    DomainError,
    FieldError,
    Forbidden,
    InvalidInput,
    PayloadTooLarge,
    PreconditionRequired,
    UpstreamUnavailable,
)
from chalicelib.services.access.authz import Access, Function, Principal, authorize

MAX_BODY_BYTES = 64 * 1024
# No request model nests anywhere near this deep; the limit keeps the JSON parser (recursive in CPython)
# and pydantic away from hostile input such as 20,000 opening brackets.
MAX_BODY_DEPTH = 32
JSON = {"Content-Type": "application/json"}
OPERATION_ATTRIBUTE = "godkend_operation"

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

    from chalicelib.models.audit import Origin
    from chalicelib.services.vendors.keys import PresentedKey, VendorIdentity

M = TypeVar("M", bound="BaseModel")
Handler = Callable[..., Any]
# A model by its name in the route's `schemas` module, or "module:Name" (or the model class itself, for a
# module that imports pydantic anyway).
Schema = Any


class Caller(StrEnum):
    ANYONE = "anyone"
    USER = "user"  # a person in an organisation
    STAFF = "staff"  # the operator's people
    SIGNED_IN = "signed_in"  # either of the two
    ENROLLING = "enrolling"  # either of the two, also before a second factor is enrolled
    VENDOR = "vendor"  # a vendor's system, with an API key checked in this function (no authorizer)


@dataclass(frozen=True)
class Rule:
    caller: Caller
    function: Function | None = None
    # A vendor route whose handler reads the key in its own first read (one round trip for both) and
    # checks it before anything else; the rule only checks that the header names a key.
    key_read_by_handler: bool = False

    @property
    def needs_token(self) -> bool:
        return self.caller is not Caller.ANYONE

    @property
    def is_person(self) -> bool:
        """A caller with a Cognito access token, who may lack a function or a second factor (403)."""
        return self.caller not in (Caller.ANYONE, Caller.VENDOR)


ANYONE = Rule(Caller.ANYONE)
STAFF = Rule(Caller.STAFF)
SIGNED_IN = Rule(Caller.SIGNED_IN)
# Only the second-factor enrolment step accepts a person who has not yet enrolled one.
ENROLLING = Rule(Caller.ENROLLING)
VENDOR = Rule(Caller.VENDOR)
# The validation check: the key is read in the same BatchGetItem as the code (see services/validation).
VENDOR_KEY_IN_FIRST_READ = Rule(Caller.VENDOR, key_read_by_handler=True)


def user(function: Function | None = None) -> Rule:
    return Rule(Caller.USER, function)


@dataclass(frozen=True)
class QueryParam:
    name: str
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})
    required: bool = False


@functools.cache
def resolve(schemas: str | None, name: Schema) -> type[BaseModel]:
    """The model a declaration names, imported on first use."""
    if not isinstance(name, str):
        found_class: type[BaseModel] = name
        return found_class
    module, _, attribute = name.rpartition(":")
    found: type[BaseModel] = getattr(importlib.import_module(module or str(schemas)), attribute)
    return found


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    rule: Rule
    tag: str
    status: int = 200
    body: Schema | None = None
    response: Schema | None = None
    errors: tuple[int, ...] = ()
    query: Schema | None = None
    description: str = ""
    schemas: str | None = None
    # The request must name the version it was based on (`If-Match`): 428 without, 412 when stale.
    if_match: bool = False
    # The answer carries the version of what it shows (`ETag`), for a later `If-Match`.
    etag: bool = False

    def body_model(self) -> type[BaseModel] | None:
        return None if self.body is None else resolve(self.schemas, self.body)

    def response_model(self) -> type[BaseModel] | None:
        return None if self.response is None else resolve(self.schemas, self.response)

    def query_model(self) -> type[BaseModel] | None:
        if self.query is None or isinstance(self.query, tuple):
            return None
        return resolve(self.schemas, self.query)

    def query_params(self) -> tuple[QueryParam, ...]:
        if isinstance(self.query, tuple):
            return self.query
        model = self.query_model()
        return () if model is None else query_params(model)

    def error_statuses(self) -> list[int]:
        statuses = set(self.errors)
        if self.rule.needs_token:
            statuses.add(401)
        if self.rule.is_person:
            statuses.add(403)
        if self.body is not None:
            statuses |= {400, 413, 415}
        if "{" in self.path:
            statuses.add(404)
        if self.if_match:
            statuses |= {412, 428}
        return sorted(statuses)


@dataclass
class Reply:
    """A handler's answer when 200 with a JSON body is not the whole story."""

    body: Any = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


class Call:
    """What a handler gets: the request, and who is calling: a person or a vendor."""

    def __init__(
        self,
        request: Request,
        principal: Principal | None,
        vendor: VendorIdentity | None = None,
        presented_key: PresentedKey | None = None,
        operation: Operation | None = None,
    ) -> None:
        self.request = request
        self.operation = operation
        self._principal = principal
        self._vendor = vendor
        self._presented_key = presented_key

    @property
    def principal(self) -> Principal:
        if self._principal is None:
            raise Forbidden("This needs a signed-in caller.")
        return self._principal

    @property
    def origin(self) -> Origin:
        """Where the request came from, for the audit trail: API Gateway's source IP and the user agent."""
        from chalicelib.models.audit import Origin

        identity = (self.request.context or {}).get("identity") or {}
        return Origin(
            source_ip=str(identity.get("sourceIp") or "unknown"),
            user_agent=str(self.request.headers.get("user-agent") or ""),
        )

    @property
    def vendor(self) -> VendorIdentity:
        if self._vendor is None:
            raise Forbidden("This is for vendors, with an API key.")
        return self._vendor

    @property
    def presented_key(self) -> PresentedKey:
        """The key a `VENDOR_KEY_IN_FIRST_READ` route must check itself, in its first read."""
        if self._presented_key is None:
            raise Forbidden("This is for vendors, with an API key.")
        return self._presented_key

    def check_key(self) -> VendorIdentity:
        """The vendor, checked on its own (one GetItem): for a `VENDOR_KEY_IN_FIRST_READ` route that is
        refusing the request before its read, so that a bad key is still told before a bad body."""
        return self._vendor or authenticate_vendor(self.presented_key)

    def if_match(self) -> frozenset[str]:
        """The versions the request names in `If-Match`, for a route that requires one (428 without).
        Only strong entity tags count (RFC 9110, 13.1.1): a weak one matches nothing, and `*` names none."""
        header = str(self.request.headers.get("if-match") or "").strip()
        if not header or header == "*":
            raise PreconditionRequired(
                "Say which version you decided on: send If-Match with the ETag of the organisation as you "
                "saw it (GET it again if you do not have it)."
            )
        return frozenset(
            tag.strip().strip('"')
            for tag in header.split(",")
            if tag.strip() and not tag.strip().startswith("W/")
        )

    def query(self, name: str) -> str | None:
        params = self.request.query_params
        return None if params is None else params.get(name)

    def body(self, model: Any = None) -> Any:
        """The body, parsed into the route's declared body model (or the one given)."""
        model = model or (None if self.operation is None else self.operation.body_model())
        if model is None:
            raise TypeError("this route declares no body")
        raw = self.request.raw_body
        return parse_body(raw.encode() if isinstance(raw, str) else raw, model)

    def query_model(self, model: Any = None) -> Any:
        """The query string, parsed into the route's declared query model (or the one given)."""
        model = model or (None if self.operation is None else self.operation.query_model())
        if model is None:
            raise TypeError("this route declares no query")
        params = self.request.query_params
        return parse_query({} if params is None else params, model)


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


class Routes:
    """A Chalice blueprint whose routes are declared with their access rule and documentation."""

    def __init__(self, import_name: str, *, tag: str, schemas: str | None = None) -> None:
        self.blueprint = Blueprint(import_name)
        self.tag = tag
        self.schemas = schemas

    def get(self, path: str, **kwargs: Any) -> Callable[[Handler], Handler]:
        return self.route("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Callable[[Handler], Handler]:
        return self.route("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Callable[[Handler], Handler]:
        return self.route("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Callable[[Handler], Handler]:
        return self.route("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Callable[[Handler], Handler]:
        return self.route("DELETE", path, **kwargs)

    def route(
        self, method: str, path: str, *, rule: Rule, summary: str, **kwargs: Any
    ) -> Callable[[Handler], Handler]:
        operation = Operation(
            method=method, path=path, summary=summary, rule=rule, tag=self.tag, schemas=self.schemas, **kwargs
        )

        def register(handler: Handler) -> Handler:
            view = self._view(operation, handler)
            setattr(view, OPERATION_ATTRIBUTE, operation)
            self.blueprint.route(path, methods=[method])(view)
            return handler

        return register

    def _view(self, operation: Operation, handler: Handler) -> Handler:
        @functools.wraps(handler)
        def view(**path_params: str) -> Response:
            request = self.blueprint.current_request
            try:
                result = handler(identify(operation, request), **path_params)
            except DomainError as error:
                problems.logger.info("request refused", extra={"problem": error.slug, "status": error.status})
                return problems.from_domain_error(error)
            except Exception:
                problems.logger.exception("unhandled error")
                return problems.internal_error()
            return to_response(result, operation.status)

        return view


def identify(operation: Operation, request: Request) -> Call:
    """Who is calling, checked against the rule before the handler runs."""
    rule = operation.rule
    if rule.caller is Caller.VENDOR:
        presented = presented_key(request.headers.get("authorization"))
        if rule.key_read_by_handler:
            return Call(request, None, presented_key=presented, operation=operation)
        return Call(request, None, vendor=authenticate_vendor(presented), operation=operation)
    return Call(request, authenticate(rule, request), operation=operation)


def presented_key(authorization: str | None) -> PresentedKey:
    """The vendor key the header names, or 401 before anything is read."""
    from chalicelib.services.vendors.keys import KeyRefused, parse_authorization, refusal

    try:
        return parse_authorization(authorization)
    except KeyRefused as refused:
        raise refusal(refused) from None


def authenticate_vendor(presented: PresentedKey) -> VendorIdentity:
    try:
        vendors = container().vendors
        return vendors.authenticate(presented)
    except DomainError:
        raise
    except Exception as exc:
        # A key store that cannot be read is no way in, and no bare 500 either.
        problems.logger.exception("vendor key check failed")
        raise UpstreamUnavailable("The API key could not be checked just now; try again shortly.") from exc


def authenticate(rule: Rule, request: Request) -> Principal | None:
    if not rule.needs_token:
        return None
    principal = container().identity.authenticate(
        request.headers.get("authorization"),
        require_second_factor=rule.caller is not Caller.ENROLLING,
    )
    if rule.caller is Caller.STAFF and not principal.is_staff:
        raise Forbidden("This is for the operator's staff.")
    if rule.caller is Caller.USER and (principal.is_staff or principal.org_id is None):
        raise Forbidden("This is for users of an organisation.")
    if rule.function is not None:
        authorize(principal, rule.function)
    return principal


def to_response(result: Any, status: int) -> Response:
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(body="", status_code=204)
    if not isinstance(result, Reply):
        result = Reply(body=result)
    code = result.status or status
    if result.body is None:
        return Response(body="", status_code=code, headers=result.headers)
    return Response(body=result.body, status_code=code, headers={**JSON, **result.headers})


def etag(version: str) -> str:
    """A version as an HTTP entity tag (quoted, strong), as `ETag` carries it and `If-Match` names it."""
    return f'"{version}"'


def operation_of(view: Any) -> Operation | None:
    found = getattr(view, OPERATION_ATTRIBUTE, None)
    return found if isinstance(found, Operation) else None
