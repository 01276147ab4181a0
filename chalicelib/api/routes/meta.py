"""Routes about the service itself: health and the contract."""

from __future__ import annotations

from functools import cache
from typing import Any

from chalice.app import Chalice

from chalicelib.api.http.callers import ANYONE, Call
from chalicelib.api.http.routing import Routes

routes = Routes(__name__, schemas="chalicelib.api.schemas.meta", tag="Service")


@routes.get("/health", rule=ANYONE, summary="Is the service up", response="Health")
def health(call: Call) -> dict[str, Any]:
    return {"status": "ok"}


@routes.get("/openapi.json", rule=ANYONE, summary="The OpenAPI 3 document of this API")
def openapi_document(call: Call) -> dict[str, Any]:
    return _document(routes.blueprint.current_app)


@cache
def _document(app: Chalice) -> dict[str, Any]:
    # Built on first request rather than at import, so that a cold start for any other route skips it (and
    # pydantic's schema generation with it).
    from chalicelib.api.http.openapi import build_document

    return build_document(app)
