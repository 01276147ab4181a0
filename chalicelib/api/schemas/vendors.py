"""The bodies, answers and queries of the routes in `chalicelib/api/routes/vendors.py`, as pydantic models.

Imported when one of those routes first parses a body or a query, or when the OpenAPI document is built;
never by `import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.fields import CompanyName, Email, Strict
from chalicelib.services.people.vendor_people import VendorContact


class NewVendor(Strict):
    name: CompanyName = Field(description="The vendor's name, as organisations will see it in their history")
    contact_email: Email = Field(description="Whom the operator contacts about the vendor's keys")
    contact: VendorContact | None = Field(
        default=None,
        description="The vendor's first person in the vendor console: gets an invitation mail, accepts it at "
        "`POST /v1/invitations/accept` and enrols a second factor, as an organisation's colleague does",
    )


class NewKey(Strict):
    mode: Literal["live", "test"] = Field(
        default="live",
        description="`test`: a `gkv_test_…` key that validates only the documented test codes "
        "(GET /v1/test-codes) and never reads a real organisation's data. Without a body, a live key.",
    )


class Key(BaseModel):
    key_id: str = Field(description="Names the key; the part after the vendor id and before the secret")
    vendor_id: str
    mode: Literal["live", "test"] = Field(description="`test`: validates only the documented test codes")
    status: Literal["active", "revoked"]
    created_at: str
    revoked_at: str | None
    label: str | None = Field(default=None, description="What the vendor called the key, if it made it")
    last_used_at: str | None = Field(
        default=None, description="When a check with the key last left a receipt (a valid code)"
    )


class IssuedKey(Key):
    api_key: str = Field(
        description="The key to send as `Authorization: Bearer <api_key>`. Shown only in this answer: "
        "only a hash of it is stored."
    )


class Vendor(BaseModel):
    vendor_id: str
    name: str
    contact_email: str
    created_at: str
    key: IssuedKey = Field(description="The vendor's first key")


class VendorWithKeys(BaseModel):
    vendor_id: str
    name: str
    contact_email: str
    created_at: str
    keys: list[Key] = Field(description="The vendor's keys, newest first; never a secret")


class VendorPage(BaseModel):
    items: list[VendorWithKeys]
    next_cursor: str | None = Field(description="Give as `cursor` for the next page; null on the last page")
