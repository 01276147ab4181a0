"""CORS: which browser origins may call the API, decided once per request for every route.

The web console is served from another origin than the API (CloudFront in AWS, `make run`'s console port
locally), so the browser asks first (`OPTIONS`, a preflight) and then reads an answer only if it names the
console's origin. Chalice's own `cors=CORSConfig(...)` allows a single fixed origin per route; a stage may
need several (`GODKEND_CONSOLE_ORIGINS`), so the decision lives here:

- `add_preflight_routes` gives every path an `OPTIONS` route. API Gateway and `chalice local` pass an
  `OPTIONS` request to the function only when the path has one (otherwise API Gateway answers 403 and
  `chalice local` makes up its own answer); it has no authorizer, as browsers send preflights without
  credentials. These routes are transport, not operations: they are left out of the OpenAPI document.
- `add_cors_headers`, an HTTP middleware, names an allowed origin on every answer, problem+json included.

An origin that is not allowed gets no `Access-Control-Allow-Origin` anywhere, so the browser shows the page
nothing. Callers that are not browsers (vendors' systems) send no `Origin` and are not affected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from chalice.app import Chalice, Request, Response

from chalicelib.api.http import problems
from chalicelib.container import container
from chalicelib.errors import OriginNotAllowed

PREFLIGHT_ATTRIBUTE = "godkend_preflight"
# `If-Match` names the version a staff decision was made on.
ALLOWED_HEADERS = ("Authorization", "Content-Type", "If-Match")
# Headers a script may read besides the CORS-safelisted ones: when to retry after a 429, and the version of
# what an answer shows (for a later `If-Match`).
EXPOSED_HEADERS = ("Retry-After", "ETag")
# How long a browser may reuse a preflight's answer (Chromium caps it at two hours).
MAX_AGE_SECONDS = 600


def allowed_origin(request: Request | None) -> str | None:
    """The request's `Origin` if the stage lets that origin call the API from a browser, else None."""
    if request is None:
        return None
    origin = request.headers.get("origin")
    if not origin:
        return None
    return origin if origin in container().settings.console_origins else None


def add_cors_headers(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """HTTP middleware: an allowed origin is named on every answer, whatever produced it."""
    response = get_response(request)
    # The answer depends on the Origin header, so any cache in between must keep one copy per origin.
    response.headers["Vary"] = _vary_with_origin(response.headers.get("Vary"))
    origin = allowed_origin(request)
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = ", ".join(EXPOSED_HEADERS)
    return response


def add_preflight_routes(app: Chalice) -> None:
    """An `OPTIONS` route for every path the app has, answering the browser's preflight for that path."""
    for path, methods in sorted(app.routes.items()):
        if "OPTIONS" in methods:
            continue
        view = _preflight_view(app, path, sorted(methods))
        app.route(path, methods=["OPTIONS"], name=view.__name__)(view)


def is_preflight(view: Any) -> bool:
    return bool(getattr(view, PREFLIGHT_ATTRIBUTE, False))


def _preflight_view(app: Chalice, path: str, methods: Iterable[str]) -> Callable[..., Response]:
    allowed = ", ".join([*methods, "OPTIONS"])

    def preflight(**_path_params: str) -> Response:
        request = app.current_request
        if request is not None and request.headers.get("origin") and allowed_origin(request) is None:
            return problems.from_domain_error(
                OriginNotAllowed("This API may be called from a browser only by the Godkend console."),
                problems.language_of(request),
            )
        headers: dict[str, str | list[str]] = {"Allow": allowed}
        if allowed_origin(request) is not None:
            headers.update(
                {
                    "Access-Control-Allow-Methods": allowed,
                    "Access-Control-Allow-Headers": ", ".join(ALLOWED_HEADERS),
                    "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
                }
            )
        return Response(body="", status_code=204, headers=headers)

    preflight.__name__ = "preflight_" + "_".join(
        part.strip("{}").replace("-", "_") for part in path.strip("/").split("/") if part
    )
    setattr(preflight, PREFLIGHT_ATTRIBUTE, True)
    return preflight


def _vary_with_origin(current: Any) -> str:
    names = [name.strip() for name in str(current or "").split(",") if name.strip()]
    if not any(name.lower() == "origin" for name in names):
        names.append("Origin")
    return ", ".join(names)
