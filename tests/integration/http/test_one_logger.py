"""The service has one logger (chalicelib/log.py): a line a service writes while it answers a request carries
that request's correlation id, API Gateway's request id, so that an operator can follow one request from the
line that alarmed them to every other line it wrote. The request goes in as API Gateway sends it, through the
app's whole middleware, not the test client (which gives no request id)."""

from __future__ import annotations

from typing import Any

from chalice.local import LambdaContext

from chalicelib.container import Container, use_container
from chalicelib.services.access.authz import Function
from tests.logs import CloudWatchLogs
from tests.onboarding import UnavailableLogins
from tests.people import People

REQUEST_ID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def api_gateway_event(method: str, resource: str, path: str, headers: dict[str, str], **params: str) -> Any:
    """A REST API's proxy event, as API Gateway hands it to the function."""
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {name.lower(): value for name, value in headers.items()},
        "multiValueHeaders": {name.lower(): [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": params,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/api{path}",
            "stage": "api",
            "requestId": REQUEST_ID,
            "identity": {"sourceIp": "192.0.2.10", "userAgent": "Browser/1.0"},
        },
        "body": None,
        "isBase64Encoded": False,
    }


def test_a_services_error_line_carries_the_requests_correlation_id(
    client, people: People, container: Container, logs: CloudWatchLogs
):
    # Given an administrator, a colleague with a login, and a user pool that cannot delete logins just now
    org = people.organisation()
    admin = people.member(org)
    mate = people.member(org, functions=[Function.CODES])
    use_container(Container(settings=container.settings, logins=UnavailableLogins()))
    from app import app

    # When the administrator deletes the colleague, in a request API Gateway numbered
    event = api_gateway_event(
        "DELETE", "/v1/users/{user_id}", f"/v1/users/{mate.user_id}", admin.auth, user_id=mate.user_id
    )
    answer = app(event, LambdaContext("api_handler", memory_size=512))

    # Then the deletion stands, and the colleagues service's line about the login left behind names the
    # request, as JSON with the function's keys and its own fields
    assert answer["statusCode"] == 204, answer
    (line,) = [r for r in logs.records if r["message"] == "login left behind in the user pool"]
    assert line["correlation_id"] == REQUEST_ID
    assert (line["level"], line["service"], line["user_id"]) == ("ERROR", "godkend", mate.user_id)
    assert line["function_name"] == "api_handler"
    assert line["location"].startswith("_delete_login:")
