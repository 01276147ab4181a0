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
# The languages a problem is told in: English for machine clients unless they ask, Danish for the console.
ENGLISH, DANISH = "en", "da"
# What the API answers itself (not a DomainError: Chalice's own refusals, an internal error), in Danish.
GENERIC_DA: dict[int, tuple[str, str]] = {
    400: ("Forkert forespørgsel", "Forespørgslen kunne ikke læses. Ret den, og prøv igen."),
    401: ("Log ind først", "Du er ikke logget ind, eller dit login er udløbet. Log ind igen."),
    403: ("Ingen adgang", "Du har ikke adgang til det her. Spørg din administrator, hvis du skal have det."),
    404: ("Findes ikke", "Det, du leder efter, findes ikke. Tjek adressen, og prøv igen."),
    405: ("Ikke tilladt her", "Den handling findes ikke på denne adresse."),
    413: ("For meget indhold", "Forespørgslen er for stor. Send mindre ad gangen."),
    415: ("Forkert indholdstype", "Send indholdet som JSON (Content-Type: application/json)."),
    429: ("For mange forespørgsler", "Vent lidt, og prøv så igen."),
    500: ("Intern fejl", "Noget gik galt hos os. Det er skrevet ned; prøv igen om lidt."),
    502: ("Tjenesten svarer ikke", "Tjenesten svarer ikke lige nu. Prøv igen om lidt."),
    503: ("Tjenesten er ikke tilgængelig", "Tjenesten er ikke tilgængelig lige nu. Prøv igen om lidt."),
    504: ("Tjenesten svarede ikke i tide", "Tjenesten svarede ikke i tide. Prøv igen om lidt."),
}
FALLBACK_DA = ("Fejl", "Noget gik galt. Prøv igen, eller kontakt support, hvis det bliver ved.")


def language_of(request: Request | None) -> str:
    """The language a caller asks its problems in (`Accept-Language`, by weight): Danish or English."""
    header = "" if request is None else str(request.headers.get("accept-language") or "")
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, parameters = part.strip().partition(";")
        weight = 1.0
        if parameters.strip().startswith("q="):
            try:
                weight = float(parameters.strip()[2:])
            except ValueError:
                weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in {ENGLISH, DANISH} and weight > 0:
            ranked.append((-weight, index, primary))
    return min(ranked)[2] if ranked else ENGLISH


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


def in_language(response: Response, language: str) -> Response:
    """Says which language the problem is in, and that it depends on what the caller asked (for caches)."""
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Accept-Language"
    return response


def from_domain_error(error: DomainError, language: str = ENGLISH) -> Response:
    extra: dict[str, Any] = {}
    if error.errors:
        extra["errors"] = [
            {"field": e.field, "message": e.translations.get(language, e.message)} for e in error.errors
        ]
    danish = language == DANISH
    title, detail = (error.title_da, error.detail_da) if danish else (error.title, error.detail)
    response = in_language(problem(error.status, error.slug, title, detail, **extra), language)
    if isinstance(error, TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after_seconds)
    return response


def internal_error(language: str = ENGLISH) -> Response:
    if language == DANISH:
        return in_language(problem(500, "internal-error", *GENERIC_DA[500]), language)
    english = "Something went wrong on our side. It has been logged; please try again later."
    return in_language(problem(500, "internal-error", "Internal error", english), language)


def generic(status: int, detail: str | None = None, language: str = ENGLISH) -> Response:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    slug = phrase.lower().replace(" ", "-")
    if language == DANISH:
        return in_language(problem(status, slug, *GENERIC_DA.get(status, FALLBACK_DA)), language)
    return in_language(problem(status, slug, phrase, detail or phrase + "."), language)


def normalise_error_responses(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """Chalice answers some requests itself before any of our code runs (a body that is not JSON, an
    unsupported media type, a method not allowed). Rewrite those answers as problem+json too."""
    response = get_response(event)
    if response.status_code < 400 or _is_problem(response):
        return response
    rewritten = generic(response.status_code, _chalice_message(response.body), language_of(event))
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
