"""The packaged template of each deployed stage, built once per test session (packaging takes seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.package import package

_built: dict[str, Path] = {}


def packaged_stage(stage: str, factory: pytest.TempPathFactory) -> Path:
    if stage not in _built:
        _built[stage] = package(stage, factory.mktemp(f"package-{stage}"))
    return _built[stage]


@pytest.fixture(scope="session", params=["dev", "prod"])
def packaged(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    stage: str = request.param
    return stage, packaged_stage(stage, tmp_path_factory)


@pytest.fixture(scope="session")
def packaged_prod(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return packaged_stage("prod", tmp_path_factory)
