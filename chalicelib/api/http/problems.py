"""RFC 9457 problem+json: the one place where errors become HTTP answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from chalice.app import Request, Response

from chalicelib.errors import DomainError, TooManyRequests

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://godkend.dk/problems/"


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    headers: dict[str, str | list[str]] = {"Content-Type": PROBLEM_CONTENT_TYPE}
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=status, headers=headers)


def from_domain_error(error: DomainError) -> Response:
    extra: dict[str, Any] = {}
    if error.errors:
        extra["errors"] = [{"field": e.field, "message": e.message} for e in error.errors]
    response = problem(error.status, error.slug, error.title, error.detail, **extra)
    if isinstance(error, TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after_seconds)
    return response


def internal_error() -> Response:
    return problem(
        500,
        "internal-error",
        "Internal error",
        "Something went wrong on our side. It has been logged; please try again later.",
    )


def generic(status: int, detail: str | None = None) -> Response:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    slug = phrase.lower().replace(" ", "-")
    return problem(status, slug, phrase, detail or phrase + ".")


def normalise_error_responses(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """Chalice answers some requests itself before any of our code runs (a body that is not JSON, an
    unsupported media type, a method not allowed). Rewrite those answers as problem+json too."""
    response = get_response(event)
    if response.status_code < 400 or _is_problem(response):
        return response
    rewritten = generic(response.status_code, _chalice_message(response.body))
    # What Chalice said besides the body still holds: `Allow` on a 405, for one.
    for name, value in response.headers.items():
        if name.lower() not in {"content-type", "content-length"}:
            rewritten.headers[name] = value
    return rewritten


def _is_problem(response: Response) -> bool:
    headers = {k.lower(): v for k, v in response.headers.items()}
    return str(headers.get("content-type", "")).startswith(PROBLEM_CONTENT_TYPE)


def _chalice_message(body: Any) -> str | None:
    if isinstance(body, dict):
        message = body.get("Message") or body.get("message")
        return str(message) if message else None
    return None
