"""A stage that does not run on this machine refuses to start with what only the machine's stages may use: the
sample register (invented companies, letters to `.example` mailboxes) and a fixed activation key from its
configuration. Each stage as really configured is pinned in tests/infra/test_stage_settings.py."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from chalicelib.settings import Settings

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
