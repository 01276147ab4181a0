"""Activation codes: the secret in the letter to a company's official mailbox.

A code is 12 characters of Crockford's base32 (60 random bits from `secrets`), printed in three groups,
`7K2M-9XQ4-B8ND`. The alphabet has no I, L, O or U, so nothing is mistaken for 1 or 0; input is read
case-insensitively, with or without hyphens and spaces, and I/L read as 1, O as 0, as Crockford intends.

Only an HMAC-SHA256 of the code is stored, keyed with GODKEND_ACTIVATION_KEY and bound to the username, so
a copy of the table is useless without the key and a digest cannot be moved to another username. Digests
are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12  # 12 x 5 bits = 60 bits
GROUP = 4
MIN_KEY_BYTES = 32
USERNAME_PREFIX = "adm-"
USERNAME_RANDOM = 8  # 40 bits: usernames are not secret, only unique (a conditional put makes sure)

_CROCKFORD_READS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_code() -> str:
    """A fresh code in its printed form."""
    return printed("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))


def printed(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise_code(typed: str) -> str | None:
    """The code as stored for hashing, or None when what was typed cannot be a code at all."""
    if not typed.isascii():
        return None
    cleaned = typed.upper().replace("-", "").replace(" ", "").translate(_CROCKFORD_READS)
    if len(cleaned) != LENGTH or any(character not in ALPHABET for character in cleaned):
        return None
    return cleaned


def new_username() -> str:
    """A username for a new administrator: easy to read aloud, lower case (the pool ignores case)."""
    return USERNAME_PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(USERNAME_RANDOM)).lower()


def normalise_username(typed: str) -> str:
    return typed.strip().lower()


class ActivationCodes:
    """Hashes and checks codes under the configured key."""

    def __init__(self, key: str) -> None:
        encoded = key.encode()
        if len(encoded) < MIN_KEY_BYTES:
            raise ValueError(
                f"GODKEND_ACTIVATION_KEY must be set to at least {MIN_KEY_BYTES} bytes from a secret store"
            )
        self._key = encoded

    def digest(self, username: str, code: str) -> str:
        normalised = normalise_code(code)
        if normalised is None:
            raise ValueError("not an activation code")
        message = f"{normalise_username(username)}\n{normalised}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def pseudonym(self, purpose: str, value: str) -> str:
        """A keyed hash that names `value` without holding it (a caller's address in a rate limit). The
        `pseudonym:` prefix keeps it apart from every code's digest, whose message starts with a username."""
        message = f"pseudonym:{purpose}\n{value}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def matches(self, stored_digest: str, username: str, typed: str) -> bool:
        normalised = normalise_code(typed)
        if normalised is None:
            return False
        return hmac.compare_digest(stored_digest, self.digest(username, normalised))
