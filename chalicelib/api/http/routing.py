"""How a route is declared: once, with who may call it. That one declaration drives the authentication
and function check before the handler runs, the mapping of errors to problem+json, and the route's entry in
the OpenAPI document, so the three cannot drift apart.

    routes = Routes(__name__, tag="Codes", schemas="chalicelib.api.schemas.codes")

    @routes.post("/v1/codes", rule=user(Function.CODES), summary="Create a code", body="NewCode",
                 response="Code", status=201)
    def create_code(call: Call) -> dict[str, Any]:
        return codes().create(call.principal, call.body())

Bodies, answers and queries are pydantic models named by the module that holds them (`schemas`), and
imported the first time a route parses one, answers through one, or the OpenAPI document is built: a cold
start does not pay for pydantic, nor for the models of routes the request does not take.

An answer leaves through the response model the route declares, the one the OpenAPI document publishes:
the handler's dict or typed object (a dataclass, any object with the fields as attributes) is validated
by it and dumped as JSON, with the fields the answer did not set left out, so the answer keeps its shape
and carries nothing the model does not declare. An answer the model refuses is a bug of ours: it is logged
with the route and the model's errors and answered as the internal-error problem, so it fails every test
that takes the route rather than reaching a caller, or only a fuzzer.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.api.http import light, problems
from chalicelib.api.http.callers import Rule, identify
from chalicelib.api.http.parsing import QueryParam, query_params
from chalicelib.errors import DomainError
from chalicelib.log import logger

if TYPE_CHECKING:
    from pydantic import BaseModel

JSON = {"Content-Type": "application/json"}
OPERATION_ATTRIBUTE = "godkend_operation"

Handler = Callable[..., Any]
# A model by its name in the route's `schemas` module, or "module:Name" (or the model class itself, for a
# module that imports pydantic anyway).
Schema = Any


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
    # The body may be left out altogether; it is then read as `{}` (every field at its default).
    body_optional: bool = False
    response: Schema | None = None
    errors: tuple[int, ...] = ()
    query: Schema | None = None
    description: str = ""
    schemas: str | None = None
    # The request must name the version it was based on (`If-Match`): 428 without, 412 when stale.
    if_match: bool = False
    # The answer carries the version of what it shows (`ETag`), for a later `If-Match`.
    etag: bool = False
    # A success answer that is not JSON (a CSV download): its media type, for the document; the handler
    # returns the `Response` itself.
    media_type: str | None = None

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
        if self.rule.is_person or self.rule.key_mode is not None:
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
                logger.info("request refused", extra={"problem": error.slug, "status": error.status})
                return problems.from_domain_error(error, problems.language_of(request))
            except Exception:
                logger.exception("unhandled error")
                return problems.internal_error(problems.language_of(request))
            try:
                shaped = through_model(operation, result)
            except AnswerRefused as refused:
                logger.error(
                    "answer breaks its declared model",
                    extra={
                        "route": f"{operation.method} {operation.path}",
                        "model": refused.model,
                        "errors": refused.errors,
                    },
                )
                return problems.internal_error(problems.language_of(request))
            return to_response(shaped, operation.status)

        return view


class AnswerRefused(Exception):
    """A handler's answer that its route's response model does not accept."""

    def __init__(self, model: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(model)
        self.model = model
        self.errors = errors


def through_model(operation: Operation, result: Any) -> Any:
    """The answer as the route's response model has it: validated, then dumped as JSON without the fields
    the answer left unset. A `Response` is the handler's own, and an empty answer has nothing to check."""
    if operation.response is None or result is None or isinstance(result, Response):
        return result
    if isinstance(result, Reply):
        if result.body is None:
            return result
        return Reply(body=_shaped(operation, result.body), status=result.status, headers=result.headers)
    return _shaped(operation, result)


def _shaped(operation: Operation, answer: Any) -> Any:
    # The light path when it is sure (the same answer the model gives), the model itself otherwise.
    schema = light.declared(operation.schemas, operation.response, "answer")
    if schema is not None:
        try:
            return light.shape_answer(schema, answer)
        except light.Unsure:
            pass
    model = operation.response_model()
    if model is None:
        raise TypeError("this route declares no answer")
    return _dumped(model, answer)


def _dumped(model: type[BaseModel], answer: Any) -> Any:
    from pydantic import ValidationError

    try:
        shown = answer if isinstance(answer, model) else model.model_validate(answer, from_attributes=True)
    except ValidationError as exc:
        # Where and what, never the values: an answer is about people.
        errors = [
            {"loc": list(error["loc"]), "type": error["type"], "msg": error["msg"]}
            for error in exc.errors(include_url=False, include_input=False, include_context=False)
        ]
        raise AnswerRefused(model.__name__, errors) from None
    return shown.model_dump(mode="json", exclude_unset=True)


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


def operation_of(view: Any) -> Operation | None:
    found = getattr(view, OPERATION_ATTRIBUTE, None)
    return found if isinstance(found, Operation) else None
