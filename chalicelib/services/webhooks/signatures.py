"""The `Godkend-Signature` header, as the payment providers sign their webhooks:

    Godkend-Signature: t=1767225600,v1=5257a869e7ec...

`v1` is the hex HMAC-SHA256, keyed with the endpoint's signing secret, of `"<t>.<raw body>"`. During the
overlap after a rotation there are two `v1=` entries, one per secret; a vendor accepts the request when
any of them matches its secret, and rejects a `t` older than five minutes (a replay). docs/vendor-guide.md
shows the vendor's side in a few lines of Python.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

HEADER = "Godkend-Signature"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix that names what follows, not a secret


def new_secret() -> str:
    """256 random bits: the HMAC key is the whole string, prefix included."""
    return SECRET_PREFIX + secrets.token_hex(32)


def sign(body: bytes, timestamp: int, secret: str) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(body: bytes, timestamp: int, signing_secrets: Sequence[str]) -> str:
    entries = [f"t={timestamp}"] + [f"v1={sign(body, timestamp, secret)}" for secret in signing_secrets]
    return ",".join(entries)


def verify(header: str, body: bytes, secret: str, *, now: int, tolerance_seconds: int = 300) -> bool:
    """The vendor's check, also used by the tests: a matching `v1` and a `t` within the tolerance."""
    timestamp = None
    candidates = []
    for entry in header.split(","):
        key, _, value = entry.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or abs(now - timestamp) > tolerance_seconds:
        return False
    expected = sign(body, timestamp, secret)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
