"""The packaged template of each deployed stage, built once per test session (packaging takes seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.package import package


@pytest.fixture(scope="session", params=["dev", "prod"])
def packaged(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    stage: str = request.param
    return stage, package(stage, tmp_path_factory.mktemp(f"package-{stage}"))
