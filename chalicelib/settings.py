"""Configuration, parsed once from the environment into a small typed object.

Per-stage values live in `.chalice/config.json`; the local stack and the tests set the rest (the emulator's
endpoint, the user pool it created) in the process environment.

Each setting is read from `GODKEND_<NAME>` (any case), unless it names other variables, and a keyword
argument overrides the environment. Parsed by hand rather than by pydantic-settings: every function's first
invocation builds these settings, and pydantic-settings (with pydantic) took it about 100 ms
(docs/performance.md#cold-start). A bad value is refused as pydantic refused it, with a
`pydantic.ValidationError` (whose import only a bad value pays for).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
from functools import cache
from typing import Any, Literal, NoReturn

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
    "SecretStr",
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
# What pydantic accepted for a number given as text: ASCII digits, an optional sign, underscores between
# digits, spaces around; an integer may end in `.0`.
INTEGER = re.compile(r"[+-]?[0-9](?:_?[0-9])*(?:\.0+)?")
_DIGITS = r"[0-9](?:_?[0-9])*"
NUMBER = re.compile(
    rf"[+-]?(?:(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:e[+-]?{_DIGITS})?|inf|infinity|nan)",
    re.IGNORECASE,
)


class SecretStr:
    """A value never printed: its repr and str show stars, as pydantic's `SecretStr` does (a setting given
    one of pydantic's takes its value)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"SecretStr({str(self)!r})"

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class Refused(Exception):
    """One field's value refused: pydantic's error type, message context and the input."""

    def __init__(self, kind: str, value: Any, **context: Any) -> None:
        super().__init__(kind)
        self.kind, self.value, self.context = kind, value, context
        self.loc: tuple[int, ...] = ()


class _Json(str):
    """A variable's text that holds JSON (a list), decoded when checked."""

    __slots__ = ()


NO_SECRET = SecretStr("")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise Refused("string_type", value)
    return value


def _integer(value: Any) -> int:
    if isinstance(value, int):  # a bool too, as pydantic took it
        return int(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise Refused("int_from_float", value)
        return int(value)
    if not isinstance(value, str):
        raise Refused("int_type", value)
    text = value.strip()
    if not INTEGER.fullmatch(text):
        raise Refused("int_parsing", value)
    return int(text.partition(".")[0])


def _number(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        raise Refused("float_type", value)
    text = value.strip()
    if not NUMBER.fullmatch(text):
        raise Refused("float_parsing", value)
    return float(text)


def _integers(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list | tuple):
        raise Refused("tuple_type", value)
    found = []
    for index, item in enumerate(value):
        try:
            found.append(_integer(item))
        except Refused as refused:
            refused.loc = (index,)
            raise
    return tuple(found)


def _secret(value: Any) -> SecretStr:
    if isinstance(value, SecretStr):
        return value
    if isinstance(value, str):
        return SecretStr(value)
    # pydantic's own SecretStr, as a caller may still give it
    reveal = getattr(value, "get_secret_value", None)
    if callable(reveal) and isinstance(secret := reveal(), str):
        return SecretStr(secret)
    raise Refused("string_type", value)


def _one_of(*choices: str) -> Callable[[Any], str]:
    expected = " or ".join(repr(choice) for choice in choices)

    def parse(value: Any) -> str:
        if value not in choices:
            raise Refused("literal_error", value, expected=expected)
        return str(value)

    return parse


def _origins(value: Any) -> tuple[str, ...]:
    """A comma-separated list in the environment; a tuple as a keyword."""
    origins = (
        tuple(part.strip() for part in value.split(",") if part.strip()) if isinstance(value, str) else value
    )
    if not isinstance(origins, list | tuple):
        raise Refused("tuple_type", value)
    for origin in origins:
        if not isinstance(origin, str) or not ORIGIN.match(origin):
            message = f"not an origin (scheme://host[:port], lower case, no path): {origin!r}"
            raise Refused("value_error", value, error=ValueError(message))
    return tuple(origins)


# In the order pydantic checks them (which decides the error NaN gets).
BOUNDS: dict[str, tuple[str, Callable[[Any, Any], bool]]] = {
    "le": ("less_than_equal", lambda value, bound: value <= bound),
    "ge": ("greater_than_equal", lambda value, bound: value >= bound),
    "gt": ("greater_than", lambda value, bound: value > bound),
}


def setting(
    default: Any,
    parse: Callable[[Any], Any] = _text,
    *,
    env: tuple[str, ...] = (),
    json_in_env: bool = False,
    **bounds: float,
) -> Any:
    """A field of `Settings`: its default, how a value is parsed and checked, and the variables it is read
    from (`GODKEND_<NAME>` unless named). A list in the environment is JSON (`json_in_env`), as
    pydantic-settings read it."""
    return field(
        default=default, metadata={"parse": parse, "env": env, "json": json_in_env, "bounds": bounds}
    )


def _refuse(errors: list[dict[str, Any]]) -> NoReturn:
    from pydantic_core import ValidationError

    raise ValidationError.from_exception_data("Settings", errors)  # type: ignore[arg-type]


@dataclass(frozen=True, init=False)
class Settings:
    stage: str = setting("local")
    region: str = setting(DEFAULT_REGION, env=("GODKEND_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"))
    table_prefix: str = setting(DEFAULT_TABLE_PREFIX)
    cognito_user_pool_id: str = setting("")
    cognito_client_id: str = setting("")
    # Where the pool's signing keys are published. Derived from the region and pool in AWS; the local stack
    # points it at the emulator, whose tokens still name the real Cognito host as issuer.
    cognito_jwks_url: str = setting("")
    staff_group: str = setting(STAFF_GROUP)
    mail_sender: str = setting("Godkend <noreply@godkend.dk>")
    # Delivery attempts before a mail is parked for staff, and the waits between them.
    mail_max_attempts: int = setting(5, _integer)
    mail_retry_delays_seconds: tuple[int, ...] = setting((30, 120, 480, 900), _integers, json_in_env=True)
    # Who a person reaches for help: every mail ends with it, as the console's footer does. Each deployed
    # stage names its own in .chalice/config.json (infra/package.py refuses a stage without); these are the
    # local stack's (infra/local/console.py).
    support_email: str = setting("support@godkend.example")
    support_phone: str = setting("+45 70 00 00 00")
    support_hours_da: str = setting("hverdage 9-16")
    support_hours_en: str = setting("weekdays 9am-4pm")
    # Local stack only: a copy of every mail sent is written here as an .eml file.
    mail_archive_dir: str = setting("")
    ses_configuration_set: str = setting("")
    # The key activation codes are hashed with (HMAC-SHA256). Local and test stages get a fixed value from
    # .chalice/config.json; dev and prod name the Secrets Manager secret that holds it (its ARN, from the
    # template), read when first needed and never put in the environment. Without either, no application
    # is accepted.
    activation_key: SecretStr = setting(NO_SECRET, _secret)  # noqa: RUF009 (a dataclass field, not a shared default)
    activation_key_secret: str = setting("")
    # Which company register the activation letter's address comes from: `sample` reads the sample
    # companies in chalicelib/adapters/registry_sample.json (or `registry_file`), in the local and test
    # stages only; dev and prod set `cvr` in .chalice/config.json. See docs/onboarding.md.
    registry: Literal["sample", "cvr"] = setting("sample", _one_of("sample", "cvr"))
    registry_file: str = setting("")
    # `cvr`: the Danish Business Authority's search API; its user name and password are a Secrets Manager
    # secret `{"username": ..., "password": ...}`, read when first needed. A slower answer is a 503.
    cvr_secret_id: str = setting("")
    cvr_url: str = setting("")
    cvr_timeout_seconds: float = setting(3.0, _number, gt=0.0, le=10.0)
    # Letters to one CVR's official mailbox: at most one per this many seconds; what is asked for meanwhile
    # is gathered into the next letter (chalicelib/services/onboarding/mailboxes.py). The wait, the sender's
    # period and delivery must stay well inside the 2-hour promise, hence at most 90 minutes.
    letter_interval_seconds: int = setting(3600, _integer, ge=1, le=5400)
    # Anonymous applications per source address, in sliding windows
    # (chalicelib/services/onboarding/caller_limits.py).
    applications_per_caller_per_hour: int = setting(5, _integer, ge=1)
    applications_per_caller_per_day: int = setting(20, _integer, ge=1)
    # Anonymous support cases per source address, the same way
    # (chalicelib/services/onboarding/support_cases.py).
    support_cases_per_caller_per_hour: int = setting(5, _integer, ge=1)
    support_cases_per_caller_per_day: int = setting(20, _integer, ge=1)
    # Sign-ins (and Glemt adgangskode?) with an e-mail address, per source address and per e-mail address in
    # a sliding hour (chalicelib/services/access/sign_in_names.py).
    sign_ins_per_caller_per_hour: int = setting(30, _integer, ge=1)
    sign_ins_per_address_per_hour: int = setting(10, _integer, ge=1)
    # Guessing codes: a vendor whose failed checks reach this many in a sliding window of this many
    # seconds is answered 429 until the estimate falls below it again
    # (chalicelib/services/vendors/failure_limit.py).
    validation_failure_limit: int = setting(20, _integer, ge=1)
    validation_failure_window_seconds: int = setting(300, _integer, ge=1)
    # Codes one source address may try on the hosted check's page in a sliding hour, right or wrong: far
    # below the vendor's failure limit, so no one caller can use it up
    # (chalicelib/services/vendors/hosted_checks.py).
    hosted_check_codes_per_caller_per_hour: int = setting(10, _integer, ge=1)
    # Codes that are not valid one hosted check takes, from whichever addresses, before it ends as failed
    # (chalicelib/services/vendors/hosted_checks.py): a caller changing address cannot go on guessing.
    hosted_check_wrong_codes_per_check: int = setting(5, _integer, ge=1)
    # How long a vendor's receipt (its evidence of a check) is kept, in years after the check.
    receipt_retention_years: int = setting(5, _integer, ge=1, le=10)
    # The Secrets Manager secret (name or ARN) holding the key set receipts are signed with
    # (chalicelib/services/vendors/receipt_keys.py), and the `iss` of every receipt: the stage's API address.
    receipt_keys_secret: str = setting("")
    receipt_issuer: str = setting("https://api.godkend.dk")
    # Expiry reminders: code ids per message on the reminders queue (ten such messages go in one
    # SendMessageBatch, which takes 256 KB), and the share of SES's per-second sending quota the reminders
    # may take (the rest is kept for letters, new codes and invitations).
    reminder_chunk_size: int = setting(100, _integer, ge=1, le=500)
    reminder_mails_per_second: float = setting(10.0, _number, gt=0.0)
    # The web console's origins, which alone may call the API from a browser (CORS;
    # chalicelib/api/http/cors.py). In the environment a comma-separated list; `make run` sets its console's,
    # infra/package.py the stage's CloudFront domain. Empty: no browser page may.
    console_origins: tuple[str, ...] = setting((), _origins)
    # Webhooks (chalicelib/services/webhooks/delivery.py): how long one attempt may take, the first wait
    # before a retry (each later wait is four times the one before, up to `webhook_retry_max_seconds`),
    # and for how long a delivery is retried before it is parked and the endpoint paused.
    webhook_timeout_seconds: float = setting(5.0, _number, gt=0.0, le=10.0)
    webhook_retry_base_seconds: int = setting(30, _integer, ge=0)
    webhook_retry_max_seconds: int = setting(4 * 3600, _integer, ge=0)
    webhook_retry_window_seconds: int = setting(24 * 3600, _integer, ge=1)
    # After a rotation the old signing secret still signs (a second `v1=`) for this long.
    webhook_secret_overlap_seconds: int = setting(24 * 3600, _integer, ge=0)
    # The feed shows an event once it is this old, so that a cursor kept at the end of the feed cannot have
    # an event written a moment earlier (but not yet in the index) slip in behind it.
    webhook_feed_settle_seconds: int = setting(2, _integer, ge=0, le=60)
    # Test events a vendor's people may send from the vendor console per hour (each is a post to the vendor's
    # server; chalicelib/services/webhooks/console.py).
    webhook_tests_per_vendor_per_hour: int = setting(20, _integer, ge=1)
    # Invitation mails (new and sent again) per inviting person, and per organisation or vendor, in a sliding
    # day (chalicelib/services/people/invitation_limits.py): bounds no honest administrator meets.
    invitations_per_person_per_day: int = setting(50, _integer, ge=1)
    invitations_per_group_per_day: int = setting(200, _integer, ge=1)
    # Events of a test key's hosted checks posted to a vendor's endpoint per hour; beyond, the check still
    # completes but its event is not sent (chalicelib/services/vendors/hosted_checks.py).
    test_check_events_per_vendor_per_hour: int = setting(20, _integer, ge=1)
    # CloudWatch metrics (Powertools, embedded metric format): the namespace Lambda's configuration names.
    metrics_namespace: str = setting("Godkend", env=("POWERTOOLS_METRICS_NAMESPACE",))

    def __init__(self, **given: Any) -> None:
        """Each setting from its keyword, else from the environment, else its default; unknown keywords are
        ignored. Every value refused is named in one `pydantic.ValidationError`."""
        environment = {name.lower(): value for name, value in os.environ.items()}
        inputs: dict[str, Any] = {}
        errors: list[dict[str, Any]] = []
        for spec in fields(self):
            value = given.get(spec.name, MISSING)
            if value is MISSING:
                value = _from_environment(spec, environment)
            if value is MISSING:
                object.__setattr__(self, spec.name, spec.default)
                continue
            try:
                checked = _checked(value, spec.metadata)
            except Refused as refused:
                errors.append(_error(spec.name, refused))
                continue
            object.__setattr__(self, spec.name, checked)
            # What a refusal below shows of the input: a secret as stars.
            inputs[spec.name] = checked if isinstance(checked, SecretStr) else value
        if errors:
            _refuse(errors)
        problem = self._deployed_stage_problem()
        if problem:
            _refuse(
                [{"type": "value_error", "loc": (), "input": inputs, "ctx": {"error": ValueError(problem)}}]
            )

    def _deployed_stage_problem(self) -> str | None:
        """Deployed stages use the real register and the key from Secrets Manager."""
        if self.stage in LOCAL_STAGES:
            return None
        if self.registry == "sample":
            return (
                f"stage {self.stage!r} must prove companies against the CVR register (GODKEND_REGISTRY=cvr); "
                "the sample register is for the local and test stages only"
            )
        if self.activation_key.get_secret_value():
            return (
                f"stage {self.stage!r} must read the activation key from Secrets Manager "
                "(GODKEND_ACTIVATION_KEY_SECRET), not from GODKEND_ACTIVATION_KEY"
            )
        return None

    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> Settings:
        """These settings with some changed (checked like any others), as pydantic's models are copied."""
        return Settings(
            **{**{spec.name: getattr(self, spec.name) for spec in fields(self)}, **(update or {})}
        )

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


def _from_environment(spec: Field[Any], environment: Mapping[str, str]) -> Any:
    """The first of the setting's variables that is set, or MISSING."""
    for name in spec.metadata["env"] or (f"GODKEND_{spec.name}",):
        if name.lower() in environment:
            text = environment[name.lower()]
            return _Json(text) if spec.metadata["json"] else text
    return MISSING


def _checked(value: Any, spec: Mapping[str, Any]) -> Any:
    if isinstance(value, _Json):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise Refused("json_invalid", str(value), error=str(error)) from None
    parsed = spec["parse"](value)
    for name, (kind, holds) in BOUNDS.items():
        bound = spec["bounds"].get(name)
        if bound is not None and not holds(parsed, bound):
            raise Refused(kind, value, **{name: bound})
    return parsed


def _error(name: str, refused: Refused) -> dict[str, Any]:
    error = {"type": refused.kind, "loc": (name, *refused.loc), "input": refused.value}
    return {**error, "ctx": refused.context} if refused.context else error


@cache
def get_settings() -> Settings:
    return Settings()
