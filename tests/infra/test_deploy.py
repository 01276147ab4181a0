"""`make deploy` / `make destroy` (infra/deploy.py): the dry run packages and prints the exact AWS CLI
commands without calling AWS; bad arguments are one line, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

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
    deploying = (
        "aws --region eu-west-1 cloudformation deploy --stack-name godkend-dev --template-file "
        "build/dev/packaged.json --s3-bucket my-artifacts --s3-prefix dev --capabilities CAPABILITY_IAM "
        "CAPABILITY_AUTO_EXPAND --no-fail-on-empty-changeset --tags project=godkend stage=dev "
        "--parameter-overrides "
    )
    assert lines == [
        "aws --region eu-west-1 cloudformation package --template-file build/dev/sam.json --s3-bucket "
        "my-artifacts --s3-prefix dev --output-template-file build/dev/packaged.json --use-json",
        "# godkend-dev does not exist yet (a dry run assumes so): create, then protect it",
        deploying + "DeletionProtection=false OpsEmail=ops@example.org",
        deploying + "DeletionProtection=true OpsEmail=ops@example.org",
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
    assert lines[0] == (
        "aws --region eu-west-1 cloudformation deploy --stack-name godkend-artifacts --template-file "
        "infra/artifacts.json --no-fail-on-empty-changeset"
    )
    assert "--stack-name godkend-artifacts" in lines[1]
    assert "--stack-name godkend-prod" in lines[4]


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
