"""The bodies, answers and queries of the routes in `chalicelib/api/routes/meta.py`, as pydantic models.

Imported when one of those routes first parses a body or a query, or when the OpenAPI document is built;
never by `import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: str


class PublicKey(BaseModel):
    """One public key (RFC 8037 OKP JWK): a private part is not a field here, so it can never be shown."""

    kty: Literal["OKP"]
    crv: Literal["Ed25519"]
    x: str
    kid: str = Field(description="The `kid` in the header of the receipts this key signed")
    alg: Literal["EdDSA"]
    use: Literal["sig"]


class KeySet(BaseModel):
    """A JWK Set (RFC 7517): every key whose receipts are still kept, the one signing now among them."""

    keys: list[PublicKey]
