"""Reading CloudFormation templates in the infra tests: resources by type, and the few intrinsic functions our
templates use, resolved against parameter values."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[2]
RESOURCES = PROJECT_DIR / "infra" / "resources.json"
CHALICE_CONFIG = PROJECT_DIR / ".chalice" / "config.json"

Template = dict[str, Any]


def load(path: Path = RESOURCES) -> Template:
    template: Template = json.loads(path.read_text())
    return template


def chalice_config() -> dict[str, Any]:
    config: dict[str, Any] = json.loads(CHALICE_CONFIG.read_text())
    return config


def stage_variables(stage: str) -> dict[str, str]:
    """The environment .chalice/config.json gives the stage's functions."""
    config = chalice_config()
    return {**config["environment_variables"], **config["stages"][stage]["environment_variables"]}


def stage_parameters(stage: str) -> dict[str, str]:
    """The template parameters as the stage is deployed: named after its GODKEND_TABLE_PREFIX."""
    return {"TablePrefix": stage_variables(stage)["GODKEND_TABLE_PREFIX"]}


def of_type(template: Template, resource_type: str) -> dict[str, Template]:
    return {name: r for name, r in template["Resources"].items() if r.get("Type") == resource_type}


def parameter_defaults(template: Template) -> dict[str, str]:
    return {name: p["Default"] for name, p in template.get("Parameters", {}).items() if "Default" in p}


def resolve(value: Any, parameters: dict[str, str]) -> Any:
    """`Ref` and `Fn::Sub` of template parameters, replaced by their values; anything else is left as it is,
    so a reference to a resource stays visible as one."""
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in parameters:
        return parameters[value["Ref"]]
    if isinstance(value, dict) and set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        text = value["Fn::Sub"]
        names = set(re.findall(r"\$\{([^}]+)\}", text))
        if names <= set(parameters):
            return re.sub(r"\$\{([^}]+)\}", lambda m: parameters[m.group(1)], text)
    return value
