"""The deployment package holds the light path's generated schemas (chalicelib/api/http/light.py), as the
repository has them: without them every body and answer would go through pydantic, right but slow."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from chalicelib.api.http import light

pytestmark = pytest.mark.infra


def test_the_package_holds_the_generated_schemas_as_the_repository_has_them(packaged_prod: Path) -> None:
    # Given the package of a deployed stage, and the generated schemas of the repository
    generated = sorted(Path(light.GENERATED).glob("*.json"))
    assert any(path.name == "chalicelib.api.schemas.validations.json" for path in generated)
    with zipfile.ZipFile(packaged_prod.parent / "deployment.zip") as package:
        # Then each is in the package, beside the module that reads it, byte for byte
        for path in generated:
            assert package.read(f"chalicelib/api/http/generated/{path.name}") == path.read_bytes()
