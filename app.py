"""Godkend: the wiring. Routes live in `chalicelib/api/routes/`, rules in `chalicelib/services/`."""

from __future__ import annotations

import functools
from typing import Any

from aws_lambda_powertools.logging.correlation_paths import API_GATEWAY_REST
from chalice.app import Chalice, ConvertToMiddleware

from chalicelib import tracing
from chalicelib.api.http import cors, headers, problems
from chalicelib.api.routes import (
    activations,
    applications,
    checks,
    codes,
    invitations,
    me,
    meta,
    organisation,
    renewal_requests,
    sign_in,
    staff_audit,
    staff_letters,
    staff_mail,
    staff_members,
    staff_organisations,
    staff_personal_data,
    staff_support,
    support_cases,
    users,
    validations,
    vendor_console,
    vendor_receipts,
    vendor_users,
    vendor_webhook,
    vendors,
    webhooks,
)
from chalicelib.events.letters import letters as letter_events
from chalicelib.events.mail import events as mail_events
from chalicelib.events.reminders import reminders as reminder_events
from chalicelib.events.sign_in import events as sign_in_events
from chalicelib.events.vendors import events as vendor_events
from chalicelib.events.webhooks import events as webhook_events
from chalicelib.log import logger

app = Chalice(app_name="godkend")

# Outermost: every answer, whichever layer produced it, is kept by no cache and read as the type it says,
app.register_middleware(headers.add_security_headers, "http")
# and names an allowed browser origin.
app.register_middleware(cors.add_cors_headers, "http")
# Every function's log lines carry its keys, and an API request's its correlation id (chalicelib/log.py).
app.register_middleware(
    ConvertToMiddleware(
        functools.partial(
            logger.inject_lambda_context, correlation_id_path=API_GATEWAY_REST, clear_state=True
        )
    ),
    "all",
)
app.register_middleware(problems.normalise_error_responses, "http")
# Every function: X-Ray subsegments on sampled invocations, the Tracer imported only then.
app.register_middleware(tracing.trace, "all")

for routes in (
    meta.routes,
    me.routes,
    applications.routes,
    activations.routes,
    sign_in.routes,
    codes.routes,
    renewal_requests.routes,
    users.routes,
    invitations.routes,
    organisation.routes,
    staff_organisations.routes,
    staff_mail.routes,
    vendors.routes,
    vendor_console.routes,
    vendor_receipts.routes,
    vendor_webhook.routes,
    vendor_users.routes,
    validations.routes,
    staff_letters.routes,
    staff_personal_data.routes,
    staff_audit.routes,
    staff_members.routes,
    staff_support.routes,
    support_cases.routes,
    support_cases.staff_routes,
    webhooks.routes,
    webhooks.staff_routes,
    checks.routes,
):
    app.register_blueprint(routes.blueprint)
# After every route is registered: each of their paths gets its preflight.
cors.add_preflight_routes(app)
for events in (mail_events, reminder_events, letter_events, webhook_events, vendor_events, sign_in_events):
    app.register_blueprint(events)


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of every registered route, as `GET /openapi.json` serves it (infra/openapi_dump.py
    writes it to a file for the console's typed client)."""
    from chalicelib.api.http.openapi import build_document

    return build_document(app)
