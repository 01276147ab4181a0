"""The bodies and answers of the routes in `chalicelib/api/routes/renewal_requests.py`, as pydantic models.

Imported when one of those routes first parses a body, or when the OpenAPI document is built; never by
`import app`."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from chalicelib.fields import Strict, Text

# A link's secret: URL-safe base64 of 24 random bytes (32 characters); a little room either way.
Token = Annotated[
    str,
    Field(
        min_length=20,
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The secret from the fragment of the link in the representative's mail",
    ),
]
Note = Annotated[Text, Field(max_length=500, description="A short note to the organisation")]
Reason = Annotated[Text, Field(max_length=500, description="Why, in words the representative will read")]


class RenewalLink(Strict):
    token: Token


class NewRenewalRequest(Strict):
    token: Token
    note: Note | None = None


class RenewalRequestPreview(BaseModel):
    organisation_name: str
    first_name: str = Field(description="The representative's first name")
    expires_at: str = Field(description="When the code's current value expires")
    pending: bool = Field(description="A request for this code is already waiting for an answer")


class RenewalRequestMade(BaseModel):
    next_step: str


class Decline(Strict):
    reason: Reason


class RenewalRequest(BaseModel):
    request_id: str
    code_id: str
    first_name: str
    last_name: str
    email: str
    company: str
    account: str
    expires_at: str = Field(description="When the code's current value expires")
    requested_at: str
    note: str | None = Field(description="The representative's own words, not the service's")
    status: str


class RenewalRequestList(BaseModel):
    items: list[RenewalRequest]
