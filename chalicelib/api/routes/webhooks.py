"""Vendors hear when an approval they gave stops being true: their webhook endpoint and their events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.http.callers import LIVE_KEY, STAFF, Call
from chalicelib.api.http.routing import Routes
from chalicelib.container import container

if TYPE_CHECKING:
    from chalicelib.services.webhooks.endpoints import (
        Endpoint,
        EndpointWithSecret,
        EventDetail,
        FeedEvent,
        ParkedDelivery,
    )
    from chalicelib.values.page import Page

routes = Routes(__name__, schemas="chalicelib.api.schemas.webhooks", tag="Webhooks")
staff_routes = Routes(__name__ + ".staff", schemas="chalicelib.api.schemas.webhooks", tag="Staff: webhooks")


@routes.put(
    "/v1/webhook",
    rule=LIVE_KEY,
    summary="Register or replace the vendor's webhook endpoint; answers its signing secret, once",
    body="EndpointForm",
    response="EndpointWithSecret",
    description="A new signing secret every time. A paused endpoint is active again.",
)
def put_webhook(call: Call) -> EndpointWithSecret:
    return container().webhooks.register(call.vendor, call.body().url)


@routes.get(
    "/v1/webhook",
    rule=LIVE_KEY,
    summary="The vendor's webhook endpoint and its delivery health (never the secret)",
    response="Endpoint",
    errors=(404,),
)
def get_webhook(call: Call) -> Endpoint:
    return container().webhooks.show(call.vendor)


@routes.delete(
    "/v1/webhook",
    rule=LIVE_KEY,
    summary="Remove the vendor's webhook endpoint; events stay in GET /v1/events",
    status=204,
)
def delete_webhook(call: Call) -> None:
    container().webhooks.remove(call.vendor)


@routes.post(
    "/v1/webhook/secret",
    rule=LIVE_KEY,
    summary="Rotate the signing secret; the old one keeps signing for an overlap",
    response="EndpointWithSecret",
    errors=(404, 409),
    description="Deliveries carry two `v1=` signatures, one per secret, until "
    "`previous_secret_valid_until` (24 hours).",
)
def rotate_webhook_secret(call: Call) -> EndpointWithSecret:
    return container().webhooks.rotate_secret(call.vendor)


@routes.get(
    "/v1/events",
    rule=LIVE_KEY,
    summary="The vendor's events, oldest first",
    response="EventPage",
    errors=(400,),
    query="PageQuery",
    description="The same events a webhook is sent, for vendors with or without an endpoint.",
)
def list_events(call: Call) -> Page[FeedEvent]:
    query = call.query_model()
    return container().webhooks.feed(call.vendor, limit=query.limit, cursor=query.cursor)


@routes.get(
    "/v1/events/{event_id}",
    rule=LIVE_KEY,
    summary="One of the vendor's events, with every delivery attempt",
    response="EventDetail",
)
def get_event(call: Call, event_id: str) -> EventDetail:
    return container().webhooks.event(call.vendor, event_id)


@routes.post(
    "/v1/webhook/deliveries/{event_id}/retry",
    rule=LIVE_KEY,
    summary="Deliver a parked event again; resumes a paused endpoint",
    response="EventDetail",
    errors=(409,),
    description="Only a parked (failed or paused) or never sent (no endpoint then) delivery; it gets a new "
    "24-hour retry window.",
)
def retry_delivery(call: Call, event_id: str) -> EventDetail:
    return container().webhooks.replay(call.vendor, event_id)


@staff_routes.get(
    "/v1/staff/webhook-deliveries",
    rule=STAFF,
    summary="Parked webhook deliveries (default failed), newest first",
    response="ParkedPage",
    errors=(400,),
    query="ParkedQuery",
)
def list_parked_deliveries(call: Call) -> Page[ParkedDelivery]:
    query = call.query_model()
    return container().staff_deliveries.parked(query.status, limit=query.limit, cursor=query.cursor)


@staff_routes.post(
    "/v1/staff/webhook-deliveries/{event_id}/retry",
    rule=STAFF,
    summary="Deliver a parked webhook event again; resumes a paused endpoint",
    response="ParkedDelivery",
    errors=(409,),
)
def retry_parked_delivery(call: Call, event_id: str) -> ParkedDelivery:
    return container().staff_deliveries.replay(event_id)
