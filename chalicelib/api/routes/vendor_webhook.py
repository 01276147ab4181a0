"""The vendor console's webhook: a vendor's people (signed in with a Cognito token, never the API key) set,
look at and remove their own vendor's endpoint, rotate its secret, send a test event, and read and replay
its deliveries. An event of another vendor answers 404, as if it did not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.http.callers import VENDOR_PERSON, Call
from chalicelib.api.http.routing import Routes
from chalicelib.container import container

if TYPE_CHECKING:
    from chalicelib.services.webhooks.console import VendorDelivery
    from chalicelib.services.webhooks.endpoints import Endpoint, EndpointWithSecret
    from chalicelib.values.page import Page

routes = Routes(__name__, schemas="chalicelib.api.schemas.vendor_webhook", tag="Vendor console")


@routes.get(
    "/v1/vendor/webhook",
    rule=VENDOR_PERSON,
    summary="The vendor's webhook endpoint and its delivery health (never the secret)",
    response="Endpoint",
    errors=(404,),
)
def get_webhook(call: Call) -> Endpoint:
    return container().vendor_webhooks.show(call.principal)


@routes.put(
    "/v1/vendor/webhook",
    rule=VENDOR_PERSON,
    summary="Set or replace the vendor's webhook endpoint; answers its signing secret, once",
    body="EndpointForm",
    response="EndpointWithSecret",
    description="The same address rules as PUT /v1/webhook. A new signing secret every time. Audited in "
    "the staff trail with the person's name.",
)
def put_webhook(call: Call) -> EndpointWithSecret:
    return container().vendor_webhooks.register(call.principal, call.body().url, origin=call.origin)


@routes.delete(
    "/v1/vendor/webhook",
    rule=VENDOR_PERSON,
    summary="Remove the vendor's webhook endpoint; events stay in GET /v1/events",
    status=204,
)
def delete_webhook(call: Call) -> None:
    container().vendor_webhooks.remove(call.principal, origin=call.origin)


@routes.post(
    "/v1/vendor/webhook/secret",
    rule=VENDOR_PERSON,
    summary="Rotate the signing secret; the new one is in this answer only",
    response="EndpointWithSecret",
    errors=(404, 409),
    description="The old secret keeps signing (a second `v1=`) until `previous_secret_valid_until`.",
)
def rotate_webhook_secret(call: Call) -> EndpointWithSecret:
    return container().vendor_webhooks.rotate_secret(call.principal, origin=call.origin)


@routes.post(
    "/v1/vendor/webhook/test",
    rule=VENDOR_PERSON,
    summary="Send a `webhook.test` event to the endpoint, signed and delivered like any event",
    response="VendorDelivery",
    status=202,
    errors=(404, 429),
    description="Limited per vendor per hour. The event is not in GET /v1/events.",
)
def send_test_event(call: Call) -> VendorDelivery:
    return container().vendor_webhooks.send_test(call.principal, origin=call.origin)


@routes.get(
    "/v1/vendor/webhook/deliveries",
    rule=VENDOR_PERSON,
    summary="The vendor's last deliveries, newest first, each with its attempts",
    response="DeliveryPage",
    errors=(400,),
    query="PageQuery",
)
def list_deliveries(call: Call) -> Page[VendorDelivery]:
    query = call.query_model()
    return container().vendor_webhooks.deliveries(call.principal, limit=query.limit, cursor=query.cursor)


@routes.post(
    "/v1/vendor/webhook/deliveries/{event_id}/retry",
    rule=VENDOR_PERSON,
    summary="Deliver a failed event again; resumes a paused endpoint",
    response="VendorDelivery",
    errors=(404, 409),
    description="Only a parked (failed or paused) or never sent delivery; it gets a new 24-hour retry "
    "window. Audited in the staff trail with the person's name.",
)
def retry_delivery(call: Call, event_id: str) -> VendorDelivery:
    return container().vendor_webhooks.replay(call.principal, event_id, origin=call.origin)
