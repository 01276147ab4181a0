"""An API key as a request presents it: its format, and whether it is a vendor's current key. Every vendor
request is authenticated by its key, in the API function itself (no authorizer, no cache: a revocation counts
at once); this is all a vendor's check needs of keys, so it imports nothing of their management
(`chalicelib/services/vendors/keys.py`: issuing, revoking, listing).

A key reads `gkv_<vendor id>_<key id>_<secret>`: the recognisable prefix (so a leaked key is easy to find
and to report), the vendor's id (32 hex characters), 20 hex characters of key id (80 random bits; names the
record, not secret), and 48 hex characters of secret (192 random bits from `secrets`). The vendor's id is
in the key so that a check can read the vendor's failure windows in the same round trip as the key itself
(`chalicelib/services/vendors/validation.py`); it is taken for the vendor only once the stored key, found by
its id, names that vendor and the secret's hash matches. Only the SHA-256 of the secret is stored, and a
presented secret is compared with `hmac.compare_digest`.

A test key reads `gkv_test_<vendor id>_<key id>_<secret>`. It validates only the documented test codes,
without reading any organisation's data (`chalicelib/services/vendors/test_codes.py`). The stored key says
which mode it is; a key presented with the other prefix is refused like a wrong one, so the prefix is never
believed on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import StrEnum

from chalicelib.errors import Unauthenticated
from chalicelib.models.vendor import VendorKeyModel, get_key

KEY_PREFIX = "gkv_"
TEST_PREFIX = "test_"
KEY_ID_BYTES = 10
SECRET_BYTES = 24
API_KEY = re.compile(
    rf"{KEY_PREFIX}({TEST_PREFIX})?([0-9a-f]{{32}})"
    rf"_([0-9a-f]{{{2 * KEY_ID_BYTES}}})_([0-9a-f]{{{2 * SECRET_BYTES}}})"
)


class KeyMode(StrEnum):
    """A live key validates real codes; a test key only the documented test codes."""

    LIVE = "live"
    TEST = "test"


class KeyFailure(StrEnum):
    """Why a request did not authenticate as a vendor. Only `revoked` is told to the caller as such, and
    only to one who presented the right secret."""

    MISSING = "missing"
    MALFORMED = "malformed"
    INVALID = "invalid"
    REVOKED = "revoked"


class KeyRefused(Exception):
    def __init__(self, reason: KeyFailure) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class VendorIdentity:
    """A vendor request that presented a current key."""

    vendor_id: str
    vendor_name: str
    key_id: str
    mode: KeyMode = KeyMode.LIVE

    @property
    def livemode(self) -> bool:
        return self.mode is KeyMode.LIVE


@dataclass(frozen=True)
class PresentedKey:
    """What a request's `Authorization` header names; nothing is known about it until it is checked."""

    vendor_id: str
    key_id: str
    secret: str
    # What the key's prefix claims; believed only once the stored key says the same.
    mode: KeyMode = KeyMode.LIVE


# Compared against when no key is stored under the presented id, so that both cases take the same time.
UNKNOWN_KEY_HASH = "0" * 64


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def parse_authorization(authorization: str | None) -> PresentedKey:
    """The key in `Bearer gkv_[test_]<vendor id>_<key id>_<secret>`; raises KeyRefused otherwise."""
    if not authorization or not authorization.strip():
        raise KeyRefused(KeyFailure.MISSING)
    scheme, _, key = authorization.strip().partition(" ")
    found = API_KEY.fullmatch(key.strip()) if scheme.lower() == "bearer" else None
    if found is None:
        raise KeyRefused(KeyFailure.MALFORMED)
    return PresentedKey(
        vendor_id=found.group(2),
        key_id=found.group(3),
        secret=found.group(4),
        mode=KeyMode.LIVE if found.group(1) is None else KeyMode.TEST,
    )


def check_key(presented: PresentedKey, stored: VendorKeyModel | None) -> VendorIdentity:
    """The vendor, if the stored key is the presented one and current; raises KeyRefused otherwise. The
    secret's hash is compared in constant time whether or not the key exists."""
    digest = secret_hash(presented.secret)
    matches = hmac.compare_digest(digest, stored.secret_sha256 if stored is not None else UNKNOWN_KEY_HASH)
    if stored is None or not matches or stored.vendor_id != presented.vendor_id:
        raise KeyRefused(KeyFailure.INVALID)
    # A live key presented as a test key (or the other way round) is not the key that was issued.
    if mode_of(stored) is not presented.mode:
        raise KeyRefused(KeyFailure.INVALID)
    if stored.revoked_when is not None:
        raise KeyRefused(KeyFailure.REVOKED)
    return VendorIdentity(
        vendor_id=stored.vendor_id, vendor_name=stored.vendor_name, key_id=stored.key_id, mode=presented.mode
    )


def still_current(vendor: VendorIdentity, stored: VendorKeyModel | None) -> VendorIdentity:
    """The vendor, if the key it was known by earlier (a hosted check's) is still current; raises KeyRefused
    otherwise. No secret is presented: the key was checked when the check was made."""
    if stored is None or stored.vendor_id != vendor.vendor_id or mode_of(stored) is not vendor.mode:
        raise KeyRefused(KeyFailure.INVALID)
    if stored.revoked_when is not None:
        raise KeyRefused(KeyFailure.REVOKED)
    return VendorIdentity(
        vendor_id=stored.vendor_id, vendor_name=stored.vendor_name, key_id=stored.key_id, mode=vendor.mode
    )


def mode_of(key: VendorKeyModel) -> KeyMode:
    return KeyMode.TEST if key.is_test else KeyMode.LIVE


def refusal(refused: KeyRefused) -> Unauthenticated:
    """The 401 a refused key is answered with; only the holder of a revoked key's secret learns that."""
    if refused.reason is KeyFailure.REVOKED:
        return Unauthenticated("This API key has been revoked; use a current key.")
    return Unauthenticated("Send 'Authorization: Bearer <API key>' with a current vendor API key.")


class KeyStore:
    """The stored keys, as a vendor's request is authenticated against them."""

    def authenticate(self, presented: PresentedKey) -> VendorIdentity:
        """The vendor whose current key this is; raises Unauthenticated (401). One consistent GetItem."""
        try:
            return check_key(presented, get_key(presented.key_id))
        except KeyRefused as refused:
            raise refusal(refused) from None
