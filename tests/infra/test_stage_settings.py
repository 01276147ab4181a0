"""Every setting that differs between stages, pinned per stage, on settings built the way each stage really
builds them: `local` from what `make run` gives its API (.chalice/config.json's local stage, the emulator's
and the console's environment), `test` from .chalice/config.json's test stage, `dev` and `prod` from the API
function's environment in the packaged template. The integration tests all run as `test`, where webhooks may
go to loopback and companies come from the sample register; this is where the deployed stages' stricter
rules are stated."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.registry import CvrRegistry, SampleRegistry
from chalicelib.container import Container
from chalicelib.services.webhooks.urls import UrlRefused, target_of
from chalicelib.settings import Settings
from infra.local.run import Options, console_environment, emulator_environment
from tests.infra import templates
from tests.infra.conftest import packaged_stage

pytestmark = pytest.mark.infra

LOOPBACK_WEBHOOK = "http://127.0.0.1:8081/hooks"
FIXED_KEY = "fixed, from .chalice/config.json"


def from_the_stack(logical_id: str) -> str:
    """How a `Ref` to one of the stack's own resources reads here (CloudFormation gives its name or ARN)."""
    return f"stack:{logical_id}"


@dataclass(frozen=True)
class Stage:
    """What a stage's settings say, where stages differ."""

    table_prefix: str
    webhooks_to_loopback: bool
    register: str
    register_credentials: str
    activation_key: str
    console_origins: tuple[str, ...]
    mail_sender: str
    keeps_a_copy_of_each_mail: bool
    # Where mails' and letters' links lead, and the support contact every mail ends with.
    mails_link_to: str
    support: tuple[str, str, str, str]
    log_level: str


EXPECTED = {
    "local": Stage(
        table_prefix="godkend-local",
        webhooks_to_loopback=True,
        register="sample",
        register_credentials="",
        activation_key=FIXED_KEY,
        console_origins=("http://127.0.0.1:8080", "http://localhost:8080"),
        mail_sender="Godkend <noreply@godkend.dk>",
        keeps_a_copy_of_each_mail=True,
        mails_link_to="http://127.0.0.1:8080",
        support=("support@godkend.example", "+45 70 00 00 00", "hverdage 9-16", "weekdays 9am-4pm"),
        log_level="INFO",
    ),
    "test": Stage(
        table_prefix="godkend-test",
        webhooks_to_loopback=True,
        register="sample",
        register_credentials="",
        activation_key=FIXED_KEY,
        console_origins=(),
        mail_sender="Godkend <noreply@godkend.dk>",
        keeps_a_copy_of_each_mail=False,
        mails_link_to="",
        support=("support@godkend.example", "+45 70 00 00 00", "hverdage 9-16", "weekdays 9am-4pm"),
        log_level="INFO",
    ),
    "dev": Stage(
        table_prefix="godkend-dev",
        webhooks_to_loopback=False,
        register="cvr",
        register_credentials=from_the_stack("CvrCredentialsSecret"),
        activation_key=from_the_stack("ActivationKeySecret"),
        console_origins=("https://console.dev.godkend.dk",),
        mail_sender="Godkend <noreply@dev.godkend.dk>",
        keeps_a_copy_of_each_mail=False,
        mails_link_to="https://console.dev.godkend.dk",
        support=("support@dev.godkend.dk", "+45 70 00 00 00", "hverdage 9-16", "weekdays 9am-4pm"),
        log_level="INFO",
    ),
    "prod": Stage(
        table_prefix="godkend-prod",
        webhooks_to_loopback=False,
        register="cvr",
        register_credentials=from_the_stack("CvrCredentialsSecret"),
        activation_key=from_the_stack("ActivationKeySecret"),
        console_origins=("https://console.godkend.dk",),
        mail_sender="Godkend <noreply@godkend.dk>",
        keeps_a_copy_of_each_mail=False,
        mails_link_to="https://console.godkend.dk",
        support=("support@godkend.dk", "+45 70 00 00 00", "hverdage 9-16", "weekdays 9am-4pm"),
        log_level="WARNING",
    ),
}


def local_environment(tmp_path: Path) -> dict[str, str]:
    """What `make run` (infra/local/run.py) gives the API of the local stack, with its default ports."""
    options = Options(api_port=8000, aws_port=5100, state_dir=tmp_path / ".local", console_port=8080)
    return {
        **templates.stage_variables("local"),
        **emulator_environment(options),
        **console_environment(options),
    }


def packaged_environment(template: dict[str, Any], logical_id: str) -> dict[str, str]:
    """A function's environment in the packaged template, as Lambda would give it: parameters at their
    defaults, references to the stack's resources as `stack:<logical id>`, and the region Lambda sets."""
    defaults = templates.parameter_defaults(template)
    variables = template["Resources"][logical_id]["Properties"]["Environment"]["Variables"]
    environment = {"AWS_REGION": "eu-west-1"}
    for name, value in variables.items():
        value = templates.resolve(value, {k: str(v) for k, v in defaults.items()})
        if isinstance(value, dict) and set(value) == {"Ref"}:
            value = from_the_stack(value["Ref"])
        assert isinstance(value, str), (name, value)
        environment[name] = value
    return environment


def built_from(environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings a function parses from exactly this environment (chalicelib/settings.py)."""
    for name in list(os.environ):
        if name.startswith(("GODKEND_", "POWERTOOLS_", "AWS_")):
            monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return Settings()


def observed(stage: str, settings: Settings, environment: dict[str, str]) -> Stage:
    """What the settings mean, found out the way the service uses them."""
    return Stage(
        table_prefix=settings.table_prefix,
        webhooks_to_loopback=takes_a_loopback_webhook(settings),
        register=register_kind(settings),
        register_credentials=settings.cvr_secret_id,
        activation_key=activation_key_source(stage, settings),
        console_origins=settings.console_origins,
        mail_sender=settings.mail_sender,
        keeps_a_copy_of_each_mail=bool(settings.mail_archive_dir),
        mails_link_to=Container(settings=settings).service_address,
        support=(
            settings.support_email,
            settings.support_phone,
            settings.support_hours_da,
            settings.support_hours_en,
        ),
        log_level=environment.get("POWERTOOLS_LOG_LEVEL", ""),
    )


def takes_a_loopback_webhook(settings: Settings) -> bool:
    # The check the webhook service makes when an endpoint is registered and before every delivery.
    try:
        target_of(
            LOOPBACK_WEBHOOK,
            allow_loopback=settings.webhooks_may_use_loopback,
            resolver=lambda host, port: ["127.0.0.1"],
        )
    except UrlRefused:
        return False
    return True


def register_kind(settings: Settings) -> str:
    # The register the service's composition root builds from these settings (nothing is asked yet).
    registry = Container(settings=settings).registry
    if isinstance(registry, SampleRegistry):
        return "sample"
    assert isinstance(registry, CvrRegistry)
    return "cvr"


def activation_key_source(stage: str, settings: Settings) -> str:
    fixed = settings.activation_key.get_secret_value()
    if fixed:
        assert fixed == templates.stage_variables(stage)["GODKEND_ACTIVATION_KEY"]
        assert not settings.activation_key_secret
        return FIXED_KEY
    return settings.activation_key_secret


@pytest.mark.parametrize("stage", ["local", "test"])
def test_the_stages_on_this_machine(stage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the environment the stage really runs with
    environment = local_environment(tmp_path) if stage == "local" else templates.stage_variables(stage)

    # When its settings are built from it
    settings = built_from(environment, monkeypatch)

    # Then they are the stage's, property by property
    assert settings.stage == stage
    assert observed(stage, settings, environment) == EXPECTED[stage]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_deployed_stages(
    stage: str, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the API function's environment in the stage's packaged template
    template = json.loads(packaged_stage(stage, tmp_path_factory).read_text())
    environment = packaged_environment(template, "APIHandler")

    # When its settings are built from it
    settings = built_from(environment, monkeypatch)

    # Then they are the stage's: no loopback webhooks, the CVR register with the stack's own secret, the
    # activation key from the stack's secret, the stage's console and mail domain
    assert settings.stage == stage
    assert observed(stage, settings, environment) == EXPECTED[stage]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_every_function_of_a_deployed_stage_starts_with_its_settings(
    stage: str, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Settings refuse the sample register outside local and test: every function, not only the API, must
    # be configured for the CVR register, or it would not start.
    template = json.loads(packaged_stage(stage, tmp_path_factory).read_text())
    for logical_id in templates.of_type(template, "AWS::Serverless::Function"):
        settings = built_from(packaged_environment(template, logical_id), monkeypatch)
        assert (settings.stage, settings.registry) == (stage, "cvr"), logical_id
        assert not settings.webhooks_may_use_loopback, logical_id
