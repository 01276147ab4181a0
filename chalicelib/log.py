"""The service's one logger: Powertools' Logger, shared by the routes, the services, the adapters and the
event handlers.

Every line is one JSON object with the service's name, the function's keys (name, cold start, request id)
and, on an API request, the request's correlation id (API Gateway's `requestContext.requestId`), all added
by the middleware in `app.py`; `extra=` fields become keys of their own. The level is the stage's
(`POWERTOOLS_LOG_LEVEL` in `.chalice/config.json`): a plain `logging` logger would instead fall under
Lambda's default level, which drops INFO, and write its lines without the request's keys, so the service
makes none (ruff's banned-api refuses `logging.getLogger` in `chalicelib/`).
"""

from __future__ import annotations

from aws_lambda_powertools import Logger

SERVICE = "godkend"

logger = Logger(service=SERVICE)
