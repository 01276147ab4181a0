"""checkov on the packaged prod template finds nothing that is not explained: each check skipped for a
resource is named in the template (`Metadata: checkov: skip`) with its reason, and any other finding fails.

checkov pins its own boto3 and others, so it lives in .venv-checkov (`make test` creates it from
requirements-checkov.txt)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.infra import templates

CHECKOV = templates.PROJECT_DIR / ".venv-checkov" / "bin" / "checkov"


@pytest.mark.infra
def test_checkov_finds_nothing_unexplained_in_the_prod_template(packaged_prod: Path) -> None:
    template = packaged_prod
    assert CHECKOV.exists(), (
        "checkov is missing: `make test` (or `make checkov`) installs it into .venv-checkov"
    )

    finished = subprocess.run(  # noqa: S603
        [str(CHECKOV), "-f", str(template), "--framework", "cloudformation", "-o", "json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    report = json.loads(finished.stdout)
    results = report["results"]

    failed = [f"{f['check_id']} {f['resource']}: {f['check_name']}" for f in results["failed_checks"]]
    assert failed == []
    assert report["summary"]["parsing_errors"] == 0
    assert results["passed_checks"]
    for skipped in results["skipped_checks"]:
        assert skipped["check_result"]["suppress_comment"], (skipped["check_id"], skipped["resource"])
