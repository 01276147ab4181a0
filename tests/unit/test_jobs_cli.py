"""`make reminders` (python -m infra.local.jobs) refuses what it cannot do in one line, before touching
anything: a bad AS_OF, or no running local stack."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from infra.local.jobs import main, parse_arguments

PROJECT_DIR = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # nothing listens on it once the socket is closed


@pytest.mark.parametrize("as_of", ["nope", "2027-02-30", "20270301", "2027-3-1", ""])
def test_an_as_of_that_is_not_a_date_is_refused_in_one_line(as_of: str, capsys, tmp_path: Path):
    with pytest.raises(SystemExit) as exit_:
        main(["--as-of", as_of, "--state-dir", str(tmp_path)])

    assert exit_.value.code == 2
    said = capsys.readouterr().err
    assert said.count("\n") == 1
    assert said.startswith("make reminders: ")
    assert "AS_OF must be a date like 2026-03-10" in said


def test_a_date_is_taken_as_the_day_to_run_as_of(tmp_path: Path):
    arguments = parse_arguments(["--as-of", "2027-03-01", "--state-dir", str(tmp_path)])

    assert arguments.as_of is not None
    assert arguments.as_of.isoformat() == "2027-03-01"


def test_without_a_running_stack_it_says_so(capsys, tmp_path: Path):
    # Given no local stack has ever written its demo.json here
    code = main(["--as-of", "2027-03-01", "--state-dir", str(tmp_path)])

    # Then it says what to do, in one line
    assert code == 1
    said = capsys.readouterr().err
    assert said.count("\n") == 1
    assert "the local stack is not running" in said
    assert "make run" in said


def test_a_stack_that_has_stopped_is_not_mistaken_for_a_running_one(capsys, tmp_path: Path):
    # Given the demo.json a stopped stack left behind
    port = closed_port()
    (tmp_path / "demo.json").write_text(
        json.dumps({"api_url": "http://127.0.0.1:1", "aws_endpoint_url": f"http://127.0.0.1:{port}"})
    )

    # Then nothing is run, and it says why
    assert main(["--state-dir", str(tmp_path)]) == 1
    said = capsys.readouterr().err
    assert said.count("\n") == 1
    assert f"nothing answers at http://127.0.0.1:{port}" in said


def test_the_command_itself_answers_without_a_traceback(tmp_path: Path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GODKEND_"))}
    environment["GODKEND_LOCAL_DIR"] = str(tmp_path)
    for arguments in (["--as-of", "yesterday"], []):
        finished = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "infra.local.jobs", *arguments],
            cwd=PROJECT_DIR,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )

        assert finished.returncode != 0
        assert len(finished.stderr.strip().splitlines()) == 1
        assert "Traceback" not in finished.stderr
        assert finished.stdout == ""
