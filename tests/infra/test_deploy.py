"""`make deploy` / `make destroy` (infra/deploy.py): the dry run packages and prints the exact AWS CLI
commands without calling AWS; bad arguments are one line, never a traceback; a stage whose CVR register
credentials have no value is not left looking ready. A real run is played by a fake AWS CLI that answers from
moto, as the account would."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import boto3
import jmespath
import pytest

from chalicelib.services.vendors.receipt_keys import first_key_set
from infra import deploy
from infra.package import PROJECT_DIR


def fake_packager(built: Path) -> deploy.Packager:
    """Stands in for `chalice package`: a template with two functions, as infra/package.py would leave it."""

    def packager(stage: str, out: Path) -> Path:
        template = {
            "Resources": {
                "APIHandler": {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "app.app"}},
                "SendReminders": {
                    "Type": "AWS::Serverless::Function",
                    "Properties": {"Handler": "chalicelib.events.reminders.send_reminders"},
                },
            }
        }
        built.write_text(json.dumps(template))
        return built

    return packager


def test_a_dry_run_prints_the_commands_that_deploy_the_stage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # When dev is deployed as a dry run, into a bucket given, with a parameter
    code = deploy.main(
        [
            "deploy",
            "--stage",
            "dev",
            "--dry-run",
            "--bucket",
            "my-artifacts",
            "--region",
            "eu-west-1",
            "--parameter",
            "OpsEmail=ops@example.org",
        ],
        packager=fake_packager(tmp_path / "sam.json"),
    )

    # Then it printed exactly what uploads the code and creates or updates godkend-dev, and nothing else ran
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    asking_for_the_secrets = [
        "aws --region eu-west-1 secretsmanager list-secrets --filters "
        f"Key=name,Values=godkend-dev/{name} --query "
        f"'SecretList[?Name==`\"godkend-dev/{name}\"`]' --output json"
        for name in ("cvr-credentials", "receipt-keys")
    ]
    deploying = (
        "aws --region eu-west-1 cloudformation deploy --stack-name godkend-dev --template-file "
        "build/dev/packaged.json --s3-bucket my-artifacts --s3-prefix dev --capabilities CAPABILITY_IAM "
        "CAPABILITY_AUTO_EXPAND --no-fail-on-empty-changeset --tags project=godkend stage=dev "
        "--parameter-overrides "
    )
    assert lines == [
        *asking_for_the_secrets,
        "aws --region eu-west-1 cloudformation package --template-file build/dev/sam.json --s3-bucket "
        "my-artifacts --s3-prefix dev --output-template-file build/dev/packaged.json --use-json",
        "# godkend-dev does not exist yet (a dry run assumes so): create, then protect it",
        deploying + "DeletionProtection=false OpsEmail=ops@example.org",
        deploying + "DeletionProtection=true OpsEmail=ops@example.org",
        *asking_for_the_secrets,
        "aws --region eu-west-1 cloudformation describe-stacks --stack-name godkend-dev --query "
        "'Stacks[0].Outputs' --output table",
        "Dry run: nothing was sent to AWS. Without DRY_RUN=1 the commands above deploy godkend-dev.",
    ]


def test_without_a_bucket_the_artifacts_stack_comes_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy.main(
        ["deploy", "--stage", "prod", "--dry-run", "--region", "eu-west-1"],
        packager=fake_packager(tmp_path / "s.json"),
    )

    lines = capsys.readouterr().out.splitlines()
    assert "godkend-prod/cvr-credentials" in lines[0]
    assert "godkend-prod/receipt-keys" in lines[1]
    assert lines[2] == (
        "aws --region eu-west-1 cloudformation deploy --stack-name godkend-artifacts --template-file "
        "infra/artifacts.json --no-fail-on-empty-changeset"
    )
    assert "--stack-name godkend-artifacts" in lines[3]
    assert "--stack-name godkend-prod" in lines[6]


def test_production_concurrency_passes_the_configured_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy.main(
        ["deploy", "--stage", "prod", "--dry-run", "--bucket", "b", "--production-concurrency"],
        packager=fake_packager(tmp_path / "s.json"),
    )

    deploying = [line for line in capsys.readouterr().out.splitlines() if "cloudformation deploy" in line][-1]
    assert "APIHandlerReservedConcurrency=200" in deploying
    assert "SendRemindersReservedConcurrency=1" in deploying


def test_destroying_dev_deletes_its_stack_and_waits(capsys: pytest.CaptureFixture[str]) -> None:
    assert deploy.main(["destroy", "--stage", "dev", "--dry-run", "--region", "eu-west-1"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [
        "aws --region eu-west-1 cloudformation delete-stack --stack-name godkend-dev",
        "aws --region eu-west-1 cloudformation wait stack-delete-complete --stack-name godkend-dev",
    ]


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["destroy", "--stage", "prod", "--dry-run"], "prod is not destroyed by this tool"),
        (["deploy", "--stage", "local", "--dry-run"], "stage 'local' is not deployed to AWS"),
        (["deploy", "--stage", "dev", "--dry-run", "--parameter", "nonsense"], "a parameter is KEY=VALUE"),
        (["launch", "--stage", "dev"], "invalid choice: 'launch'"),
        (["deploy"], "the following arguments are required: --stage"),
    ],
)
def test_bad_arguments_are_one_line_without_a_traceback(arguments: list[str], said: str) -> None:
    finished = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "infra.deploy", *arguments],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )

    assert finished.returncode == 2
    assert len(finished.stderr.strip().splitlines()) == 1, finished.stderr
    assert said in finished.stderr
    assert "Traceback" not in finished.stderr


def test_a_real_run_without_the_aws_cli_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    runner = deploy.Runner(dry_run=False, out=lambda _: None)

    with pytest.raises(deploy.DeployFailed, match="AWS CLI"):
        runner.run(["aws", "--region", "eu-west-1", "cloudformation", "describe-stacks"])


# The CVR register's credentials, with a fake AWS CLI


class FakeAws(deploy.Runner):
    """The AWS CLI, answered as the account would: stacks by name (a `cloudformation deploy` creates what the
    template has that matters here, the empty credentials secret), and Secrets Manager from moto, the CLI's
    `--query` applied. Remembers every command."""

    def __init__(self, *, stacks: set[str] | None = None) -> None:
        super().__init__(dry_run=False, out=lambda _: None)
        self.stacks = set(stacks or ())
        self.commands: list[str] = []
        self.secrets = boto3.client("secretsmanager", region_name="eu-west-1")

    def run(self, command: list[str], *, capture: bool = False) -> str:
        self.commands.append(shlex.join(command))
        service, verb = command[3:5]
        option = dict(zip(command[5::2], command[6::2], strict=False))
        if (service, verb) == ("secretsmanager", "list-secrets"):
            prefix = option["--filters"].removeprefix("Key=name,Values=")
            answer = self.secrets.list_secrets(Filters=[{"Key": "name", "Values": [prefix]}])
            return json.dumps(jmespath.search(option["--query"], answer), default=str)
        if (service, verb) == ("cloudformation", "describe-stacks"):
            if option["--stack-name"] not in self.stacks:
                raise deploy.DeployFailed(f"Stack with id {option['--stack-name']} does not exist")
            return "artifacts-bucket" if option["--stack-name"] == deploy.ARTIFACTS_STACK else ""
        if (service, verb) == ("cloudformation", "deploy"):
            stack = option["--stack-name"]
            if stack not in self.stacks and stack != deploy.ARTIFACTS_STACK:
                # as resources.json: the secrets the operator fills, without a value
                self.secrets.create_secret(Name=f"{stack}/cvr-credentials")
                self.secrets.create_secret(Name=f"{stack}/receipt-keys")
            self.stacks.add(stack)
        return ""

    def ran(self, text: str) -> list[str]:
        return [command for command in self.commands if text in command]


def set_credentials(name: str) -> None:
    """What the operator does (docs/operations.md#the-cvr-registers-credentials)."""
    boto3.client("secretsmanager", region_name="eu-west-1").put_secret_value(
        SecretId=name, SecretString=json.dumps({"username": "godkend", "password": "from-erhvervsstyrelsen"})
    )


def set_receipt_keys(name: str) -> None:
    """What `make rotate-receipt-key` does the first time (infra/receipt_keys.py)."""
    key_set = first_key_set(datetime(2026, 1, 1, tzinfo=UTC))
    boto3.client("secretsmanager", region_name="eu-west-1").put_secret_value(
        SecretId=name, SecretString=key_set.to_json()
    )


def deployed(stage: str, *, credentials: bool, receipt_keys: bool) -> FakeAws:
    """A stage deployed before, its secrets set or still without a value."""
    aws_cli = FakeAws(stacks={f"godkend-{stage}"})
    for name, is_set, set_it in (
        (f"godkend-{stage}/cvr-credentials", credentials, set_credentials),
        (f"godkend-{stage}/receipt-keys", receipt_keys, set_receipt_keys),
    ):
        aws_cli.secrets.create_secret(Name=name)
        if is_set:
            set_it(name)
    return aws_cli


def plan(stage: str = "prod") -> deploy.Plan:
    return deploy.Plan(stage, "eu-west-1", "artifacts-bucket")


def test_a_stage_whose_register_credentials_have_no_value_is_not_deployed_and_nothing_changes(
    aws: None, tmp_path: Path
) -> None:
    # Given prod deployed once, its key set made but its credentials secret still without a value
    aws_cli = deployed("prod", credentials=False, receipt_keys=True)

    # When it is deployed again
    with pytest.raises(deploy.DeployFailed) as stopped:
        deploy.deploy(plan(), aws_cli, fake_packager(tmp_path / "sam.json"))

    # Then the deploy stops in one line that names the secret and says what to do, before uploading anything
    said = str(stopped.value)
    assert "\n" not in said
    assert "godkend-prod/cvr-credentials" in said
    assert "no value yet" in said
    assert "Before the first deploy" in said
    assert "receipt-keys" not in said
    assert aws_cli.ran("cloudformation") == []


def test_a_stage_without_a_receipt_key_set_is_not_deployed_and_the_deploy_says_how_to_make_one(
    aws: None, tmp_path: Path
) -> None:
    # Given prod deployed once, its credentials set but its receipt key set never made
    aws_cli = deployed("prod", credentials=True, receipt_keys=False)

    # When it is deployed again
    with pytest.raises(deploy.DeployFailed) as stopped:
        deploy.deploy(plan(), aws_cli, fake_packager(tmp_path / "sam.json"))

    # Then the deploy stops in one line that names the secret and the command that fills it, before uploading
    said = str(stopped.value)
    assert "\n" not in said
    assert "secret godkend-prod/receipt-keys (the receipt key set) has no value yet" in said
    assert "make rotate-receipt-key STAGE=prod" in said
    assert "cvr-credentials" not in said
    assert aws_cli.ran("cloudformation") == []


def test_the_first_deploy_creates_and_protects_the_stack_then_stops_until_the_credentials_are_set(
    aws: None, tmp_path: Path
) -> None:
    # Given a stage never deployed
    aws_cli = FakeAws()

    # When it is deployed
    with pytest.raises(deploy.DeployFailed) as stopped:
        deploy.deploy(plan("dev"), aws_cli, fake_packager(tmp_path / "sam.json"))

    # Then the stack was created and protected, and the deploy stops in one line about the empty secret
    deploys = aws_cli.ran("cloudformation deploy --stack-name godkend-dev")
    assert ["DeletionProtection=false" in d for d in deploys] == [True, False]
    said = str(stopped.value)
    assert "\n" not in said
    assert "godkend-dev is deployed, but" in said
    assert "godkend-dev/cvr-credentials" in said
    assert "make rotate-receipt-key STAGE=dev" in said
    assert "no company can be looked up and no valid check can be answered" in said
    assert aws_cli.ran("describe-stacks --stack-name godkend-dev --query") == []

    # And with the credentials set but no key set yet, the next deploy stops before changing anything
    set_credentials("godkend-dev/cvr-credentials")
    with pytest.raises(deploy.DeployFailed, match=r"godkend-dev/receipt-keys .*Nothing was changed"):
        deploy.deploy(plan("dev"), aws_cli, fake_packager(tmp_path / "sam.json"))

    # And once the operator has made the key set too, the next deploy goes through and shows the outputs
    set_receipt_keys("godkend-dev/receipt-keys")
    deploy.deploy(plan("dev"), aws_cli, fake_packager(tmp_path / "sam.json"))
    assert len(aws_cli.ran("describe-stacks --stack-name godkend-dev --query")) == 1


def test_a_stage_whose_register_credentials_are_set_deploys(aws: None, tmp_path: Path) -> None:
    # Given prod with its credentials and key set, and another secret whose name merely begins like theirs
    aws_cli = deployed("prod", credentials=True, receipt_keys=True)
    aws_cli.secrets.create_secret(Name="godkend-prod/cvr-credentials-old")

    # When it is deployed, it is updated and its outputs shown
    deploy.deploy(plan(), aws_cli, fake_packager(tmp_path / "sam.json"))

    assert len(aws_cli.ran("cloudformation deploy --stack-name godkend-prod")) == 1
    assert len(aws_cli.ran("describe-stacks --stack-name godkend-prod --query")) == 1


def test_a_secret_of_a_similar_name_with_a_value_does_not_stand_in_for_the_stages_own(
    aws: None, tmp_path: Path
) -> None:
    # Given prod's secret without a value, and another whose name begins like it, with one
    aws_cli = deployed("prod", credentials=False, receipt_keys=True)
    aws_cli.secrets.create_secret(Name="godkend-prod/cvr-credentials-old", SecretString="{}")

    # Then the deploy still stops
    with pytest.raises(deploy.DeployFailed, match="no value yet"):
        deploy.deploy(plan(), aws_cli, fake_packager(tmp_path / "sam.json"))
