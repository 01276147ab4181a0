"""`make reminders`: the scheduled jobs, run now or as of another day, against the running local stack.

    make reminders                     # as of now
    make reminders AS_OF=2026-03-03    # as of that day, at the time of day it is now (UTC)

`chalice local` never fires schedules, so this runs them here, in-process, against the emulator the running
`make run` started (its address is in .local/demo.json): the daily expiry reminders, which put chunks of
codes on the reminders queue, the gathered letters due by then (the running stack's event side also sends
those by itself, every few seconds), and the activation letters' 2-hour check. The running stack's event
side then takes the chunks, writes the reminders to the outbox and mails them, as Lambda would in AWS; this
waits until it has, so the mail is in .local/mail/ when the command returns.

"As of" shifts the clock by whole days: the reminders depend only on the date, and `AS_OF` set to today
does exactly what no `AS_OF` does.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

from infra.local.events import scheduled_event
from infra.local.run import PROJECT_DIR, Options, emulator_environment

PROG = "make reminders"
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SETTLE_SECONDS = 30.0


class JobError(Exception):
    """Said in one line, without a traceback."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, like every other refusal of this command, rather than argparse's usage block.
        self.exit(2, f"{PROG}: {message}\n")


def _day(value: str) -> date:
    try:
        if not DAY.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"AS_OF must be a date like 2026-03-10, not {value!r}") from None


@dataclass(frozen=True)
class Arguments:
    as_of: date | None
    state_dir: Path


def parse_arguments(argv: list[str] | None) -> Arguments:
    parser = _Parser(prog=PROG, description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--as-of", type=_day, default=None, metavar="YYYY-MM-DD")
    parser.add_argument(
        "--state-dir", type=Path, default=Path(os.environ.get("GODKEND_LOCAL_DIR", PROJECT_DIR / ".local"))
    )
    args = parser.parse_args(argv)
    return Arguments(as_of=args.as_of, state_dir=args.state_dir.resolve())


def running_stack(state_dir: Path) -> Options:
    """The running stack's addresses, from its demo.json, once something answers at the emulator's port."""
    demo_file = state_dir / "demo.json"
    try:
        demo: Any = json.loads(demo_file.read_text())
        api, aws = urlsplit(str(demo["api_url"])), urlsplit(str(demo["aws_endpoint_url"]))
        options = Options(api_port=int(api.port or 0), aws_port=int(aws.port or 0), state_dir=state_dir)
    except FileNotFoundError:
        raise JobError(
            f"the local stack is not running (no {demo_file}); start it with `make run` in another terminal"
        ) from None
    except (ValueError, TypeError, KeyError):
        raise JobError(f"{demo_file} is not the local stack's; restart `make run`") from None
    try:
        socket.create_connection(("127.0.0.1", options.aws_port), timeout=2).close()
    except OSError:
        raise JobError(
            f"the local stack is not running (nothing answers at {options.aws_url}); start it with `make run`"
        ) from None
    return options


def run_jobs(as_of: date | None, state_dir: Path) -> list[str]:
    """Runs both jobs; answers what to tell the person who asked."""
    # What Lambda would log and send to CloudWatch is summed up below instead; warnings (an overdue letter)
    # still show.
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    # Imported only now: the models read their table names from the environment when imported.
    import boto3
    from chalice.local import LambdaContext

    from app import app
    from chalicelib.clock import OffsetClock
    from chalicelib.container import Container, use_container
    from chalicelib.settings import Settings, resource_name

    today = datetime.now(UTC).date()
    clock = OffsetClock(timedelta(days=((as_of or today) - today).days))
    use_container(Container(settings=Settings(), clock=clock))
    mail_dir = state_dir / "mail"
    mails_before = _count(mail_dir)
    now = clock.now()
    planned = app.handler_map["send_reminders"](
        scheduled_event(now, "send-reminders"), LambdaContext("send_reminders", 512)
    )
    gathered = app.handler_map["send_gathered_letters"](
        scheduled_event(now, "send-gathered-letters"), LambdaContext("send_gathered_letters", 512)
    )
    letters = app.handler_map["check_letters"](
        scheduled_event(now, "check-letters"), LambdaContext("check_letters", 512)
    )
    codes = planned["codes"]
    said = [
        f"Reminders as of {planned['run_day']}: {codes['7d']} code(s) 7 days before expiry, {codes['1d']} "
        f"1 day before, {codes['expired']} expired the day before; {planned['chunks']} chunk(s) queued.",
        f"Gathered letters: {gathered['letters']} written, carrying {gathered['applications']} "
        f"application(s) and {gathered['proofs']} company proof code(s).",
        f"Activation letters: {letters['overdue']} found overdue, {letters['on_time']} delivered in time.",
    ]
    _wait_for_the_stack(boto3.client("sqs"), resource_name("reminders"))
    said.append(f"{_count(mail_dir) - mails_before} new mail(s) in {mail_dir}/.")
    return said


def _wait_for_the_stack(sqs: Any, queue_name: str) -> None:
    """Until the running stack has taken every chunk and the outbox has nothing left to send."""
    from chalicelib.models.outbox import MailStatus, OutboxModel

    url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        attributes = sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        waiting = sum(int(v) for v in attributes.values())
        queued_mail = next(iter(OutboxModel.by_status.query(MailStatus.QUEUED.value, limit=1)), None)
        if waiting == 0 and queued_mail is None:
            return
        time.sleep(0.3)
    raise JobError(
        f"the running stack did not mail the reminders within {SETTLE_SECONDS:.0f} s; is `make run` running "
        "this version of the code? Restart it"
    )


def _count(mail_dir: Path) -> int:
    return len(list(mail_dir.glob("*.eml")))


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        options = running_stack(arguments.state_dir)
        os.environ.update(emulator_environment(options))
        for line in run_jobs(arguments.as_of, arguments.state_dir):
            print(line)
    except JobError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
