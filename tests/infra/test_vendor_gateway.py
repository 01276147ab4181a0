"""The vendor routes in AWS: API Gateway throttles them, and nothing stands between the gateway and the API
function: no authorizer (a second Lambda invocation per request, and API Gateway's own 401 body), so the
key is checked by the API function itself and a request without one gets the same problem+json as anywhere.

Throttling lives in the REST API's `MethodSettings` (SAM passes them to the stage it creates), per route and
method, across all vendors: API Gateway can only throttle per caller with usage plans and its own API keys,
which our bearer keys are not. Per-vendor limits are the service's own (failed checks,
`chalicelib/services/vendors/failure_limit.py`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app import app
from chalicelib.api.http.callers import Caller
from chalicelib.api.http.routing import operation_of
from tests.infra import templates


def vendor_routes() -> set[tuple[str, str]]:
    found = set()
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            operation = operation_of(entry.view_function)
            if operation is not None and operation.rule.caller is Caller.VENDOR:
                found.add((path, method))
    return found


# Anonymous routes throttled too: the hosted check's page, which anyone holding a check's id may call, and
# whose codes count against the vendor's failure limit (docs/vendors.md#hosted-checks).
PUBLIC_THROTTLED = {
    ("/v1/hosted-check", "POST"),
    ("/v1/hosted-check/code", "POST"),
    ("/v1/hosted-check/confirm", "POST"),
}


def resource_path(path: str) -> str:
    # CloudFormation's MethodSetting names a resource with each "/" written as "~1".
    return "/" + path.replace("/", "~1")


def method_settings(template: templates.Template) -> list[dict[str, Any]]:
    settings: list[dict[str, Any]] = template["Resources"]["RestAPI"]["Properties"]["MethodSettings"]
    return settings


def test_every_vendor_route_is_throttled_by_api_gateway():
    # Given the vendor routes, and the throttling the template sets
    throttled = {(s["ResourcePath"], s["HttpMethod"]): s for s in method_settings(templates.load())}

    # Then each of them and the hosted check's page, and nothing else, has a rate and a burst limit
    assert {("/v1/validations", "POST"), ("/v1/validations/{validation_id}", "GET")} <= vendor_routes()
    routes = {(path, method) for path, methods in app.routes.items() for method in methods}
    assert PUBLIC_THROTTLED.issubset(routes)
    assert set(throttled) == {
        (resource_path(path), method) for path, method in vendor_routes() | PUBLIC_THROTTLED
    }
    for setting in throttled.values():
        assert 0 < setting["ThrottlingRateLimit"] <= setting["ThrottlingBurstLimit"]


def test_no_function_of_its_own_is_configured_for_a_key_check():
    config = templates.chalice_config()
    for stage in config["stages"].values():
        assert "vendor_key" not in stage.get("lambda_functions", {})
    assert "VendorKey" not in templates.load()["Resources"]


def sam(packaged: tuple[str, Path]) -> tuple[str, Any]:
    stage, path = packaged
    return stage, json.loads(path.read_text())


@pytest.mark.infra
def test_the_packaged_api_throttles_the_vendor_routes_and_runs_no_authorizer(packaged):
    _, template = sam(packaged)
    resources = template["Resources"]

    assert method_settings(template) == method_settings(templates.load())
    definition = resources["RestAPI"]["Properties"]["DefinitionBody"]
    assert "securityDefinitions" not in definition
    for path, method in vendor_routes():
        assert "security" not in definition["paths"][path][method.lower()]
    # One function answers every vendor route: the vendor's request is one Lambda invocation
    for path, method in vendor_routes():
        integration = definition["paths"][path][method.lower()]["x-amazon-apigateway-integration"]
        assert "APIHandler.Arn" in json.dumps(integration["uri"])
    assert "VendorKey" not in resources
