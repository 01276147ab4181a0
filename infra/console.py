"""The web console's HTTP security headers: one definition for CloudFront (infra/package.py puts them in the
distribution's response headers policy) and for `make run`'s console server, so a page that breaks the policy
breaks on a laptop first.

The console is a built single-page app (`web/dist/`): its scripts and styles are files of its own origin, so
the policy allows no inline script or style, no other origin's code, and talking only to the API and Cognito.
"""

from __future__ import annotations

from collections.abc import Iterable

# HSTS for two years; CloudFront serves only HTTPS (viewer protocol policy redirect-to-https).
HSTS_SECONDS = 63_072_000


def content_security_policy(connect_to: Iterable[str], *, https: bool = True) -> str:
    """CSP for the console: its own files only, no inline script, calls to `connect_to` (the API, Cognito)."""
    directives = [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        # The design system's icons and the enrolment QR code may come as data: URLs.
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src " + " ".join(["'self'", *connect_to]),
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ]
    if https:
        directives.append("upgrade-insecure-requests")
    return "; ".join(directives)


def security_headers(connect_to: Iterable[str], *, https: bool = True) -> dict[str, str]:
    """Every header the console is served with. Without HTTPS (locally) HSTS would be ignored, so it is left
    out there."""
    headers = {
        "Content-Security-Policy": content_security_policy(connect_to, https=https),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if https:
        headers["Strict-Transport-Security"] = f"max-age={HSTS_SECONDS}; includeSubDomains; preload"
    return headers
