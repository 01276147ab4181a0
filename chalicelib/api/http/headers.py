"""Headers every answer of the API carries, whichever layer made it: a route, a problem, a preflight, or
Chalice itself.

- `Cache-Control: no-store`: answers show API keys, webhook and authenticator secrets, codes and people's
  data, and are made for one caller. No browser, proxy or CDN may keep a copy, so none can hand one to the
  next user of a shared machine or to another caller. There are no exceptions, `/health` and
  `/openapi.json` included: both are small and rarely asked for, a cached contract outliving a deployment
  would mislead the very tools that read it, and one rule without a list of exceptions is one that stays
  true as routes are added.
  The one exception is the public keys receipts are verified with (`/.well-known/jwks.json`): the same for
  everyone, nothing personal, and asked for by every vendor that verifies a receipt, so caches may keep it
  for five minutes (a new key is published an hour before it signs; see
  chalicelib/services/vendors/receipt_keys.py).
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


# Resource path -> its Cache-Control, for a successful answer; every other answer is no-store.
PUBLIC = {"/.well-known/jwks.json": "public, max-age=300"}


def add_security_headers(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """HTTP middleware: the headers above on every answer."""
    response = get_response(request)
    response.headers.update(SECURITY_HEADERS)
    public = PUBLIC.get(request.context.get("resourcePath", ""))
    if public is not None and response.status_code == 200:
        response.headers["Cache-Control"] = public
    return response
