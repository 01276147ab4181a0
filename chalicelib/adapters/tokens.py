"""Verifies Cognito access tokens: RS256 signature against the pool's published keys, issuer, app client,
`token_use` and expiry (against our clock). The same code runs in AWS, in the local stack and in the tests;
only the key URL differs."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
import requests

from chalicelib.clock import Clock
from chalicelib.errors import Unauthenticated, UpstreamUnavailable

# A token naming a key we do not know makes us fetch the key set again (the pool may have rotated keys),
# but not more often than this, so forged tokens cannot turn us into a load generator against Cognito.
MIN_SECONDS_BETWEEN_KEY_FETCHES = 60.0
KEY_FETCH_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class AccessClaims:
    subject: str
    username: str
    groups: frozenset[str]
    auth_time: datetime
    # When this token was issued (`iat`, whole seconds): a refreshed token is newer than its `auth_time`.
    issued_at: datetime
    expires_at: datetime
    raw: dict[str, Any]


class JwksKeys:
    """The pool's signing keys, fetched lazily and cached for the life of the process."""

    def __init__(self, url: str, *, timeout: float = KEY_FETCH_TIMEOUT_SECONDS) -> None:
        self._url = url
        self._timeout = timeout
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def key_for(self, kid: str) -> jwt.PyJWK | None:
        key = self._keys.get(kid)
        if key is None and self._may_fetch():
            self._fetch()
            key = self._keys.get(kid)
        return key

    def _may_fetch(self) -> bool:
        return (
            self._fetched_at is None or time.monotonic() - self._fetched_at >= MIN_SECONDS_BETWEEN_KEY_FETCHES
        )

    def _fetch(self) -> None:
        with self._lock:
            try:
                response = requests.get(self._url, timeout=self._timeout)
                response.raise_for_status()
                key_set = jwt.PyJWKSet.from_dict(response.json())
            except (requests.RequestException, ValueError, jwt.PyJWKSetError) as exc:
                raise UpstreamUnavailable("The identity provider's signing keys could not be read.") from exc
            self._keys = {key.key_id: key for key in key_set.keys if key.key_id}
            self._fetched_at = time.monotonic()


class CognitoTokenVerifier:
    def __init__(self, *, issuer: str, client_id: str, keys: JwksKeys, clock: Clock) -> None:
        self._issuer = issuer
        self._client_id = client_id
        self._keys = keys
        self._clock = clock

    def verify(self, token: str) -> AccessClaims:
        key = self._signing_key(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=["RS256"],
                issuer=self._issuer,
                # Expiry is checked below against our clock, so that it can be tested at the boundary.
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_aud": False,
                    "require": ["exp", "iss", "sub", "token_use", "client_id", "username"],
                },
            )
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(f"The access token is not valid: {exc}.") from exc
        return self._check_claims(claims)

    def _signing_key(self, token: str) -> jwt.PyJWK:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError as exc:
            raise Unauthenticated("The access token is not a JWT.") from exc
        kid = header.get("kid")
        key = self._keys.key_for(kid) if isinstance(kid, str) else None
        if key is None:
            raise Unauthenticated("The access token was not signed by our identity provider.")
        return key

    def _check_claims(self, claims: dict[str, Any]) -> AccessClaims:
        if claims.get("token_use") != "access":
            raise Unauthenticated("Send an access token, not an ID token.")
        if claims.get("client_id") != self._client_id:
            raise Unauthenticated("The access token was issued to another application.")
        now = self._clock.now().timestamp()
        expires_at = _timestamp(claims, "exp")
        if now >= expires_at:
            raise Unauthenticated("The access token has expired; sign in again.")
        groups = claims.get("cognito:groups") or []
        return AccessClaims(
            subject=str(claims["sub"]),
            username=str(claims["username"]),
            groups=frozenset(str(group) for group in groups) if isinstance(groups, list) else frozenset(),
            auth_time=datetime.fromtimestamp(
                _timestamp(claims, "auth_time", default=claims.get("iat", 0)), UTC
            ),
            issued_at=datetime.fromtimestamp(
                _timestamp(claims, "iat", default=claims.get("auth_time", 0)), UTC
            ),
            expires_at=datetime.fromtimestamp(expires_at, UTC),
            raw=claims,
        )


def _timestamp(claims: dict[str, Any], name: str, default: Any = None) -> float:
    value = claims.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unauthenticated(f"The access token's '{name}' claim is malformed.")
    return float(value)
