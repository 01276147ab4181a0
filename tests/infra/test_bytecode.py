"""The deployment package holds each module's bytecode, which Lambda's Python uses as it is: a cold start
compiles no module from source, neither ours nor a dependency's (infra/bytecode.py)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from infra.bytecode import UNCHECKED_HASH, bytecode_path

pytestmark = pytest.mark.infra


def test_every_module_of_the_package_has_its_bytecode_beside_it(packaged_prod: Path) -> None:
    # Given the package of a deployed stage
    with zipfile.ZipFile(packaged_prod.parent / "deployment.zip") as package:
        names = set(package.namelist())
        modules = [name for name in names if name.endswith(".py")]

        # Then each module of ours and of every dependency has a pyc of this Python beside it, hash-based
        # and unchecked (its header names the source it was compiled from, not the source's timestamp)
        for name in ("app.py", "chalicelib/container.py", "boto3/__init__.py", "pydantic/main.py"):
            assert name in modules
        missing = [name for name in modules if bytecode_path(name) not in names]
        assert len(missing) < len(modules) / 100, missing[:10]  # only files that are not Python 3.13
        for name in ("app.py", "chalicelib/container.py", "botocore/client.py"):
            pyc = package.read(bytecode_path(name))
            assert pyc[:4] == importlib.util.MAGIC_NUMBER
            assert int.from_bytes(pyc[4:8], "little") == UNCHECKED_HASH
            assert pyc[8:16] == importlib.util.source_hash(package.read(name))


def test_a_cold_start_from_the_package_compiles_nothing(packaged_prod: Path, tmp_path: Path) -> None:
    # Given the package unpacked, its files' timestamps not those they were compiled with (as in Lambda)
    with zipfile.ZipFile(packaged_prod.parent / "deployment.zip") as package:
        package.extractall(tmp_path)
    for source in tmp_path.rglob("*.py"):
        os.utime(source, (1_000_000_000, 1_000_000_000))

    # When a fresh interpreter imports the app from it, writing no bytecode of its own
    probe = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import app"
    finished = subprocess.run(  # noqa: S603
        [sys.executable, "-I", "-v", "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONDONTWRITEBYTECODE": "1", "AWS_DEFAULT_REGION": "eu-west-1"},
    )

    # Then every module of the package it loaded came from its bytecode
    loaded = [line for line in finished.stderr.splitlines() if line.startswith("# code object from")]
    from_package = [line for line in loaded if str(tmp_path) in line]
    assert any("chalicelib" in line for line in from_package)
    assert all("__pycache__" in line for line in from_package), [
        line for line in from_package if "__pycache__" not in line
    ][:5]
