"""Vendors hear when an approval they gave stops being true: their webhook endpoint and their events."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from chalicelib.api.deps import container
from chalicelib.api.paging import PageQuery
from chalicelib.api.routing import STAFF, VENDOR, Call, Routes, query_params
from chalicelib.models.webhook import DeliveryStatus, EventType
from chalicelib.services.webhook_urls import MAX_URL_LENGTH

routes = Routes(__name__, tag="Webhooks")
staff_routes = Routes(__name__ + ".staff", tag="Staff: webhooks")


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
    name: str
    cvr: str
    handle: str
    status: str | None = Field(default=None, description="For organisation events: the status now")


class EventData(BaseModel):
    validation_id: str = Field(description="The receipt concerned: GET /v1/validations/{validation_id}")
    validated_at: str
    code_id: str
    organisation: EventOrganisation


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
        description="Give as `cursor` for the next page. A page with events always has one, the last page "
        "too: keep it and ask again later for newer events. An empty page has none; keep your cursor."
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
    data: EventData
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


@routes.put(
    "/v1/webhook",
    rule=VENDOR,
    summary="Register or replace the vendor's webhook endpoint; answers its signing secret, once",
    body=EndpointForm,
    response=EndpointWithSecret,
    description="A new signing secret every time. A paused endpoint is active again.",
)
def put_webhook(call: Call) -> dict[str, Any]:
    return container().webhooks.register(call.vendor, call.body(EndpointForm).url)


@routes.get(
    "/v1/webhook",
    rule=VENDOR,
    summary="The vendor's webhook endpoint and its delivery health (never the secret)",
    response=Endpoint,
    errors=(404,),
)
def get_webhook(call: Call) -> dict[str, Any]:
    return container().webhooks.show(call.vendor)


@routes.delete(
    "/v1/webhook",
    rule=VENDOR,
    summary="Remove the vendor's webhook endpoint; events stay in GET /v1/events",
    status=204,
)
def delete_webhook(call: Call) -> None:
    container().webhooks.remove(call.vendor)


@routes.post(
    "/v1/webhook/secret",
    rule=VENDOR,
    summary="Rotate the signing secret; the old one keeps signing for an overlap",
    response=EndpointWithSecret,
    errors=(404, 409),
    description="Deliveries carry two `v1=` signatures, one per secret, until "
    "`previous_secret_valid_until` (24 hours).",
)
def rotate_webhook_secret(call: Call) -> dict[str, Any]:
    return container().webhooks.rotate_secret(call.vendor)


@routes.get(
    "/v1/events",
    rule=VENDOR,
    summary="The vendor's events, oldest first",
    response=EventPage,
    errors=(400,),
    query=query_params(PageQuery),
    description="The same events a webhook is sent, for vendors with or without an endpoint.",
)
def list_events(call: Call) -> dict[str, Any]:
    query = call.query_model(PageQuery)
    return container().webhooks.feed(call.vendor, limit=query.limit, cursor=query.cursor)


@routes.get(
    "/v1/events/{event_id}",
    rule=VENDOR,
    summary="One of the vendor's events, with every delivery attempt",
    response=EventDetail,
)
def get_event(call: Call, event_id: str) -> dict[str, Any]:
    return container().webhooks.event(call.vendor, event_id)


@routes.post(
    "/v1/webhook/deliveries/{event_id}/retry",
    rule=VENDOR,
    summary="Deliver a parked event again; resumes a paused endpoint",
    response=EventDetail,
    errors=(409,),
    description="Only a parked (failed or paused) or never sent (no endpoint then) delivery; it gets a new "
    "24-hour retry window.",
)
def retry_delivery(call: Call, event_id: str) -> dict[str, Any]:
    return container().webhooks.replay(call.vendor, event_id)


@staff_routes.get(
    "/v1/staff/webhook-deliveries",
    rule=STAFF,
    summary="Parked webhook deliveries (default failed), newest first",
    response=ParkedPage,
    errors=(400,),
    query=query_params(ParkedQuery),
)
def list_parked_deliveries(call: Call) -> dict[str, Any]:
    query = call.query_model(ParkedQuery)
    return container().staff_deliveries.parked(
        DeliveryStatus(query.status), limit=query.limit, cursor=query.cursor
    )


@staff_routes.post(
    "/v1/staff/webhook-deliveries/{event_id}/retry",
    rule=STAFF,
    summary="Deliver a parked webhook event again; resumes a paused endpoint",
    response=ParkedDelivery,
    errors=(409,),
)
def retry_parked_delivery(call: Call, event_id: str) -> dict[str, Any]:
    return container().staff_deliveries.replay(event_id)
