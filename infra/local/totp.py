"""RFC 6238 time-based one-time passwords, as an authenticator app computes them.

A few lines of hmac rather than a library: the emulator's fixed secret is shorter than pyotp accepts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

STEP_SECONDS = 30


def totp(secret: str, at: float | None = None, *, digits: int = 6) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    counter = int((time.time() if at is None else at) // STEP_SECONDS)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def fresh_totp(secret: str) -> str:
    """The code the authenticator app shows now. Cognito also takes the code of the step before (and after)
    the one it is in, for clock skew, and so do the emulator's pools (infra/local/emulator.py): a code that
    reaches the pool just after its step turned is still good, so nobody waits for a new step."""
    return totp(secret)
