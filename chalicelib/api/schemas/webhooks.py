"""The bodies, answers and queries of the routes in `chalicelib/api/routes/webhooks.py`, as pydantic models.

Imported when one of those routes first parses a body or a query, or when the OpenAPI document is built;
never by `import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from chalicelib.api.schemas.paging import PageQuery
from chalicelib.models.webhook import DeliveryStatus, EventType
from chalicelib.services.webhooks.urls import MAX_URL_LENGTH


class EndpointForm(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    url: StrictStr = Field(
        min_length=1,
        max_length=MAX_URL_LENGTH,
        description="Where events are posted: `https` on a public address (`http://127.0.0.1[:port]` only "
        "in the local and test stages)",
    )


class EndpointHealth(BaseModel):
    consecutive_failures: int
    last_success_at: str | None
    last_failure_at: str | None
    last_error: str | None = Field(description="e.g. `HTTP 500`, `timeout`")
    paused_at: str | None


class Endpoint(BaseModel):
    url: str
    status: Literal["active", "paused"] = Field(
        description="`paused` after deliveries kept failing for the whole retry window; a replay or a new "
        "PUT resumes it"
    )
    created_at: str
    secret_created_at: str
    previous_secret_valid_until: str | None = Field(
        description="After a rotation: until when the previous secret also signs (a second `v1=`)"
    )
    health: EndpointHealth


class EndpointWithSecret(Endpoint):
    secret: str = Field(description="The signing secret, shown this once: keep it")


class EventOrganisation(BaseModel):
    name: str = Field(description="The display name, as the check told it")
    legal_name: str = Field(
        description="The main company's name in the company register, as the check told it"
    )
    cvr: str
    handle: str
    status: str | None = Field(default=None, description="For organisation events: the status now")


class EventData(BaseModel):
    validation_id: str = Field(description="The receipt concerned: GET /v1/validations/{validation_id}")
    validated_at: str
    code_id: str
    organisation: EventOrganisation
    livemode: bool | None = Field(
        default=None,
        description="For `check.completed`: as the receipt says it. `false` when a test key made the check: "
        "delivered to the endpoint, never in the feed",
    )
    check_id: str | None = Field(default=None, description="For `check.completed`: the hosted check")
    reference: str | None = Field(
        default=None, description="For `check.completed`: the vendor's own reference for the check, if any"
    )


class TestEventData(BaseModel):
    test: Literal[True] = Field(description="A `webhook.test` event, sent from the vendor console")


class FeedDelivery(BaseModel):
    status: Literal["pending", "delivered", "failed", "paused", "no_endpoint"]


class Event(BaseModel):
    id: str
    type: EventType
    created_at: str = Field(description="When the change happened")
    data: EventData
    delivery: FeedDelivery


class EventPage(BaseModel):
    items: list[Event]
    next_cursor: str | None = Field(
        description="Give as `cursor` for the next page. A page that read anything always has one, the "
        "last page too, and a page that passed over test events only (no items): keep it and ask again "
        "later for newer events. A page that read nothing has none; keep your cursor."
    )


class Attempt(BaseModel):
    generation: int = Field(description="0 for the first delivery, one more for each replay")
    attempt: int
    at: str
    status_code: int | None
    error: str | None


class DeliveryLog(BaseModel):
    status: Literal["pending", "delivered", "failed", "paused", "no_endpoint"]
    attempts: list[Attempt]
    delivered_at: str | None


class EventDetail(BaseModel):
    id: str
    type: EventType
    created_at: str
    data: EventData | TestEventData
    delivery: DeliveryLog


class ParkedDelivery(EventDetail):
    vendor_id: str


class ParkedPage(BaseModel):
    items: list[ParkedDelivery]
    next_cursor: str | None = Field(description="Give as `cursor` for the next page; null on the last page")


class ParkedQuery(PageQuery):
    status: Literal[DeliveryStatus.FAILED, DeliveryStatus.PAUSED] = Field(
        default=DeliveryStatus.FAILED,
        description="`failed`: every attempt in 24 hours failed; `paused`: not sent, the endpoint was paused",
    )
