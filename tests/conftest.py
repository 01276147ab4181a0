"""One fixture chain: fake credentials and region -> the emulated AWS, built once per test process
(tests/world.py) -> tables, user pool and mail sender, emptied after each test -> the service's dependency
container -> the Chalice test client. Two guards fail a test that leaves something behind for the next: one
for the emulated AWS (`aws`), one for the process (`process_state`)."""

from __future__ import annotations

import os

# Before anything imports the models: table names and regions are read at import time. Tests never talk to
# a running local stack or to AWS, whatever the shell exported.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="eu-west-1",
    AWS_REGION="eu-west-1",
    AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
    GODKEND_TABLE_PREFIX="godkend-test",
    MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP="true",
)
for leaked in (
    "AWS_ENDPOINT_URL",
    "AWS_PROFILE",
    "GODKEND_COGNITO_USER_POOL_ID",
    "GODKEND_COGNITO_CLIENT_ID",
    "GODKEND_COGNITO_JWKS_URL",
):
    os.environ.pop(leaked, None)

# Before any botocore client exists: which function makes which AWS call (tests/test_least_privilege.py).
from tests import recorder  # noqa: E402
from tests.recorder import (  # noqa: E402, F401 - pytest hooks: what this process ran, for the check after it
    pytest_deselected,
    pytest_runtest_logfinish,
    pytest_sessionfinish,
)

recorder.install()

from collections.abc import Iterator  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from chalice.test import Client  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from chalicelib import container as composition  # noqa: E402 - the module, read for the container it holds
from chalicelib.clock import StepClock  # noqa: E402
from chalicelib.container import Container, use_container  # noqa: E402
from chalicelib.settings import Settings, get_settings  # noqa: E402
from infra.local.provision import UserPool  # noqa: E402
from tests import world as world_module  # noqa: E402
from tests.logs import CloudWatchLogs, captured  # noqa: E402
from tests.people import People  # noqa: E402
from tests.world import World  # noqa: E402

PROJECT_DIR = Path(__file__).resolve().parent.parent
TEST_ACTIVATION_KEY = "test-only-activation-key-not-a-secret-00001"
# Set by the frameworks, not by the tests: pytest names the running test and its phase; Chalice marks the
# process as Lambda's whenever an app is made (the app on first import, a test's own app each time).
FRAMEWORK_VARIABLES = frozenset({"PYTEST_CURRENT_TEST", "AWS_EXECUTION_ENV"})


@pytest.fixture(autouse=True)
def process_state() -> Iterator[None]:
    """Fails a test that leaves the process different for the next one: the environment, the service's
    dependency container (`use_container`; the `container` fixture puts it back after its test), or settings
    read from the environment and cached."""
    environment = dict(os.environ)
    settings_cached = get_settings.cache_info().currsize
    yield
    leaked = []
    now = dict(os.environ)
    for name in sorted((now.keys() | environment.keys()) - FRAMEWORK_VARIABLES):
        was = environment.get(name)
        if now.get(name) == was:
            continue
        leaked.append(f"environment variable {name} was {was!r}, is {now.get(name)!r}")
        if was is None:
            del os.environ[name]
        else:
            os.environ[name] = was
    # Read, not called: calling `composition.container()` would build one.
    if composition._container is not None:
        leaked.append(f"the dependency container is still swapped for {composition._container!r}")
        use_container(None)
    if get_settings.cache_info().currsize != settings_cached:
        leaked.append("settings were read from the environment and cached (`get_settings`)")
        get_settings.cache_clear()
    if leaked:
        pytest.fail(
            "this test left the process different for the next one:\n  " + "\n  ".join(leaked), pytrace=False
        )


@pytest.fixture(scope="session")
def emulated_aws() -> Iterator[World]:
    """The emulated AWS, built once per test process (tests/world.py); active only for tests that ask for
    `aws` (or a fixture that needs it)."""
    world = world_module.create()
    yield world
    world_module.discard()


@pytest.fixture
def aws(emulated_aws: World) -> Iterator[None]:
    """The world, emptied after the test; a test that leaves anything else behind fails (tests/world.py)."""
    with world_module.active(emulated_aws):
        yield
        world_module.reset(emulated_aws)
        leaked = world_module.leaks(emulated_aws)
        if leaked:
            world_module.rebuild(emulated_aws)
    if leaked:
        pytest.fail(
            "this test left the emulated AWS different from how it found it, beyond its data (which is "
            "emptied after each test); remove what it made or changed, or ask for `scratch`:\n  "
            + "\n  ".join(leaked),
            pytrace=False,
        )


@pytest.fixture
def scratch(aws: None, emulated_aws: World) -> Iterator[None]:
    """For a test that makes AWS resources of its own beside the world's (another user pool or app client, a
    table or queue of its own): they are removed after it. What it changes of the world's own is still a
    leak."""
    yield
    world_module.sweep_additions(emulated_aws)


@pytest.fixture
def tables(aws: None) -> None:
    """The tables, queues and topic: part of the world, empty at the start of each test."""


@pytest.fixture
def cognito(aws: None, emulated_aws: World) -> Any:
    return emulated_aws.cognito


@pytest.fixture
def pool(cognito: Any, emulated_aws: World) -> UserPool:
    return emulated_aws.pool


RECEIPT_ISSUER = "https://api.test.godkend.example"


@pytest.fixture
def receipt_keys(aws: None) -> str:
    """The stage's receipt key set in the emulated Secrets Manager (emptied after each test): its ARN, which
    differs from test to test, so no cached copy of an earlier test's key set is ever read."""
    import boto3

    from infra.local.provision import create_receipt_keys

    return create_receipt_keys(
        boto3.client("secretsmanager", region_name="eu-west-1"),
        "godkend-test/receipt-keys",
        datetime.now(UTC),
    )


@pytest.fixture
def settings(pool: UserPool, receipt_keys: str) -> Settings:
    return Settings(
        receipt_keys_secret=receipt_keys,
        receipt_issuer=RECEIPT_ISSUER,
        stage="test",
        region="eu-west-1",
        table_prefix="godkend-test",
        cognito_user_pool_id=pool.user_pool_id,
        cognito_client_id=pool.client_id,
        # Retries come at once in tests; the delays themselves are the retry queue's business.
        mail_retry_delays_seconds=(0, 0, 0, 0),
        mail_max_attempts=3,
        activation_key=SecretStr(TEST_ACTIVATION_KEY),
    )


@pytest.fixture
def container(settings: Settings, tables: None) -> Iterator[Container]:
    # Real time, which a test may step forward (`container.clock.step`) rather than wait for.
    built = Container(settings=settings, clock=StepClock())
    use_container(built)
    yield built
    use_container(None)


@pytest.fixture
def client(container: Container) -> Iterator[Client]:
    from app import app

    with Client(app, stage_name="test", project_dir=str(PROJECT_DIR)) as test_client:
        yield test_client


@pytest.fixture
def people(cognito: Any, pool: UserPool, container: Container) -> People:
    return People(cognito, pool)


@pytest.fixture
def logs() -> Iterator[CloudWatchLogs]:
    """Every line the service's loggers write while the test runs, as CloudWatch would receive it (JSON,
    `extra=` fields included; tests/logs.py)."""
    with captured() as lines:
        yield lines


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    # The least-privilege check reads what every other test recorded: it runs last.
    last = [item for item in items if item.get_closest_marker("after_all")]
    items[:] = [item for item in items if not item.get_closest_marker("after_all")] + last
