"""Configuration, parsed once from the environment into a small typed object.

Per-stage values live in `.chalice/config.json`; the local stack and the tests set the rest (the emulator's
endpoint, the user pool it created) in the process environment.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from chalicelib.environment import (
    DEFAULT_REGION,
    DEFAULT_TABLE_PREFIX,
    STAFF_GROUP,
    aws_region,
    resource_name,
    table_name,
)

__all__ = [
    "DEFAULT_REGION",
    "DEFAULT_TABLE_PREFIX",
    "STAFF_GROUP",
    "Settings",
    "aws_region",
    "get_settings",
    "resource_name",
    "table_name",
]
# An origin as browsers send it: scheme, host and an optional port; no path, no trailing slash.
ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$")
LOOPBACK_STAGES = frozenset({"local", "test"})
# The stages that run on this machine. Only they may name companies from the sample register (whose letters go
# to invented `.example` mailboxes) or hash activation codes with a fixed key from their configuration; every
# other stage proves companies against the CVR register and reads the key from Secrets Manager.
LOCAL_STAGES = frozenset({"local", "test"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GODKEND_", frozen=True, extra="ignore")

    stage: str = "local"
    region: str = Field(
        default=DEFAULT_REGION,
        validation_alias=AliasChoices("GODKEND_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"),
    )
    table_prefix: str = DEFAULT_TABLE_PREFIX
    cognito_user_pool_id: str = ""
    cognito_client_id: str = ""
    # Where the pool's signing keys are published. Derived from the region and pool in AWS; the local stack
    # points it at the emulator, whose tokens still name the real Cognito host as issuer.
    cognito_jwks_url: str = ""
    staff_group: str = STAFF_GROUP
    mail_sender: str = "Godkend <noreply@godkend.dk>"
    # Delivery attempts before a mail is parked for staff, and the waits between them.
    mail_max_attempts: int = 5
    mail_retry_delays_seconds: tuple[int, ...] = (30, 120, 480, 900)
    # Local stack only: a copy of every mail sent is written here as an .eml file.
    mail_archive_dir: str = ""
    ses_configuration_set: str = ""
    # The key activation codes are hashed with (HMAC-SHA256). Local and test stages get a fixed value from
    # .chalice/config.json; dev and prod name the Secrets Manager secret that holds it (its ARN, from the
    # template), read when first needed and never put in the environment. Without either, no application
    # is accepted.
    activation_key: SecretStr = SecretStr("")
    activation_key_secret: str = ""
    # Which company register the activation letter's address comes from: `sample` reads the sample
    # companies in chalicelib/adapters/registry_sample.json (or `registry_file`), in the local and test
    # stages only; dev and prod set `cvr` in .chalice/config.json. See docs/onboarding.md.
    registry: Literal["sample", "cvr"] = "sample"
    registry_file: str = ""
    # `cvr`: the Danish Business Authority's search API; its user name and password are a Secrets Manager
    # secret `{"username": ..., "password": ...}`, read when first needed. A slower answer is a 503.
    cvr_secret_id: str = ""
    cvr_url: str = ""
    cvr_timeout_seconds: float = Field(default=3.0, gt=0, le=10)
    # Letters to one CVR's official mailbox: at most one per this many seconds; what is asked for meanwhile
    # is gathered into the next letter (chalicelib/services/onboarding/mailboxes.py). The wait, the sender's
    # period and delivery must stay well inside the 2-hour promise, hence at most 90 minutes.
    letter_interval_seconds: int = Field(default=3600, ge=1, le=5400)
    # Anonymous applications per source address, in sliding windows
    # (chalicelib/services/onboarding/caller_limits.py).
    applications_per_caller_per_hour: int = Field(default=5, ge=1)
    applications_per_caller_per_day: int = Field(default=20, ge=1)
    # Guessing codes: a vendor whose failed checks reach this many in a sliding window of this many
    # seconds is answered 429 until the estimate falls below it again
    # (chalicelib/services/vendors/failure_limit.py).
    validation_failure_limit: int = Field(default=20, ge=1)
    validation_failure_window_seconds: int = Field(default=300, ge=1)
    # How long a vendor's receipt (its evidence of a check) is kept, in years after the check.
    receipt_retention_years: int = Field(default=5, ge=1, le=10)
    # Expiry reminders: code ids per message on the reminders queue (ten such messages go in one
    # SendMessageBatch, which takes 256 KB), and the share of SES's per-second sending quota the reminders
    # may take (the rest is kept for letters, new codes and invitations).
    reminder_chunk_size: int = Field(default=100, ge=1, le=500)
    reminder_mails_per_second: float = Field(default=10.0, gt=0)
    # The web console's origins, which alone may call the API from a browser (CORS;
    # chalicelib/api/http/cors.py). In the environment a comma-separated list; `make run` sets its console's,
    # infra/package.py the stage's CloudFront domain. Empty: no browser page may.
    console_origins: Annotated[tuple[str, ...], NoDecode] = ()
    # Webhooks (chalicelib/services/webhooks/delivery.py): how long one attempt may take, the first wait
    # before a retry (each later wait is four times the one before, up to `webhook_retry_max_seconds`),
    # and for how long a delivery is retried before it is parked and the endpoint paused.
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=10)
    webhook_retry_base_seconds: int = Field(default=30, ge=0)
    webhook_retry_max_seconds: int = Field(default=4 * 3600, ge=0)
    webhook_retry_window_seconds: int = Field(default=24 * 3600, ge=1)
    # After a rotation the old signing secret still signs (a second `v1=`) for this long.
    webhook_secret_overlap_seconds: int = Field(default=24 * 3600, ge=0)
    # The feed shows an event once it is this old, so that a cursor kept at the end of the feed cannot have
    # an event written a moment earlier (but not yet in the index) slip in behind it.
    webhook_feed_settle_seconds: int = Field(default=2, ge=0, le=60)
    # CloudWatch metrics (Powertools, embedded metric format): the namespace Lambda's configuration names.
    metrics_namespace: str = Field(
        default="Godkend", validation_alias=AliasChoices("POWERTOOLS_METRICS_NAMESPACE")
    )

    @field_validator("console_origins", mode="before")
    @classmethod
    def _origin_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        for origin in value:
            if not isinstance(origin, str) or not ORIGIN.match(origin):
                raise ValueError(f"not an origin (scheme://host[:port], lower case, no path): {origin!r}")
        return value

    @model_validator(mode="after")
    def _deployed_stages_use_the_real_register_and_key(self) -> Settings:
        if self.stage in LOCAL_STAGES:
            return self
        if self.registry == "sample":
            raise ValueError(
                f"stage {self.stage!r} must prove companies against the CVR register (GODKEND_REGISTRY=cvr); "
                "the sample register is for the local and test stages only"
            )
        if self.activation_key.get_secret_value():
            raise ValueError(
                f"stage {self.stage!r} must read the activation key from Secrets Manager "
                "(GODKEND_ACTIVATION_KEY_SECRET), not from GODKEND_ACTIVATION_KEY"
            )
        return self

    @property
    def webhooks_may_use_loopback(self) -> bool:
        """`http://127.0.0.1[:port]` endpoints: only where the listener runs on this machine. In AWS an
        endpoint is https on a public address."""
        return self.stage in LOOPBACK_STAGES

    @property
    def cognito_issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.cognito_user_pool_id}"

    @property
    def jwks_url(self) -> str:
        return self.cognito_jwks_url or f"{self.cognito_issuer}/.well-known/jwks.json"


@cache
def get_settings() -> Settings:
    return Settings()
