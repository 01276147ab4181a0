"""Headers every answer of the API carries, whichever layer made it: a route, a problem, a preflight, or
Chalice itself.

- `Cache-Control: no-store`: answers show API keys, webhook and authenticator secrets, codes and people's
  data, and are made for one caller. No browser, proxy or CDN may keep a copy, so none can hand one to the
  next user of a shared machine or to another caller. There are no exceptions, `/health` and
  `/openapi.json` included: both are small and rarely asked for, a cached contract outliving a deployment
  would mislead the very tools that read it, and one rule without a list of exceptions is one that stays
  true as routes are added.
- `X-Content-Type-Options: nosniff`: a browser treats a JSON answer as the type it says, never as HTML or
  script, whatever text a caller managed to put in it.

API Gateway's own answers (throttling, unknown paths) never reach this code; the template's gateway
responses carry the same two headers (infra/resources.json).
"""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Request, Response

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


def add_security_headers(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """HTTP middleware: the headers above on every answer."""
    response = get_response(request)
    response.headers.update(SECURITY_HEADERS)
    return response
