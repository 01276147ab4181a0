"""The keys receipts are signed with (journey 15): a key set kept as one Secrets Manager secret, its public
half published at `GET /.well-known/jwks.json`.

A receipt is a compact JWS (EdDSA, Ed25519) whose header names its key (`kid`). The key set holds every key
that ever signed a receipt still kept, each with its id, when it was made and from when it signs; only the
keys that may still sign keep their private half. Rotation (`rotate`) adds a key that signs only from
`PUBLISH_AHEAD` later: by then every copy of the key set (a warm function's, a vendor's cached JWKS) has
seen it published, so no receipt names a key its verifier cannot find. A function loads the key set once
per container, so a warm one keeps signing with the key it loaded; that key stays published, and its
receipts verify, for as long as receipts are kept.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from chalicelib.clock import Clock

ALGORITHM = "EdDSA"
# Longer than any JWKS cache (the route's max-age, the function's reload) may hold an older key set.
PUBLISH_AHEAD = timedelta(hours=1)
# How long a published key set may be served from a function's memory, and cached by a vendor.
JWKS_MAX_AGE_SECONDS = 300


class KeySetBroken(Exception):
    """The secret does not hold a key set this code can sign with; said without the secret's value."""


@dataclass(frozen=True)
class ReceiptKey:
    kid: str
    created: datetime
    signs_from: datetime
    # The public JWK (kty, crv, x); the private JWK (with d) only while the key may still sign.
    public: dict[str, str]
    private: dict[str, str] | None = None

    def __repr__(self) -> str:
        # Never the private half, whoever prints or logs a key.
        return f"ReceiptKey(kid={self.kid!r}, signs_from={self.signs_from.isoformat()})"

    def published(self) -> dict[str, str]:
        return {**self.public, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}

    def stored(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "kid": self.kid,
            "created": self.created.isoformat(),
            "signs_from": self.signs_from.isoformat(),
            "public": self.public,
        }
        if self.private is not None:
            found["private"] = self.private
        return found


@dataclass(frozen=True)
class KeySet:
    keys: tuple[ReceiptKey, ...]

    def __repr__(self) -> str:
        return f"KeySet(kids={[key.kid for key in self.keys]!r})"

    def signing_key(self, now: datetime) -> ReceiptKey:
        """The newest key with a private half that signs by `now`."""
        ready = [key for key in self.keys if key.private is not None and key.signs_from <= now]
        if not ready:
            raise KeySetBroken("no key of the receipt key set may sign yet")
        return max(ready, key=lambda key: key.signs_from)

    def jwks(self) -> dict[str, Any]:
        """The public keys, as a JWK Set: never a private part."""
        return {"keys": [key.published() for key in self.keys]}

    def to_json(self) -> str:
        return json.dumps({"keys": [key.stored() for key in self.keys]})

    @classmethod
    def from_json(cls, text: str) -> KeySet:
        try:
            keys = tuple(_key(found) for found in json.loads(text)["keys"])
        except (ValueError, KeyError, TypeError) as exc:
            raise KeySetBroken(f"the receipt key set is not readable ({type(exc).__name__})") from None
        if not keys:
            raise KeySetBroken("the receipt key set holds no key")
        return cls(keys)


def _key(found: dict[str, Any]) -> ReceiptKey:
    private = found.get("private")
    return ReceiptKey(
        kid=str(found["kid"]),
        created=datetime.fromisoformat(found["created"]),
        signs_from=datetime.fromisoformat(found["signs_from"]),
        public={name: str(found["public"][name]) for name in ("kty", "crv", "x")},
        private=None if private is None else {name: str(private[name]) for name in ("kty", "crv", "x", "d")},
    )


def new_key(now: datetime, *, signs_from: datetime | None = None) -> ReceiptKey:
    from jwt.algorithms import OKPAlgorithm

    private = Ed25519PrivateKey.generate()
    private_jwk = OKPAlgorithm.to_jwk(private, as_dict=True)
    public_jwk = OKPAlgorithm.to_jwk(private.public_key(), as_dict=True)
    created = now.astimezone(UTC)
    return ReceiptKey(
        kid=f"{created:%Y-%m-%d}-{secrets.token_hex(4)}",
        created=created,
        signs_from=signs_from or created,
        public={name: str(public_jwk[name]) for name in ("kty", "crv", "x")},
        private={name: str(private_jwk[name]) for name in ("kty", "crv", "x", "d")},
    )


def first_key_set(now: datetime) -> KeySet:
    """A stage's first key set: one key that signs at once (nothing was published before it), whatever the
    clock of whoever signs says."""
    return KeySet((new_key(now, signs_from=datetime(1970, 1, 1, tzinfo=UTC)),))


def rotate(keys: KeySet, now: datetime, *, retention: timedelta) -> KeySet:
    """The key set with a new key that signs from `PUBLISH_AHEAD` on. The key signing now keeps its private
    half until then; every other key keeps only its public half, and a key that stopped signing longer ago
    than receipts are kept is dropped (no receipt it signed is kept any more)."""
    now = now.astimezone(UTC)
    signing = keys.signing_key(now)
    added = new_key(now, signs_from=now + PUBLISH_AHEAD)
    ordered = sorted(keys.keys, key=lambda key: key.signs_from)
    kept = []
    for index, key in enumerate(ordered):
        successor = ordered[index + 1] if index + 1 < len(ordered) else added
        if key is not signing and successor.signs_from + retention < now:
            continue
        private = key.private if key is signing else None
        kept.append(ReceiptKey(key.kid, key.created, key.signs_from, key.public, private))
    return KeySet((*kept, added))


class ReceiptSigner:
    """Signs a receipt's claims with the key set's current key: no network call, the key set is in memory."""

    def __init__(self, keys: KeySet, *, issuer: str) -> None:
        self._keys = keys
        self.issuer = issuer

    def __repr__(self) -> str:
        return f"ReceiptSigner(issuer={self.issuer!r})"

    def sign(self, claims: dict[str, Any], now: datetime) -> str:
        import jwt

        key = self._keys.signing_key(now)
        assert key.private is not None  # signing_key picks only keys with a private half
        private = jwt.PyJWK(dict(key.private), algorithm=ALGORITHM)
        return jwt.encode(
            {"iss": self.issuer, **claims}, private, algorithm=ALGORITHM, headers={"kid": key.kid}
        )


class PublishedKeys:
    """The JWKS, read again from the secret at most every `JWKS_MAX_AGE_SECONDS`, so that a key a rotation
    added is published well before it signs (`PUBLISH_AHEAD`), even by a function that has been warm since."""

    def __init__(self, load: Callable[[], KeySet], clock: Clock) -> None:
        self._load = load
        self._clock = clock
        self._read: tuple[datetime, dict[str, Any]] | None = None

    def jwks(self) -> dict[str, Any]:
        now = self._clock.now()
        if self._read is None or now - self._read[0] >= timedelta(seconds=JWKS_MAX_AGE_SECONDS):
            self._read = (now, self._load().jwks())
        return self._read[1]
