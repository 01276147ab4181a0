"""One fixture chain: fake credentials and region -> mock_aws() -> tables -> user pool and mail sender ->
the service's dependency container -> the Chalice test client."""

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
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import boto3  # noqa: E402
import pytest  # noqa: E402
from chalice.test import Client  # noqa: E402
from moto import mock_aws  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from chalicelib.api.deps import Container, use_container  # noqa: E402
from chalicelib.clock import SystemClock  # noqa: E402
from chalicelib.settings import Settings  # noqa: E402
from infra.local.provision import (  # noqa: E402
    UserPool,
    create_messaging,
    create_tables,
    create_user_pool,
    verify_sender,
)
from tests.logs import CloudWatchLogs, captured  # noqa: E402
from tests.people import People  # noqa: E402

PROJECT_DIR = Path(__file__).resolve().parent.parent
TEST_ACTIVATION_KEY = "test-only-activation-key-not-a-secret-00001"


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def tables(aws: None) -> None:
    create_tables()
    create_messaging(
        boto3.client("sqs", region_name="eu-west-1"), boto3.client("sns", region_name="eu-west-1")
    )


@pytest.fixture
def cognito(aws: None) -> Any:
    return boto3.client("cognito-idp", region_name="eu-west-1")


@pytest.fixture
def pool(cognito: Any) -> UserPool:
    return create_user_pool(cognito, "godkend-test")


@pytest.fixture
def settings(pool: UserPool) -> Settings:
    settings = Settings(
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
    verify_sender(boto3.client("ses", region_name="eu-west-1"), settings.mail_sender)
    return settings


@pytest.fixture
def container(settings: Settings, tables: None) -> Iterator[Container]:
    built = Container(settings=settings, clock=SystemClock())
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
