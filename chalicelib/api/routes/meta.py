"""Routes about the service itself: health, the contract, and the public keys receipts are signed with."""

from __future__ import annotations

from functools import cache
from typing import Any

from chalice.app import Chalice

from chalicelib.api.http.callers import ANYONE, Call
from chalicelib.api.http.routing import Routes
from chalicelib.container import container

routes = Routes(__name__, schemas="chalicelib.api.schemas.meta", tag="Service")


@routes.get("/health", rule=ANYONE, summary="Is the service up", response="Health")
def health(call: Call) -> dict[str, Any]:
    return {"status": "ok"}


@routes.get("/openapi.json", rule=ANYONE, summary="The OpenAPI 3 document of this API")
def openapi_document(call: Call) -> dict[str, Any]:
    return _document(routes.blueprint.current_app)


@routes.get(
    "/.well-known/jwks.json",
    rule=ANYONE,
    summary="The public keys receipts are signed with",
    response="KeySet",
    description="A JWK Set: verify a receipt (`receipt` in a valid check's answer) with the key its `kid` "
    "names. Keys that signed receipts still kept stay here; a new key appears here an hour before it signs. "
    "The one answer of this API that may be cached (`Cache-Control: public, max-age=300`).",
)
def receipt_keys(call: Call) -> dict[str, Any]:
    return container().published_receipt_keys.jwks()


@cache
def _document(app: Chalice) -> dict[str, Any]:
    # Built on first request rather than at import, so that a cold start for any other route skips it (and
    # pydantic's schema generation with it).
    from chalicelib.api.http.openapi import build_document

    return build_document(app)
