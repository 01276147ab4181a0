"""Staff: mail that could not be delivered, and replaying it."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import unquote

from chalicelib.api.http.callers import STAFF, Call
from chalicelib.api.http.routing import Routes
from chalicelib.container import container

if TYPE_CHECKING:
    from chalicelib.services.outbox.staff_view import MailMessage
    from chalicelib.values.page import Page

routes = Routes(__name__, schemas="chalicelib.api.schemas.staff_mail", tag="Staff: mail")


@routes.get(
    "/v1/staff/mail",
    rule=STAFF,
    summary="Mail by delivery status (default failed), newest first",
    response="MailPage",
    errors=(400,),
    query="MailListQuery",
)
def list_mail(call: Call) -> Page[MailMessage]:
    query = call.query_model()
    from chalicelib.services.outbox import staff_view  # the mail pipeline: only for this route

    return staff_view.list_messages(query.status, limit=query.limit, cursor=query.cursor)


@routes.post(
    "/v1/staff/mail/{message_id}/retry",
    rule=STAFF,
    summary="Send a failed message again",
    response="MailMessage",
    errors=(409,),
    description="Only a failed message can be retried; it is sent once more, as a new delivery. The id may "
    "be percent-encoded (`activation_letter%3A…`), as a client encodes a path segment.",
)
def retry_failed_mail(call: Call, message_id: str) -> MailMessage:
    from chalicelib.services.outbox import staff_view

    # A message id never holds a '%' of its own; the local gateway hands the segment over still encoded.
    message_id = unquote(message_id)
    return staff_view.retry(call.principal, message_id, origin=call.origin, now=container().clock.now())
