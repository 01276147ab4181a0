"""The bodies and answers of the routes in `chalicelib/api/routes/vendor_webhook.py`, as pydantic models.

Imported when one of those routes first parses a body or a query, or when the OpenAPI document is built;
never by `import app`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.api.schemas.paging import PageQuery
from chalicelib.api.schemas.webhooks import Attempt, Endpoint, EndpointForm, EndpointWithSecret
from chalicelib.models.webhook import EventType

__all__ = ["Endpoint", "EndpointForm", "EndpointWithSecret", "PageQuery"]


class DeliveryOrganisation(BaseModel):
    name: str = Field(description="The organisation the receipt was for, as the check told it")
    cvr: str | None


class VendorDelivery(BaseModel):
    id: str
    type: EventType = Field(description="`webhook.test` for a test event from the console")
    test: bool = Field(
        description="A test event (`webhook.test`), or an event of test mode (a test key's hosted check, "
        '`"livemode": false`): nothing happened to any live receipt, and it is not in the feed'
    )
    created_at: str
    organisation: DeliveryOrganisation | None = Field(description="None for a test event")
    status: Literal["pending", "delivered", "failed", "paused", "no_endpoint"] = Field(
        description="`pending`: on its way or waiting for its next attempt; `failed`: every attempt in 24 "
        "hours failed; `paused`: not sent, the endpoint was paused; `no_endpoint`: there was no endpoint"
    )
    attempts: list[Attempt] = Field(description="Oldest first: each with its time and status code or error")
    delivered_at: str | None
    replayable: bool = Field(description="Whether POST …/deliveries/{event_id}/retry takes it")


class DeliveryPage(BaseModel):
    items: list[VendorDelivery]
    next_cursor: str | None = Field(description="Give as `cursor` for the next page; null on the last page")
