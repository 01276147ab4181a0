"""The light path (chalicelib/api/http/light.py) gives what pydantic gives, for every model it holds a schema
of: a body it takes is the body the model reads, an answer it shapes is the answer the model dumps, and
whatever the model refuses, it leaves to the model. Values are drawn from each model's own published schema,
then broken (keys dropped or added, values of another kind, objects in place of dicts)."""

from __future__ import annotations

import dataclasses
import importlib
import json
import keyword
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from chalicelib.api.http import light, light_build

PROJECT_DIR = Path(__file__).resolve().parents[2]
GENERATED = {
    path.stem: json.loads(path.read_text(encoding="utf-8"))
    for path in sorted(Path(light.GENERATED).glob("*.json"))
}
ANSWERS = [(module, name) for module, kinds in GENERATED.items() for name in kinds["answer"]]
BODIES = [(module, name) for module, kinds in GENERATED.items() for name in kinds["body"]]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SPACES = " \t\r\n\x0b\x0c\x1c\x85\u00a0\u2028\u3000a@"
JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


def model_of(module: str, name: str) -> type[BaseModel]:
    found: type[BaseModel] = getattr(importlib.import_module(module), name)
    return found


def drawn(root: dict[str, Any], node: dict[str, Any], *, hostile: bool, depth: int = 0) -> Any:
    """A strategy for values of a schema; hostile: now and then broken at any depth."""
    if "$ref" in node:
        node = root["$defs"][node["$ref"].removeprefix("#/$defs/")]
    found = _drawn(root, node, hostile=hostile, depth=depth)
    return st.one_of(found, JUNK) if hostile else found


def _drawn(root: dict[str, Any], node: dict[str, Any], *, hostile: bool, depth: int) -> Any:
    if "anyOf" in node:
        return st.one_of(*(drawn(root, option, hostile=hostile, depth=depth) for option in node["anyOf"]))
    if "const" in node or "enum" in node:
        return st.sampled_from(node.get("enum", [node.get("const")]))
    kind = node.get("type")
    if kind == "array":
        items = drawn(root, node.get("items", {}), hostile=hostile, depth=depth + 1)
        return st.just([]) if depth > 3 else st.lists(items, max_size=2)
    if kind == "object":
        return _object(root, node, hostile=hostile, depth=depth)
    return _scalar(node)


def _scalar(node: dict[str, Any]) -> Any:
    least, most = node.get("minLength", 0), node.get("maxLength", 40)
    if node.get("type") == "string" and "pattern" in node:
        return st.from_regex(node["pattern"], fullmatch=True).filter(lambda s: least <= len(s) <= most)
    strategies = {
        "string": st.text(min_size=least, max_size=min(most, 40)),
        "boolean": st.booleans(),
        "integer": st.integers(node.get("minimum"), node.get("maximum")),
        "null": st.none(),
    }
    return strategies.get(str(node.get("type")), JUNK)


def _object(root: dict[str, Any], node: dict[str, Any], *, hostile: bool, depth: int) -> Any:
    properties = node.get("properties", {})
    required = set(node.get("required", ()))
    fields = {
        name: drawn(root, field, hostile=hostile, depth=depth + 1) for name, field in properties.items()
    }
    whole = st.fixed_dictionaries(
        {name: fields[name] for name in properties if name in required},
        optional={name: fields[name] for name in properties if name not in required},
    )
    return whole.flatmap(_broken) if hostile else whole


def _broken(value: dict[str, Any]) -> Any:
    keys = sorted(value)
    return st.one_of(
        st.just(value),
        st.sampled_from(keys).map(lambda key: {k: v for k, v in value.items() if k != key}) if keys else JUNK,
        st.text(max_size=6).map(lambda key: {**value, key: 1}),
    )


def as_objects(value: Any) -> Any:
    """The same value as a handler's typed objects: dicts become dataclass instances, all the way down."""
    if isinstance(value, dict) and "not_declared" in value:
        return value
    if isinstance(value, list):
        return [as_objects(item) for item in value]
    if not isinstance(value, dict) or not all(_attribute_name(key) for key in value):
        return value
    # With an attribute the model does not declare, as a service's typed objects often have.
    shape = dataclasses.make_dataclass("Shown", [*value, "not_declared"], frozen=True)
    return shape(**{key: as_objects(item) for key, item in value.items()}, not_declared="internal")


def _attribute_name(key: Any) -> bool:
    return isinstance(key, str) and key.isascii() and key.isidentifier() and not keyword.iskeyword(key)


def pydantic_answer(model: type[BaseModel], answer: Any) -> Any:
    return model.model_validate(answer, from_attributes=True).model_dump(mode="json", exclude_unset=True)


@pytest.mark.parametrize(("module", "name"), ANSWERS, ids=[f"{m.rsplit('.', 1)[1]}:{n}" for m, n in ANSWERS])
@SETTINGS
@given(data=st.data())
def test_an_answer_the_light_path_shapes_is_the_one_its_model_dumps(
    data: Any, module: str, name: str
) -> None:
    # Given an answer drawn from the model's own schema, maybe broken, as a dict or as typed objects
    schema = GENERATED[module]["answer"][name]
    model = model_of(module, name)
    answer = data.draw(drawn(schema, schema, hostile=data.draw(st.booleans())))
    answer = as_objects(answer) if data.draw(st.booleans()) else answer
    # When the light path shapes it
    try:
        shaped = light.shape_answer(schema, answer)
    except light.Unsure:
        return  # the model decides, as before
    # Then the model takes it too, and dumps the same JSON, key for key and in the same order
    expected = pydantic_answer(model, answer)
    assert json.dumps(shaped, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)


@pytest.mark.parametrize(("module", "name"), ANSWERS, ids=[f"{m.rsplit('.', 1)[1]}:{n}" for m, n in ANSWERS])
@SETTINGS
@given(data=st.data())
def test_an_answer_drawn_from_its_schema_takes_the_light_path(data: Any, module: str, name: str) -> None:
    # Given a whole answer as the schema describes it, as a dict or as typed objects
    schema = GENERATED[module]["answer"][name]
    answer = data.draw(drawn(schema, schema, hostile=False))
    answer = as_objects(answer) if data.draw(st.booleans()) else answer
    # When it is shaped, then the light path is sure of it (unless the union's members both take it)
    try:
        light.shape_answer(schema, answer)
    except light.Unsure:
        assert _ambiguous(schema, answer), "the light path refused an answer its schema describes"


def _ambiguous(schema: dict[str, Any], answer: Any) -> bool:
    # Only a union more than one of whose members takes the answer is left to the model.
    return "anyOf" in json.dumps(schema)


@pytest.mark.parametrize(("module", "name"), BODIES, ids=[n for _, n in BODIES])
@SETTINGS
@given(data=st.data())
def test_a_body_the_light_path_takes_is_the_one_its_model_reads(data: Any, module: str, name: str) -> None:
    # Given a body drawn from the model's schema and broken, or anything at all, or a code of any text
    schema = GENERATED[module]["body"][name]
    model = model_of(module, name)
    body = data.draw(
        st.one_of(
            drawn(schema, schema, hostile=True),
            JUNK,
            st.fixed_dictionaries({key: st.text(max_size=120) for key in schema.get("properties", {})}),
            # Texts of spaces and line breaks of every kind, where patterns draw their lines
            st.fixed_dictionaries({key: st.text(SPACES, max_size=6) for key in schema.get("properties", {})}),
        )
    )
    # When both read it
    try:
        read = light.read_body(schema, body)
    except light.Unsure:
        read = None
    try:
        expected = model.model_validate(body)
    except ValidationError:
        # Then a body the model refuses is never taken by the light path (its errors stay the model's)
        assert read is None
        return
    # Then a body the light path takes holds the model's fields and values
    if read is not None:
        assert read.values == expected.model_dump()


def test_the_checks_code_is_read_by_the_light_path_as_the_model_reads_it() -> None:
    # Given codes as vendors paste them
    schema = GENERATED["chalicelib.api.schemas.validations"]["body"]["CodeCheck"]
    model = model_of("chalicelib.api.schemas.validations", "CodeCheck")
    for code in ["7k2m9xq4@RoedeKorsAarhus", "  7K2M9XQ4@roedekorsaarhus\n", "x" * 100]:
        # When the light path reads the body, then it is sure, and has the code as given
        read = light.read_body(schema, {"code": code})
        assert read.code == model.model_validate({"code": code}).model_dump()["code"] == code


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"code": ""},
        {"code": "  \n\t"},
        {"code": "x" * 101},
        {"code": 7},
        {"code": None},
        {"code": "a", "b": 1},
    ],
)
def test_a_check_body_its_model_refuses_is_left_to_the_model(body: dict[str, Any]) -> None:
    # Given a body the check's model refuses
    schema = GENERATED["chalicelib.api.schemas.validations"]["body"]["CodeCheck"]
    model = model_of("chalicelib.api.schemas.validations", "CodeCheck")
    with pytest.raises(ValidationError):
        model.model_validate(body)
    # When the light path reads it, then it is not sure: the model answers, with its own field errors
    with pytest.raises(light.Unsure):
        light.read_body(schema, body)


def test_the_generated_schemas_are_what_the_models_publish_now() -> None:
    # Given the routes' declarations, when their light schemas are generated again
    wanted = {module: light_build.text(schemas) for module, schemas in light_build.declarations().items()}
    on_disk = {path.stem: path.read_text(encoding="utf-8") for path in Path(light.GENERATED).glob("*.json")}
    # Then the files are those (run `python -m chalicelib.api.http.light_build` after changing a model)
    assert on_disk == wanted


def test_a_vendors_check_and_a_persons_answer_import_no_pydantic() -> None:
    # Given a fresh interpreter, when it reads a check's body and shapes its answer, and shapes /v1/me's
    # answer, as the HTTP layer does
    from bench.cold_start import FUNCTIONS

    for name in ["API function, a vendor's check", "API function, a person's request"]:
        script = FUNCTIONS[name].imports + "; import sys; print('pydantic' in sys.modules)"
        out = subprocess.run(  # noqa: S603
            [sys.executable, "-c", script], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
        ).stdout
        # Then pydantic was never imported
        assert out.strip().splitlines()[-1] == "False", name
