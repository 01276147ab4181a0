"""A stage that does not run on this machine refuses to start with what only the machine's stages may use: the
sample register (invented companies, letters to `.example` mailboxes) and a fixed activation key from its
configuration. Each stage as really configured is pinned in tests/infra/test_stage_settings.py."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import SecretStr, ValidationError

from chalicelib.settings import Settings
from tests.conftest import PROJECT_DIR

SECRETS = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:godkend-prod"
FIXED_KEY = SecretStr("a-fixed-key-in-the-environment-0123456789")


def deployed(stage: str, activation_key: SecretStr | None = None) -> Settings:
    """A deployed stage's settings: the CVR register and the stack's secrets."""
    return Settings(
        stage=stage,
        registry="cvr",
        cvr_secret_id=f"{SECRETS}/cvr-credentials-AbCdEf",
        activation_key_secret=f"{SECRETS}/activation-key-XyZaBc",
        activation_key=activation_key or SecretStr(""),
    )


@pytest.mark.parametrize("stage", ["dev", "prod", "staging"])
def test_a_stage_other_than_local_and_test_refuses_the_sample_register(stage: str) -> None:
    with pytest.raises(ValidationError, match="CVR register"):
        Settings(stage=stage, registry="sample", activation_key_secret=f"{SECRETS}/activation-key-XyZaBc")


def test_the_sample_register_is_the_default_and_so_refused_by_a_stage_that_names_none() -> None:
    with pytest.raises(ValidationError, match="GODKEND_REGISTRY=cvr"):
        Settings(stage="prod")


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_a_deployed_stage_refuses_a_fixed_activation_key(stage: str) -> None:
    with pytest.raises(ValidationError, match="Secrets Manager"):
        deployed(stage, activation_key=FIXED_KEY)


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_a_deployed_stage_starts_with_the_cvr_register_and_the_key_from_secrets_manager(stage: str) -> None:
    settings = deployed(stage)

    assert (settings.registry, settings.webhooks_may_use_loopback) == ("cvr", False)


@pytest.mark.parametrize("stage", ["local", "test"])
def test_the_stages_on_this_machine_may_use_the_sample_register_and_a_fixed_key(stage: str) -> None:
    settings = Settings(stage=stage, registry="sample", activation_key=FIXED_KEY)

    assert (settings.registry, settings.webhooks_may_use_loopback) == ("sample", True)


def test_settings_are_built_without_pydantic() -> None:
    # When a function builds its settings in a fresh interpreter, as its first invocation does
    probe = (
        "import sys; from chalicelib.settings import get_settings; get_settings(); "
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith('pydantic')}))"
    )
    finished = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    )

    # Then neither pydantic nor pydantic-settings is imported: they took every cold start about 100 ms
    assert finished.stdout.strip() == "[]"


def test_each_setting_is_read_from_its_variable_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the variables a stage's functions are given, one of them in lower case
    monkeypatch.setenv("GODKEND_LETTER_INTERVAL_SECONDS", " 1800 ")
    monkeypatch.setenv("godkend_cvr_timeout_seconds", "2.5")
    monkeypatch.setenv("GODKEND_MAIL_RETRY_DELAYS_SECONDS", "[10, 20]")
    monkeypatch.setenv("GODKEND_CONSOLE_ORIGINS", "https://console.godkend.dk, http://127.0.0.1:8080")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "GodkendDev")
    monkeypatch.delenv("GODKEND_REGION", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-north-1")

    # When the settings are built
    settings = Settings(stage="test")

    # Then each has its typed value, and a keyword wins over the environment
    assert (settings.stage, settings.letter_interval_seconds, settings.cvr_timeout_seconds) == (
        "test",
        1800,
        2.5,
    )
    assert settings.mail_retry_delays_seconds == (10, 20)
    assert settings.console_origins == ("https://console.godkend.dk", "http://127.0.0.1:8080")
    assert (settings.metrics_namespace, settings.region) == ("GodkendDev", "eu-north-1")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("GODKEND_LETTER_INTERVAL_SECONDS", "5401", "less than or equal to 5400"),
        ("GODKEND_LETTER_INTERVAL_SECONDS", "an hour", "valid integer"),
        ("GODKEND_LETTER_INTERVAL_SECONDS", "60.5", "valid integer"),
        ("GODKEND_CVR_TIMEOUT_SECONDS", "0", "greater than 0"),
        ("GODKEND_REMINDER_MAILS_PER_SECOND", "many", "valid number"),
        ("GODKEND_REGISTRY", "CVR", "'sample' or 'cvr'"),
        ("GODKEND_MAIL_RETRY_DELAYS_SECONDS", "[30, 1.5]", "valid integer"),
        ("GODKEND_MAIL_RETRY_DELAYS_SECONDS", "30,120", "Invalid JSON"),
    ],
)
def test_a_bad_value_in_the_environment_is_refused_with_its_name(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ValidationError, match=message) as refused:
        Settings()

    assert refused.value.errors()[0]["loc"][0] == variable.removeprefix("GODKEND_").lower()


def test_the_activation_key_is_never_printed() -> None:
    settings = Settings(stage="test", activation_key=FIXED_KEY)

    assert FIXED_KEY.get_secret_value() not in f"{settings!r} {settings} {settings.activation_key}"
    assert settings.activation_key.get_secret_value() == FIXED_KEY.get_secret_value()


def test_a_refused_stage_does_not_print_the_key_it_was_given(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a deployed stage's environment that wrongly holds the activation key itself
    monkeypatch.setenv("GODKEND_STAGE", "prod")
    monkeypatch.setenv("GODKEND_REGISTRY", "cvr")
    monkeypatch.setenv("GODKEND_ACTIVATION_KEY", "k3y")

    # When its settings are built, they are refused
    with pytest.raises(ValidationError, match="Secrets Manager") as refused:
        Settings()

    # Then the refusal, which ends up in the function's log, does not show the key
    assert "k3y" not in str(refused.value)
