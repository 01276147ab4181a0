"""Staff: activation letters that were not delivered within 2 hours of their application."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.http.callers import STAFF, Call
from chalicelib.api.http.routing import Routes
from chalicelib.container import container

if TYPE_CHECKING:
    from chalicelib.services.onboarding.letter_promise import OverdueLetterShown
    from chalicelib.values.page import Page

routes = Routes(__name__, schemas="chalicelib.api.schemas.staff_letters", tag="Staff: letters")


@routes.get(
    "/v1/staff/letters/overdue",
    rule=STAFF,
    summary="Activation letters not delivered within 2 hours, latest due first",
    response="OverdueLetterPage",
    errors=(400,),
    query="chalicelib.api.schemas.paging:PageQuery",
    description="Found by the check that runs every 15 minutes; a failed letter can be sent again with "
    "`POST /v1/staff/mail/activation_letter:{application_id}/retry`.",
)
def list_overdue_letters(call: Call) -> Page[OverdueLetterShown]:
    query = call.query_model()
    return container().letter_watch.overdue_page(limit=query.limit, cursor=query.cursor)
