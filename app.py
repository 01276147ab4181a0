"""Godkend: the wiring. Routes live in `chalicelib/api/`, rules in `chalicelib/services/`."""

from __future__ import annotations

import functools

from chalice.app import Chalice, ConvertToMiddleware

from chalicelib.api import activations, applications, me, meta, problems, staff_organisations

app = Chalice(app_name="godkend")

app.register_middleware(
    ConvertToMiddleware(functools.partial(problems.logger.inject_lambda_context, clear_state=True)), "http"
)
app.register_middleware(problems.normalise_error_responses, "http")

for routes in (meta.routes, me.routes, applications.routes, activations.routes, staff_organisations.routes):
    app.register_blueprint(routes.blueprint)
