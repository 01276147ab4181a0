"""The bodies and answers of the routes in `chalicelib/api/routes/vendor_console.py`, as pydantic models.

Imported when one of those routes first parses a body, or when the OpenAPI document is built; never by
`import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from chalicelib.fields import Strict, Text

# What a vendor calls a key: free text, short enough for a list.
KeyLabel = Annotated[Text, Field(max_length=100)]


class OwnVendor(BaseModel):
    vendor_id: str
    name: str = Field(description="The vendor's name, as organisations see it in their history")
    contact_email: str = Field(description="Whom the operator contacts about the vendor's keys")
    webhook_set: bool = Field(description="Whether the vendor has a webhook endpoint (`PUT /v1/webhook`)")
    webhook_status: str | None = Field(description="The endpoint's status; null without one")


class NewOwnKey(Strict):
    label: KeyLabel = Field(description="What the vendor calls the key, e.g. `Kasse 1` or `Produktion`")
    mode: Literal["live", "test"] = Field(
        default="live",
        description="`test`: a `gkv_test_…` key that validates only the documented test codes "
        "(GET /v1/test-codes) and never reads a real organisation's data",
    )


class OwnKey(BaseModel):
    key_id: str = Field(description="Names the key; the part after `gkv_<vendor id>_` and before the secret")
    label: str | None = Field(description="What the vendor calls the key; null for a key staff issued")
    mode: Literal["live", "test"] = Field(description="`test`: validates only the documented test codes")
    status: Literal["active", "revoked"]
    created_at: str
    revoked_at: str | None
    last_used_at: str | None = Field(
        description="When a check with the key last left a receipt (a valid code); null if none has"
    )
    created_by_name: str | None = Field(
        description="Who made the key: one of the vendor's people by the name they have now; `Godkend` "
        "(the operator) for a key staff issued, never a staff member's name; null when the maker's login "
        "is gone (a removed colleague). The key keeps working either way until it is revoked."
    )


class IssuedOwnKey(OwnKey):
    api_key: str = Field(
        description="The key to send as `Authorization: Bearer <api_key>`. Shown only in this answer: "
        "only a hash of it is stored."
    )


class OwnKeys(BaseModel):
    items: list[OwnKey] = Field(description="The vendor's keys, newest first; never a secret")
