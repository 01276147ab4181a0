"""Builds the deployable CloudFormation (SAM) template of one stage.

`chalice package` generates the functions, their roles and the REST API; `infra/resources.json` is merged
into that template and adds the tables, the user pool, the queues, the ops topic and API Gateway's own error
answers; `infra/console.py` adds the web console's hosting (S3 behind CloudFront) for the stage's console
origin. Then `infra/operations.py` gives every function of the result its own least-privilege role (from
`infra/policies.json`), log group, failure destinations, alarms and concurrency parameter, and the stage's
parameter defaults come from `infra/parameters.json`. `infra/bytecode.py` adds each module's bytecode to
the deployment package, so that a cold start does not compile Python.

    python -m infra.package --stage dev --out build/dev
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from chalicelib.settings import DEFAULT_REGION
from infra.bytecode import add_bytecode
from infra.console import ConsoleConfigError, console_hosts, hosting_template, support_contact
from infra.operations import OperationsError, complete

PROJECT_DIR = Path(__file__).resolve().parent.parent
CHALICE_CONFIG = PROJECT_DIR / ".chalice" / "config.json"
RESOURCES = PROJECT_DIR / "infra" / "resources.json"
POLICIES = PROJECT_DIR / "infra" / "policies.json"
PARAMETERS = PROJECT_DIR / "infra" / "parameters.json"
TABLE_PREFIX_PARAMETER = "TablePrefix"


class PackagingFailed(Exception):
    """Said to the person running the command in one line, without a traceback."""


def stages() -> dict[str, Any]:
    return dict(json.loads(CHALICE_CONFIG.read_text())["stages"])


def stage_variables(stage: str) -> dict[str, str]:
    config = json.loads(CHALICE_CONFIG.read_text())
    return {**config.get("environment_variables", {}), **_stage(stage).get("environment_variables", {})}


def table_prefix(stage: str) -> str:
    """GODKEND_TABLE_PREFIX of the stage, which the function reads and the tables must be named after."""
    prefix = stage_variables(stage).get("GODKEND_TABLE_PREFIX")
    if not prefix:
        raise PackagingFailed(f"stage {stage!r} sets no GODKEND_TABLE_PREFIX in {_relative(CHALICE_CONFIG)}")
    return str(prefix)


def merge_template(stage: str) -> dict[str, Any]:
    """`infra/resources.json` with the stage's table prefix as the parameter's default, so that deploying the
    template as it is names the tables what the function expects."""
    template: dict[str, Any] = json.loads(RESOURCES.read_text())
    template["Parameters"][TABLE_PREFIX_PARAMETER]["Default"] = table_prefix(stage)
    for name, value in stage_parameters(stage).items():
        template["Parameters"][name]["Default"] = value
    origins = console_origins(stage)
    api_stage = str(_stage(stage).get("api_gateway_stage", "api"))
    for section, entries in hosting_template(origins, console_support(stage), api_stage).items():
        template.setdefault(section, {}).update(entries)
    _name_origin_in_gateway_responses(template, origins)
    return template


def stage_parameters(stage: str) -> dict[str, Any]:
    """The stage's defaults from infra/parameters.json (its mail domain)."""
    defaults: dict[str, Any] = json.loads(PARAMETERS.read_text()).get(stage, {})
    return defaults


def reserved_concurrency(stage: str) -> dict[str, int]:
    """The stage's production figures (`reserved_concurrency` in .chalice/config.json), per function."""
    functions = _stage(stage).get("lambda_functions", {})
    return {
        name: int(f["reserved_concurrency"]) for name, f in functions.items() if "reserved_concurrency" in f
    }


def finish(stage: str, sam: Path) -> None:
    """Completes Chalice's template in place (infra/operations.py)."""
    template = json.loads(sam.read_text())
    try:
        complete(template, json.loads(POLICIES.read_text()), reserved_concurrency(stage))
    except OperationsError as failure:
        raise PackagingFailed(str(failure)) from failure
    sam.write_text(json.dumps(template, indent=2))


def console_origins(stage: str) -> list[str]:
    """GODKEND_CONSOLE_ORIGINS of the stage: the origins the API lets call it, where CloudFront serves the
    console."""
    configured = stage_variables(stage).get("GODKEND_CONSOLE_ORIGINS", "")
    origins = [origin.strip() for origin in configured.split(",") if origin.strip()]
    try:
        console_hosts(origins)
    except ConsoleConfigError as problem:
        raise PackagingFailed(f"stage {stage!r}: {problem} ({_relative(CHALICE_CONFIG)})") from problem
    return origins


def console_support(stage: str) -> dict[str, Any]:
    """The support contact the stage's console names (GODKEND_SUPPORT_* of the stage)."""
    try:
        return support_contact(stage_variables(stage))
    except ConsoleConfigError as problem:
        raise PackagingFailed(f"stage {stage!r}: {problem} ({_relative(CHALICE_CONFIG)})") from problem


def _name_origin_in_gateway_responses(template: dict[str, Any], origins: list[str]) -> None:
    # API Gateway's own errors (throttling, timeouts) never reach the function's CORS middleware. A gateway
    # response can name only one fixed origin, so it does when the stage has one; otherwise the browser sees
    # such an error as a failed request rather than its problem+json.
    if len(origins) != 1:
        return
    definition = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    for response in definition.get("x-amazon-apigateway-gateway-responses", {}).values():
        parameters = response.setdefault("responseParameters", {})
        parameters["gatewayresponse.header.Access-Control-Allow-Origin"] = f"'{origins[0]}'"
        parameters["gatewayresponse.header.Vary"] = "'Origin'"


def package(stage: str, out: Path) -> Path:
    """Package the stage into `out` (deployment.zip and sam.json); answers the path of sam.json."""
    _stage(stage)
    out = out.resolve()
    chalice = _chalice()
    _generate_light_schemas()
    with tempfile.TemporaryDirectory(prefix="godkend-package-") as scratch:
        merge = Path(scratch) / "resources.json"
        merge.write_text(json.dumps(merge_template(stage), indent=2))
        command = [chalice, "package", "--stage", stage, "--merge-template", str(merge), str(out)]
        finished = subprocess.run(command, cwd=PROJECT_DIR, env=_environment(), check=False)  # noqa: S603
    if finished.returncode != 0:
        raise PackagingFailed(f"chalice package failed for stage {stage!r} (exit {finished.returncode})")
    add_bytecode(out / "deployment.zip")
    finish(stage, out / "sam.json")
    return out / "sam.json"


def _generate_light_schemas() -> None:
    # The light path's schemas, generated from the routes' models as they are now, so that no package ships
    # stale ones (chalicelib/api/http/light_build.py; run in its own interpreter, as the HTTP layer is not
    # infra's to import).
    command = [sys.executable, "-m", "chalicelib.api.http.light_build"]
    finished = subprocess.run(command, cwd=PROJECT_DIR, env=_environment(), check=False)  # noqa: S603
    if finished.returncode != 0:
        raise PackagingFailed(f"generating the light path's schemas failed (exit {finished.returncode})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.package", description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True, help="a stage of .chalice/config.json, e.g. dev or prod")
    parser.add_argument("--out", required=True, type=Path, help="directory for sam.json and deployment.zip")
    arguments = parser.parse_args(argv)
    try:
        template = package(arguments.stage, arguments.out)
    except PackagingFailed as failure:
        print(f"infra.package: {failure}", file=sys.stderr)
        return 2
    print(f"Template for stage {arguments.stage}: {template}")
    return 0


def _stage(stage: str) -> dict[str, Any]:
    # Chalice itself packages an unknown stage without complaint, from the top-level configuration alone: no
    # table prefix, no stage policy. Refuse it here instead.
    known = stages()
    if stage not in known:
        defined = ", ".join(known)
        raise PackagingFailed(f"unknown stage {stage!r}; {_relative(CHALICE_CONFIG)} defines {defined}")
    return dict(known[stage])


def _chalice() -> str:
    beside_python = Path(sys.executable).with_name("chalice")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("chalice")
    if found is None:
        raise PackagingFailed("chalice is not installed; run `make setup`")
    return found


def _environment() -> dict[str, str]:
    # Chalice refuses to package without a region, though the template names none: it uses ${AWS::Region}.
    environment = dict(os.environ)
    if not environment.get("AWS_DEFAULT_REGION"):
        environment["AWS_DEFAULT_REGION"] = environment.get("AWS_REGION") or DEFAULT_REGION
    return environment


def _relative(path: Path) -> str:
    return str(path.relative_to(PROJECT_DIR))


if __name__ == "__main__":
    sys.exit(main())
