"""The memoised alias lookups of moto's serialiser (infra/local/moto_speed.py): the same keys as moto's own,
in the same order, and really in place, so that a moto upgrade can neither change an answer nor make the
speed-up silently do nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import product
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore import xform_name
from botocore.loaders import create_loader
from moto.core import serialize
from moto.core.model import ListShape, MapShape, ServiceModel, Shape, StructureShape
from moto.core.serialize import AttributePicker, AttributePickerContext, NoAlias, XFormedAttributePicker

from infra.local import moto_speed
from tests.world import REGION, World

# What the service, its jobs and the local stack ask of AWS.
SERVICES = ("dynamodb", "dynamodbstreams", "sqs", "sns", "ses", "cognito-idp", "secretsmanager", "sts")


def fresh_model(service: str) -> ServiceModel:
    """A service model of its own, so that its shapes meet the lookup first without a parent, as moto's do."""
    return ServiceModel(create_loader().load_service_model(service, "service-2"), service)


def members(model: ServiceModel) -> Iterator[tuple[StructureShape, str, Shape]]:
    """Every member of every structure the operations answer with, each structure once, walked as moto's
    serialiser walks them."""
    seen: set[str] = set()

    def walk(shape: Shape | None) -> Iterator[tuple[StructureShape, str, Shape]]:
        # By name: botocore makes a new shape object for every member, and some shapes contain themselves.
        if shape is None or shape.name in seen:
            return
        seen.add(shape.name)
        if isinstance(shape, StructureShape):
            for key, member in shape.members.items():
                yield shape, key, member
                yield from walk(member)
        elif isinstance(shape, ListShape):
            yield from walk(shape.member)
        elif isinstance(shape, MapShape):
            yield from walk(shape.value)

    for name in model.operation_names:
        yield from walk(model.operation_model(name).output_shape)


def objects_for(parent: StructureShape, key: str) -> list[Any]:
    """Values of each kind the serialiser picks from: dicts (the memoised kind) with and without the key, an
    object of a class named as the structure (a class-prefix alias), one with explicit aliases in its Meta,
    and None."""
    meta = type("Meta", (), {"serialization_aliases": {key: "explicit_" + key}})
    return [
        {},
        {key: 1},
        {"Meta": 1},
        type(parent.name, (), {})(),
        type("WithMeta", (), {"Meta": meta})(),
        None,
    ]


def keys_both_ways(picker: AttributePicker, context: AttributePickerContext) -> tuple[object, object]:
    """The keys as the serialiser now looks them up, and as moto's own code does (the x-formed picker adds
    each key's snake_case form after it); or what either raised."""
    original = moto_speed.original_get_possible_keys()

    def moto_s_own() -> list[str]:
        keys = list(original(picker, context))
        if isinstance(picker, XFormedAttributePicker):
            return [form for key in keys for form in (key, xform_name(key))]
        return keys

    return outcome(lambda: list(picker.get_possible_keys(context))), outcome(moto_s_own)


def outcome(keys: Callable[[], list[str]]) -> object:
    try:
        return keys()
    except Exception as error:
        return (type(error), str(error))


def test_the_memoised_lookup_gives_moto_s_own_keys_for_every_shape_we_use(emulated_aws: World) -> None:
    # Given the speed-up in place (the emulated AWS applies it) and fresh models of every service we use
    assert moto_speed.applied()
    pickers = (AttributePicker(), XFormedAttributePicker())
    compared = 0
    for service in SERVICES:
        for parent, key, member in members(fresh_model(service)):
            for with_parent in (False, True):
                if with_parent:
                    member.parent = parent  # as moto's serialiser does
                for value, picker in product(objects_for(parent, key), pickers):
                    context = AttributePickerContext(obj=value, key=key, shape=member)
                    # When the keys are looked up twice (the second from the cache) and by moto's own code
                    first, original = keys_both_ways(picker, context)
                    again, _ = keys_both_ways(picker, context)
                    # Then all three are the same keys in the same order
                    assert first == original == again, (service, parent.name, key, with_parent, value, picker)
                    compared += 1
    assert compared > 10_000


def test_a_picker_with_providers_of_its_own_is_answered_by_moto(emulated_aws: World) -> None:
    # Given a picker that asks only whether the key itself is there
    picker = AttributePicker(alias_providers=[NoAlias])
    shape = fresh_model("dynamodb").operation_model("DescribeTable").output_shape
    assert isinstance(shape, StructureShape)
    context = AttributePickerContext(obj={}, key="Table", shape=shape.members["Table"])
    # When its keys are looked up
    keys = list(picker.get_possible_keys(context))
    # Then it gets moto's answer for those providers, not the default ones'
    assert keys == ["Table"]


def test_the_emulated_aws_serialises_its_answers_through_the_memoised_lookup(tables: None) -> None:
    # Given the world's tables
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    name = dynamodb.list_tables()["TableNames"][0]
    moto_speed.forget()
    # When a table is described (an answer with many nested members)
    table = dynamodb.describe_table(TableName=name)["Table"]
    # Then the answer is complete and went through the memoised lookup (moto's serialiser still calls what
    # was replaced, under the same name: an upgrade that renames it fails here)
    assert table["TableName"] == name
    assert table["KeySchema"]
    assert moto_speed.applied()
    assert moto_speed.cached_lookups() > 10


@pytest.mark.parametrize(
    "stand_in",
    [
        pytest.param(
            SimpleNamespace(
                DEFAULT_ALIAS_PROVIDERS=serialize.DEFAULT_ALIAS_PROVIDERS,
                XFormedAttributePicker=serialize.XFormedAttributePicker,
            ),
            id="no AttributePicker",
        ),
        pytest.param(
            SimpleNamespace(
                DEFAULT_ALIAS_PROVIDERS=serialize.DEFAULT_ALIAS_PROVIDERS,
                AttributePicker=serialize.AttributePicker,
                XFormedAttributePicker=type("XFormedAttributePicker", (serialize.AttributePicker,), {}),
            ),
            id="a picker that no longer has a lookup of its own",
        ),
        pytest.param(SimpleNamespace(AttributePicker=serialize.AttributePicker), id="no providers"),
        pytest.param(
            SimpleNamespace(
                AttributePicker=serialize.AttributePicker,
                DEFAULT_ALIAS_PROVIDERS=list(reversed(serialize.DEFAULT_ALIAS_PROVIDERS)),
            ),
            id="providers in another order",
        ),
        pytest.param(
            SimpleNamespace(
                AttributePicker=serialize.AttributePicker,
                DEFAULT_ALIAS_PROVIDERS=[*serialize.DEFAULT_ALIAS_PROVIDERS, NoAlias],
            ),
            id="a provider more",
        ),
    ],
)
def test_the_speed_up_refuses_a_moto_without_what_it_replaces(stand_in: Any) -> None:
    # Given a moto whose serialiser is not the one the speed-up was written for
    # When it is applied
    # Then it refuses instead of doing nothing or something else
    with pytest.raises(moto_speed.MotoChanged):
        moto_speed.apply(stand_in)
