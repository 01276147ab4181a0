"""API Gateway's own error answers (unknown path, throttling, timeouts...) never reach our code, so
`infra/resources.json` makes them problem+json in the service's own vocabulary, kept by no cache and read
as the type they say, as every answer of ours is.

They live in the REST API's definition (`x-amazon-apigateway-gateway-responses`) rather than as separate
`AWS::ApiGateway::GatewayResponse` resources: SAM re-imports the definition on every deployment, which drops
gateway responses it does not contain.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import boto3
import pytest

from chalicelib import errors
from chalicelib.api.http import problems
from tests.infra import templates

# How the templates show the message API Gateway has for the error (a quoted JSON string).
MESSAGE_VARIABLE = "$context.error.messageString"


def gateway_responses() -> dict[str, Any]:
    definition = templates.load()["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    responses: dict[str, Any] = definition["x-amazon-apigateway-gateway-responses"]
    return responses


def response_types() -> list[str]:
    # API Gateway's own list, so a type AWS adds shows up here when botocore is upgraded.
    model = boto3.client("apigateway", region_name="eu-west-1").meta.service_model
    return list(model.shape_for("GatewayResponseType").enum)


def service_vocabulary() -> set[tuple[int, str, str]]:
    """(status, type, title) of every problem the service itself answers."""
    classes: list[type[errors.DomainError]] = [errors.DomainError]
    for cls in classes:
        classes.extend(cls.__subclasses__())
    vocabulary = {(c.status, problems.PROBLEM_TYPE_BASE + c.slug, c.title) for c in classes}
    for response in [problems.internal_error(), *(problems.generic(s.value) for s in HTTPStatus)]:
        body = json.loads(response.body)
        vocabulary.add((body["status"], body["type"], body["title"]))
    return vocabulary


def test_every_gateway_response_type_is_customised() -> None:
    # Customising every type, not only the DEFAULT_* fallbacks, is what lets each body state its real status.
    assert sorted(gateway_responses()) == sorted(response_types())


@pytest.mark.parametrize("response_type", sorted(gateway_responses()))
def test_api_gateway_errors_answer_problem_json(response_type: str) -> None:
    # Given how API Gateway answers this kind of error
    response = gateway_responses()[response_type]

    # When it fills in the template
    template = response["responseTemplates"]["application/json"]
    body = json.loads(template.replace(MESSAGE_VARIABLE, json.dumps("Some message from API Gateway")))

    # Then the answer is an RFC 9457 problem, with the status it is sent with, in the service's vocabulary
    content_type = response["responseParameters"]["gatewayresponse.header.Content-Type"]
    assert content_type == f"'{problems.PROBLEM_CONTENT_TYPE}'"
    assert set(body) == {"type", "title", "status", "detail"}
    assert body["status"] == int(response["statusCode"])
    assert body["type"].startswith(problems.PROBLEM_TYPE_BASE)
    assert (body["status"], body["type"], body["title"]) in service_vocabulary()
    assert body["detail"]


def test_an_unknown_address_answers_not_found() -> None:
    # API Gateway calls a path or method it has no route for a missing authentication token (403).
    missing = gateway_responses()["MISSING_AUTHENTICATION_TOKEN"]

    assert missing["statusCode"] == "404"
    assert json.loads(missing["responseTemplates"]["application/json"])["type"].endswith("/not-found")


def test_server_errors_do_not_pass_on_api_gateways_message() -> None:
    # Only DEFAULT_4XX (a client error of a kind AWS has not named yet) echoes API Gateway's message.
    echoing = {name for name, r in gateway_responses().items() if MESSAGE_VARIABLE in json.dumps(r)}

    assert echoing == {"DEFAULT_4XX"}


@pytest.mark.parametrize("response_type", sorted(gateway_responses()))
def test_api_gateway_errors_are_kept_by_no_cache_and_not_sniffed(response_type: str) -> None:
    # API Gateway's own answers never pass the function's middleware (chalicelib/api/http/headers.py): they
    # carry the same two headers as every answer of ours.
    parameters = gateway_responses()[response_type]["responseParameters"]

    assert parameters["gatewayresponse.header.Cache-Control"] == "'no-store'"
    assert parameters["gatewayresponse.header.X-Content-Type-Options"] == "'nosniff'"
