"""The user pool's trigger after a password was set with a mailed code (*Glemt adgangskode?*).

The console resets a username's password at Cognito itself (ForgotPassword, ConfirmForgotPassword with the
console's app client), never through the API, so the API cannot end the sessions of that login as it does
for a reset with the e-mail address (`chalicelib/services/access/sign_in_names.py`). Cognito calls this
function after every confirmation (`PostConfirmation`, `infra/resources.json`); for a forgotten password's
it ends every earlier session as a sign-out does (`SessionService.password_reset`). Cognito calls it only once
the code was right, so a wrong code ends nothing. The API's own reset is confirmed at Cognito the same way
and so comes here too; ending the sessions twice is harmless.

A failure is raised, not swallowed: Cognito then answers the console with an error, the person sees that the
reset did not complete, and the function's error alarm fires. The event carries no password or code.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib.container import container
from chalicelib.log import logger

events = Blueprint(__name__)

RESET_CONFIRMED = "PostConfirmation_ConfirmForgotPassword"


@events.lambda_function(name="end_sessions_on_reset")
def end_sessions_on_reset(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Cognito's PostConfirmation trigger: ends the login's sessions after a forgotten password's reset,
    and answers the event as Cognito expects (it reads `response`, which this trigger leaves empty)."""
    if event.get("triggerSource") != RESET_CONFIRMED:
        # A confirmed sign-up: the pool lets only administrators create logins, so none is expected.
        return event
    pool = container().settings.cognito_user_pool_id
    if event.get("userPoolId") != pool:
        logger.warning(
            "a reset in another user pool was not acted on", extra={"pool": event.get("userPoolId")}
        )
        return event
    username = str(event["userName"])
    container().sessions.password_reset(username)
    logger.info("sessions ended after a password reset", extra={"user_id": username})
    return event
