"""Every answer of a route that declares a response model leaves through that model: what a handler answers
is validated against the schema the OpenAPI document publishes, so an answer that breaks it fails every test
that takes the route, not only the fuzzer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from chalice.app import Chalice
from chalice.test import Client
from pydantic import BaseModel, Field

from chalicelib.api.http.callers import ANYONE, Call
from chalicelib.api.http.routing import Reply, Routes
from tests.logs import captured
from tests.people import json_of


class Shown(BaseModel):
    name: str
    count: int = Field(ge=0)
    note: str | None = None


@dataclass(frozen=True)
class ShownView:
    name: str
    count: int


def tiny_app() -> Chalice:
    """An app with one route per kind of answer, each declaring `Shown` as its response."""
    routes = Routes(__name__, tag="Answers")

    @routes.get("/missing", rule=ANYONE, summary="Misses a declared field", response=Shown)
    def missing(call: Call) -> dict[str, object]:
        return {"name": "Walker"}

    @routes.get("/out-of-range", rule=ANYONE, summary="Breaks a constraint", response=Shown)
    def out_of_range(call: Call) -> dict[str, object]:
        return {"name": "Walker", "count": -1}

    @routes.get("/undeclared", rule=ANYONE, summary="Carries more than declared", response=Shown)
    def undeclared(call: Call) -> dict[str, object]:
        return {"name": "Walker", "count": 2, "secret_hash": "abc"}

    @routes.get("/view", rule=ANYONE, summary="A typed object", response=Shown, status=201)
    def view(call: Call) -> Reply:
        return Reply(body=ShownView(name="Walker", count=2), headers={"ETag": '"1"'})

    @routes.get("/unset", rule=ANYONE, summary="Leaves out a field with a default", response=Shown)
    def unset(call: Call) -> dict[str, object]:
        return {"name": "Walker", "count": 0}

    app = Chalice(app_name="answers")
    app.register_blueprint(routes.blueprint)
    return app


@pytest.fixture
def tiny() -> Iterator[Client]:
    with Client(tiny_app()) as client:
        yield client


@pytest.mark.parametrize("path", ["/missing", "/out-of-range"])
def test_an_answer_that_breaks_its_declared_model_is_an_internal_error(tiny, path):
    # Given a route whose handler answers something its declared response model refuses
    with captured() as logs:
        # When it is called
        response = tiny.http.get(path)

    # Then the caller gets the internal-error problem, not the broken answer
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/problem+json"
    assert json_of(response)["type"].endswith("/internal-error")
    assert "Walker" not in response.body.decode()
    # And the log names the route and what the model refused, without the answer's values
    (record,) = [r for r in logs.records if r["message"] == "answer breaks its declared model"]
    assert record["route"] == f"GET {path}"
    assert record["model"] == "Shown"
    assert record["errors"][0]["loc"] in (["count"],)
    assert "Walker" not in logs.text


def test_a_key_the_model_does_not_declare_never_leaves(tiny):
    response = tiny.http.get("/undeclared")

    assert response.status_code == 200
    assert json_of(response) == {"name": "Walker", "count": 2}


def test_a_typed_object_is_answered_as_its_model_with_the_replys_status_and_headers(tiny):
    response = tiny.http.get("/view")

    assert response.status_code == 201
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Content-Type"] == "application/json"
    assert json_of(response) == {"name": "Walker", "count": 2}


def test_a_field_the_answer_leaves_out_stays_out(tiny):
    # Given a declared field with a default that the handler does not set: the answer keeps its shape
    assert json_of(tiny.http.get("/unset")) == {"name": "Walker", "count": 0}
