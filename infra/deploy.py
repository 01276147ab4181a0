"""Deploys a stage to AWS, or removes it: `make deploy STAGE=dev`, `make destroy STAGE=dev`.

    python -m infra.deploy deploy --stage dev [--bucket NAME] [--region eu-west-1] [--parameter KEY=VALUE ...]
    python -m infra.deploy deploy --stage prod --production-concurrency
    python -m infra.deploy destroy --stage dev
    ... --dry-run    # package, then print the AWS CLI commands instead of running them (works offline)

Deploying packages the stage (`infra/package.py`), makes sure the artifacts bucket exists (a small stack of
its own, `godkend-artifacts`, unless `--bucket` names one), uploads the code with `aws cloudformation
package`, and creates or updates the stack `godkend-<stage>` with `aws cloudformation deploy`, which waits
for the outcome and rolls a failed update back. The commands are the AWS CLI's, so what the dry run prints
can be run by hand.

The stack creates two secrets empty that the operator fills: the CVR register's credentials
(docs/operations.md#the-cvr-registers-credentials) and the receipt key set (`make rotate-receipt-key`,
docs/operations.md#receipt-signing-keys). A deploy stops, in one line naming each that has no value: before
changing anything when the secrets already exist, and after creating them when this deploy made them.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import NoReturn

from chalicelib.settings import DEFAULT_REGION
from infra.operations import function_names
from infra.package import (
    PROJECT_DIR,
    TABLE_PREFIX_PARAMETER,
    PackagingFailed,
    package,
    reserved_concurrency,
    stages,
    table_prefix,
)

PROG = "python -m infra.deploy"
ARTIFACTS_STACK = "godkend-artifacts"
ARTIFACTS_TEMPLATE = PROJECT_DIR / "infra" / "artifacts.json"
DEPLOYABLE = ("dev", "prod")
PROTECTION = "DeletionProtection"
# A stage this tool refuses to destroy: production data outlives any one deployment.
PROTECTED = ("prod",)
CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND")


@dataclass(frozen=True)
class OperatorSecret:
    """A secret the stack creates without a value, which the operator sets before the stage can serve."""

    suffix: str  # the name after the stack's TablePrefix, as in infra/resources.json
    what: str
    lacking: str  # what the stage cannot do while it has no value
    how: str  # what the operator does; {stage} is the stage's name


OPERATOR_SECRETS = (
    OperatorSecret(
        suffix="cvr-credentials",
        what="the CVR register's credentials",
        lacking="no company can be looked up",
        how="set them as docs/operations.md#the-cvr-registers-credentials says (Before the first deploy)",
    ),
    OperatorSecret(
        suffix="receipt-keys",
        what="the receipt key set",
        lacking="no valid check can be answered",
        how="make one with `make rotate-receipt-key STAGE={stage}` (docs/operations.md#receipt-signing-keys)",
    ),
)
INSTALL_CLI = (
    "the AWS CLI (`aws`) is not installed: install version 2 "
    "(https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html), "
    "or run with DRY_RUN=1 to see the commands"
)

Command = list[str]
Packager = Callable[[str, Path], Path]


class DeployFailed(Exception):
    """Said in one line, without a traceback."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROG}: {message}\n")


@dataclass(frozen=True)
class Plan:
    stage: str
    region: str
    bucket: str | None
    parameters: dict[str, str] = field(default_factory=dict)

    @property
    def stack(self) -> str:
        return f"godkend-{self.stage}"

    @property
    def build(self) -> Path:
        return PROJECT_DIR / "build" / self.stage


def stack_name(stage: str) -> str:
    return f"godkend-{stage}"


def artifacts_commands(region: str) -> list[Command]:
    """The artifacts bucket's stack, then the question for its name."""
    return [
        [
            *_aws("cloudformation", "deploy", region),
            "--stack-name",
            ARTIFACTS_STACK,
            "--template-file",
            _relative(ARTIFACTS_TEMPLATE),
            "--no-fail-on-empty-changeset",
        ],
        [
            *_aws("cloudformation", "describe-stacks", region),
            "--stack-name",
            ARTIFACTS_STACK,
            "--query",
            "Stacks[0].Outputs[?OutputKey=='BucketName'].OutputValue",
            "--output",
            "text",
        ],
    ]


def deploy_commands(plan: Plan, bucket: str) -> list[Command]:
    """Upload the code and the template, create or update the stack, show its outputs."""
    sam = _relative(plan.build / "sam.json")
    packaged = _relative(plan.build / "packaged.json")
    overrides = [f"{key}={value}" for key, value in sorted(plan.parameters.items())]
    return [
        [
            *_aws("cloudformation", "package", plan.region),
            "--template-file",
            sam,
            "--s3-bucket",
            bucket,
            "--s3-prefix",
            plan.stage,
            "--output-template-file",
            packaged,
            "--use-json",
        ],
        [
            *_aws("cloudformation", "deploy", plan.region),
            "--stack-name",
            plan.stack,
            "--template-file",
            packaged,
            # The template is over CloudFormation's 51,200-byte inline limit: it goes through the bucket too.
            "--s3-bucket",
            bucket,
            "--s3-prefix",
            plan.stage,
            "--capabilities",
            *CAPABILITIES,
            "--no-fail-on-empty-changeset",
            "--tags",
            "project=godkend",
            f"stage={plan.stage}",
            *(["--parameter-overrides", *overrides] if overrides else []),
        ],
        [
            *_aws("cloudformation", "describe-stacks", plan.region),
            "--stack-name",
            plan.stack,
            "--query",
            "Stacks[0].Outputs",
            "--output",
            "table",
        ],
    ]


def destroy_commands(stage: str, region: str) -> list[Command]:
    return [
        [*_aws("cloudformation", "delete-stack", region), "--stack-name", stack_name(stage)],
        [*_aws("cloudformation", "wait", region), "stack-delete-complete", "--stack-name", stack_name(stage)],
    ]


class Runner:
    """Runs AWS CLI commands, or (dry run) prints them."""

    def __init__(self, *, dry_run: bool, out: Callable[[str], None] = print) -> None:
        self.dry_run = dry_run
        self.out = out
        self._aws: str | None = None

    def succeeds(self, command: Command) -> bool:
        """Whether a question to AWS answers (a stack exists); never asked in a dry run."""
        try:
            self.run(command, capture=True)
        except DeployFailed as failure:
            if INSTALL_CLI in str(failure):
                raise
            return False
        return True

    def run(self, command: Command, *, capture: bool = False) -> str:
        self.out(("" if self.dry_run else "+ ") + shlex.join(command))
        if self.dry_run:
            return ""
        if self._aws is None:
            self._aws = shutil.which("aws")
            if self._aws is None:
                raise DeployFailed(INSTALL_CLI)
        finished = subprocess.run(  # noqa: S603
            [self._aws, *command[1:]], cwd=PROJECT_DIR, capture_output=capture, text=True, check=False
        )
        if finished.returncode != 0:
            detail = (finished.stderr or "").strip().splitlines()
            said = f": {detail[-1]}" if detail else ""
            raise DeployFailed(f"`aws {' '.join(command[3:5])}` failed (exit {finished.returncode}){said}")
        return (finished.stdout or "").strip()


class Secret(Enum):
    MISSING = "missing"
    EMPTY = "empty"
    SET = "set"


def secret_name(plan: Plan, secret: OperatorSecret) -> str:
    """The name of one of the stage's operator secrets, after the stack's TablePrefix."""
    prefix = plan.parameters.get(TABLE_PREFIX_PARAMETER) or table_prefix(plan.stage)
    return f"{prefix}/{secret.suffix}"


def secret_command(region: str, name: str) -> Command:
    # ListSecrets says which versions a secret has without reading its value, and answers [] for none.
    return [
        *_aws("secretsmanager", "list-secrets", region),
        "--filters",
        f"Key=name,Values={name}",
        "--query",
        f'SecretList[?Name==`"{name}"`]',
        "--output",
        "json",
    ]


def secret_state(runner: Runner, region: str, name: str) -> Secret | None:
    """Whether the secret exists and has a current value; None in a dry run, which asks nothing."""
    answer = runner.run(secret_command(region, name), capture=True)
    if runner.dry_run:
        return None
    try:
        found = json.loads(answer or "[]")
    except ValueError:
        raise DeployFailed(
            f"`aws secretsmanager list-secrets` answered what is not JSON: {answer[:80]!r}"
        ) from None
    if not found:
        return Secret.MISSING
    versions = found[0].get("SecretVersionsToStages") or {}
    return Secret.SET if any("AWSCURRENT" in labels for labels in versions.values()) else Secret.EMPTY


def deploy(
    plan: Plan, runner: Runner, packager: Packager = package, *, production_concurrency: bool = False
) -> None:
    try:
        sam = packager(plan.stage, plan.build)
    except PackagingFailed as failure:
        raise DeployFailed(str(failure)) from failure
    before = {
        secret: secret_state(runner, plan.region, secret_name(plan, secret)) for secret in OPERATOR_SECRETS
    }
    if empty := [secret for secret, state in before.items() if state is Secret.EMPTY]:
        raise DeployFailed(
            f"{plan.stack}: {_without_value(plan, empty)}, then deploy again. Nothing was changed."
        )
    # Always said: `aws cloudformation deploy` keeps a parameter's previous value when it is not given, and
    # a new stack's first create is unprotected (below).
    parameters = {PROTECTION: "true", **plan.parameters}
    if production_concurrency:
        parameters = {**production_figures(plan.stage, sam), **parameters}
    bucket = plan.bucket
    if bucket is None:
        deploy_bucket, ask_name = artifacts_commands(plan.region)
        runner.run(deploy_bucket)
        bucket = runner.run(ask_name, capture=True) or "<the artifacts bucket printed above>"
    upload, create_or_update, outputs = deploy_commands(
        Plan(plan.stage, plan.region, bucket, parameters), bucket
    )
    runner.run(upload)
    if runner.dry_run or not runner.succeeds(exists_command(plan)):
        # A new stack is created without deletion protection, so that a create that fails can remove the
        # tables and the pool it made (they are RetainExceptOnCreate), and protected by an update at once.
        first = Plan(plan.stage, plan.region, bucket, {**parameters, PROTECTION: "false"})
        runner.out(f"# {plan.stack} does not exist yet (a dry run assumes so): create, then protect it")
        runner.run(deploy_commands(first, bucket)[1])
    runner.run(create_or_update)
    if empty := [
        secret
        for secret, state in before.items()
        if state is not Secret.SET
        and secret_state(runner, plan.region, secret_name(plan, secret)) in (Secret.MISSING, Secret.EMPTY)
    ]:
        # This deploy created them, empty: the stage runs, but cannot do what they are for yet.
        lacking = " and ".join(secret.lacking for secret in empty)
        raise DeployFailed(
            f"{plan.stack} is deployed, but {_without_value(plan, empty)} (until then {lacking}), "
            "then deploy again."
        )
    runner.run(outputs)


def _without_value(plan: Plan, secrets: list[OperatorSecret]) -> str:
    """One clause per secret: which has no value, and what to do about it."""
    return "; ".join(
        f"secret {secret_name(plan, secret)} ({secret.what}) has no value yet: "
        + secret.how.format(stage=plan.stage)
        for secret in secrets
    )


def exists_command(plan: Plan) -> Command:
    return [*_aws("cloudformation", "describe-stacks", plan.region), "--stack-name", plan.stack]


def destroy(stage: str, region: str, runner: Runner) -> None:
    if stage in PROTECTED:
        raise DeployFailed(f"{stage} is not destroyed by this tool; delete the stack by hand if you must")
    for command in destroy_commands(stage, region):
        runner.run(command)
    print(
        f"Kept (DeletionPolicy Retain): the tables of {stack_name(stage)} (deletion protection on), its user "
        "pool, its secrets (activation key, CVR credentials) and KMS key. Delete them by hand to start from "
        "nothing."
    )


def production_figures(stage: str, sam: Path) -> dict[str, str]:
    """`<Function>ReservedConcurrency` parameters with the figures of .chalice/config.json."""
    figures = reserved_concurrency(stage)
    template = json.loads(sam.read_text())
    return {
        f"{logical_id}ReservedConcurrency": str(figures[name])
        for logical_id, name in function_names(template).items()
        if name in figures
    }


def main(argv: Sequence[str] | None = None, packager: Packager = package) -> int:
    parser = _Parser(prog=PROG, description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("action", choices=("deploy", "destroy"))
    parser.add_argument("--stage", required=True, help="dev or prod")
    parser.add_argument(
        "--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    )
    parser.add_argument(
        "--bucket", help="an existing S3 bucket for the code and template (else godkend-artifacts)"
    )
    parser.add_argument(
        "--parameter", action="append", default=[], metavar="KEY=VALUE", help="a template parameter"
    )
    parser.add_argument(
        "--production-concurrency", action="store_true", help="reserve .chalice/config.json's figures"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the AWS commands instead of running them"
    )
    arguments = parser.parse_args(argv)
    try:
        if arguments.stage not in DEPLOYABLE:
            known = ", ".join(s for s in stages() if s in DEPLOYABLE)
            raise DeployFailed(f"stage {arguments.stage!r} is not deployed to AWS; choose one of {known}")
        region = arguments.region or DEFAULT_REGION
        runner = Runner(dry_run=arguments.dry_run)
        if arguments.action == "destroy":
            destroy(arguments.stage, region, runner)
            return 0
        plan = Plan(arguments.stage, region, arguments.bucket, _parameters(arguments.parameter))
        deploy(plan, runner, packager, production_concurrency=arguments.production_concurrency)
    except DeployFailed as failure:
        print(f"{PROG}: {failure}", file=sys.stderr)
        return 2
    if arguments.dry_run:
        print(f"Dry run: nothing was sent to AWS. Without DRY_RUN=1 the commands above deploy {plan.stack}.")
    return 0


def _parameters(pairs: list[str]) -> dict[str, str]:
    parameters = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key.isidentifier():
            raise DeployFailed(f"a parameter is KEY=VALUE, e.g. OpsEmail=ops@example.org; not {pair!r}")
        parameters[key] = value
    return parameters


def _aws(service: str, verb: str, region: str) -> Command:
    return ["aws", "--region", region, service, verb]


def _relative(path: Path) -> str:
    return str(path.relative_to(PROJECT_DIR))


if __name__ == "__main__":
    sys.exit(main())
