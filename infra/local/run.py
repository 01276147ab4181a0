"""`make run`: the whole service on this machine.

Starts the AWS emulator (moto server) on loopback, creates what `infra/` creates in AWS, seeds the demo,
starts the API with `chalice local`, runs the event side in this process, and writes `.local/demo.json`
once everything answers. It also serves the web console (infra/local/console.py). Ctrl-C stops all of it.
Ports come from GODKEND_API_PORT, GODKEND_AWS_PORT and GODKEND_CONSOLE_PORT.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from chalicelib.adapters.files import write_whole

PROJECT_DIR = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
REGION = "eu-west-1"
READY_TIMEOUT_SECONDS = 90


@dataclass(frozen=True)
class Options:
    api_port: int
    aws_port: int
    state_dir: Path
    console_port: int = 8080

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.api_port}"

    @property
    def aws_url(self) -> str:
        return f"http://{HOST}:{self.aws_port}"

    @property
    def console_url(self) -> str:
        return f"http://{HOST}:{self.console_port}"


class StartupError(Exception):
    pass


def parse_options(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="make run", description=__doc__)
    parser.add_argument("--api-port", type=_port, default=os.environ.get("GODKEND_API_PORT", "8000"))
    parser.add_argument("--aws-port", type=_port, default=os.environ.get("GODKEND_AWS_PORT", "5100"))
    parser.add_argument("--console-port", type=_port, default=os.environ.get("GODKEND_CONSOLE_PORT", "8080"))
    parser.add_argument(
        "--state-dir", type=Path, default=Path(os.environ.get("GODKEND_LOCAL_DIR", PROJECT_DIR / ".local"))
    )
    args = parser.parse_args(argv)
    if len({args.api_port, args.aws_port, args.console_port}) < 3:
        parser.error("the API, the emulator and the console need different ports")
    return Options(
        api_port=args.api_port,
        aws_port=args.aws_port,
        state_dir=args.state_dir.resolve(),
        console_port=args.console_port,
    )


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}")
    return int(value)


def stage_settings(stage: str = "local") -> dict[str, str]:
    """The GODKEND_ settings `.chalice/config.json` gives the stage's functions (the activation key among
    them): `chalice local` gives them to the API, and the event side and the jobs need the same."""
    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
    variables = {**config["environment_variables"], **config["stages"][stage]["environment_variables"]}
    return {name: value for name, value in variables.items() if name.startswith("GODKEND_")}


def emulator_environment(options: Options) -> dict[str, str]:
    """What every process of the local stack needs to find the emulator instead of AWS."""
    return {
        **stage_settings(),
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": options.aws_url,
        # boto3 otherwise sends DynamoDB Streams calls to an account endpoint the emulator does not know.
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true",
        "GODKEND_STAGE": "local",
        "GODKEND_TABLE_PREFIX": "godkend-local",
        "GODKEND_LOCAL_DIR": str(options.state_dir),
        "GODKEND_MAIL_ARCHIVE_DIR": str(options.state_dir / "mail"),
    }


def console_environment(options: Options) -> dict[str, str]:
    """The API lets the local console's page call it from the browser (CORS), and any origin already in
    GODKEND_CONSOLE_ORIGINS, e.g. a development server's."""
    origins = [options.console_url, f"http://localhost:{options.console_port}"]
    extra = [o.strip() for o in os.environ.get("GODKEND_CONSOLE_ORIGINS", "").split(",") if o.strip()]
    return {"GODKEND_CONSOLE_ORIGINS": ",".join(dict.fromkeys([*origins, *extra]))}


def ensure_free(port: int, what: str, variable: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            raise StartupError(
                f"port {port} for the {what} is taken (is `make run` already running?); "
                f"stop that or choose another port with {variable}=..."
            ) from exc


class LocalStack:
    def __init__(self, options: Options) -> None:
        self.options = options
        self._moto: Any = None
        self._api: subprocess.Popen[bytes] | None = None
        self._events: Any = None
        self._console: Any = None
        self._stopped = threading.Event()

    def start(self) -> dict[str, Any]:
        ensure_free(self.options.api_port, "API", "GODKEND_API_PORT")
        ensure_free(self.options.aws_port, "AWS emulator", "GODKEND_AWS_PORT")
        ensure_free(self.options.console_port, "web console", "GODKEND_CONSOLE_PORT")
        self._reset_state_dir()
        os.environ.update(emulator_environment(self.options))
        os.environ.update(console_environment(self.options))
        self._start_emulator()
        demo = self._provision_and_seed()
        self._start_console(demo)
        self._start_events()
        self._start_api(demo)
        self._wait_until_ready()
        # Written last, and whole: its appearance tells scripts and tests that the stack is ready.
        write_whole(
            self.options.state_dir / "demo.json",
            (json.dumps(demo, indent=2, ensure_ascii=False) + "\n").encode(),
        )
        return demo

    def _reset_state_dir(self) -> None:
        # The emulator starts empty every time: mail and credentials of an earlier run would only mislead.
        self.options.state_dir.mkdir(parents=True, exist_ok=True)
        (self.options.state_dir / "demo.json").unlink(missing_ok=True)
        shutil.rmtree(self.options.state_dir / "mail", ignore_errors=True)
        (self.options.state_dir / "mail").mkdir()

    def _start_emulator(self) -> None:
        from infra.local.emulator import Emulator

        # One log line per emulated AWS call would drown the API's own request log.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._moto = Emulator(HOST, self.options.aws_port, self.options.state_dir / "mail")
        self._moto.start()

    def _provision_and_seed(self) -> dict[str, Any]:
        import boto3

        from chalicelib.settings import Settings
        from infra.local.demo import seed_demo, seed_vendor
        from infra.local.provision import (
            create_messaging,
            create_receipt_keys,
            create_tables,
            create_user_pool,
            stream_environment,
            verify_sender,
        )

        cognito = boto3.client("cognito-idp")
        create_tables()
        create_messaging(boto3.client("sqs"), boto3.client("sns"))
        pool = create_user_pool(cognito, "godkend-local")
        verify_sender(boto3.client("ses"), Settings().mail_sender)
        # Read by the app's stream handlers when it is imported, which is only after this.
        os.environ.update(stream_environment(boto3.client("dynamodb")))
        os.environ.update(
            GODKEND_COGNITO_USER_POOL_ID=pool.user_pool_id,
            GODKEND_COGNITO_CLIENT_ID=pool.client_id,
            # The emulator publishes the pool's keys itself; its tokens still name the real Cognito issuer.
            GODKEND_COGNITO_JWKS_URL=f"{self.options.aws_url}/{pool.user_pool_id}/.well-known/jwks.json",
            GODKEND_RECEIPT_KEYS_SECRET=create_receipt_keys(
                boto3.client("secretsmanager"), "godkend-local/receipt-keys", datetime.now(UTC)
            ),
            GODKEND_RECEIPT_ISSUER=self.options.api_url,
        )
        now = datetime.now(UTC)
        users = seed_demo(cognito, pool, now)
        vendor = seed_vendor(now)
        return {
            "api_url": self.options.api_url,
            "aws_endpoint_url": self.options.aws_url,
            "region": REGION,
            "cognito": {"user_pool_id": pool.user_pool_id, "client_id": pool.client_id},
            "users": users,
            "registry": registry_listing(),
            "vendor": vendor,
        }

    def _start_console(self, demo: dict[str, Any]) -> None:
        from infra.local.console import ConsoleServer, console_config, console_dist, is_built

        config = console_config(
            api_url=self.options.api_url,
            aws_url=self.options.aws_url,
            region=REGION,
            user_pool_id=demo["cognito"]["user_pool_id"],
            client_id=demo["cognito"]["client_id"],
        )
        dist = console_dist()
        self._console = ConsoleServer(HOST, self.options.console_port, config, dist)
        self._console.start()
        demo["console_url"] = self._console.url
        if not is_built(dist):
            print(
                f"make run: the console is not built ({dist}/index.html is missing); "
                f"run `make web`, then reload {self._console.url}",
                file=sys.stderr,
                flush=True,
            )

    def _start_events(self) -> None:
        import boto3

        from app import app
        from infra.local.events import DELIVERY_SCHEDULES, EventLoop, consumers_for

        consumers = consumers_for(
            app,
            streams=boto3.client("dynamodbstreams"),
            sqs=boto3.client("sqs"),
            schedules=DELIVERY_SCHEDULES,
        )
        self._events = EventLoop(consumers, changed=self._moto.changed if self._moto is not None else None)
        self._events.start()

    def _start_api(self, demo: dict[str, Any]) -> None:
        self._api = subprocess.Popen(api_command(self.options), cwd=PROJECT_DIR, env=dict(os.environ))  # noqa: S603

    def _wait_until_ready(self) -> None:
        import requests

        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._api is not None and self._api.poll() is not None:
                raise StartupError(f"chalice local exited with status {self._api.returncode}; see above")
            try:
                if requests.get(f"{self.options.api_url}/health", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise StartupError(f"the API did not answer /health within {READY_TIMEOUT_SECONDS} s")

    def wait(self) -> int:
        while not self._stopped.is_set():
            if self._api is not None and self._api.poll() is not None:
                print(
                    f"chalice local stopped (status {self._api.returncode}); stopping the rest",
                    file=sys.stderr,
                )
                return 1
            self._stopped.wait(0.5)
        return 0

    def request_stop(self, *_: object) -> None:
        self._stopped.set()

    def stop(self) -> None:
        if self._api is not None and self._api.poll() is None:
            self._api.terminate()
            try:
                self._api.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._api.kill()
        if self._console is not None:
            self._console.stop()
        if self._events is not None:
            self._events.stop()
        if self._moto is not None:
            self._moto.stop()


def api_command(options: Options) -> list[str]:
    """`chalice local --no-autoreload`, served by a server that queues connections instead of refusing
    them (infra/local/api.py)."""
    return [
        sys.executable,
        "-m",
        "infra.local.api",
        "--host",
        HOST,
        "--port",
        str(options.api_port),
        "--stage",
        "local",
    ]


def registry_listing() -> list[dict[str, str]]:
    """The sample company register the API looks CVR numbers up in, so a person can apply with one."""
    from chalicelib.adapters.registry import SAMPLE_FILE, SampleRegistry
    from chalicelib.settings import Settings

    configured = Settings().registry_file
    registry = SampleRegistry.from_file(Path(configured) if configured else SAMPLE_FILE)
    # A ceased company is in the register (to show that it cannot apply) but not offered for applying.
    return [
        {"cvr": entry.cvr, "name": entry.name, "official_mailbox": entry.official_mailbox}
        for entry in registry.entries()
        if not entry.ceased
    ]


def banner(demo: dict[str, Any], options: Options) -> str:
    admin = demo["users"]["admin"]["username"]
    return "\n".join(
        [
            "",
            f"Godkend is running: API {demo['api_url']}  (AWS emulator {demo['aws_endpoint_url']})",
            f"  web console ......... {demo['console_url']}",
            f"  demo credentials .... {options.state_dir / 'demo.json'}",
            f"  mail sent ........... {options.state_dir / 'mail'}/",
            f"  apply with a CVR .... {len(demo['registry'])} sample companies under 'registry' in demo.json",
            f"  a token for {admin}: .venv/bin/python -m infra.local.token admin",
            "  a vendor's API key .. vendor.api_key in demo.json (POST /v1/validations)",
            "Ctrl-C stops everything.",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    stack = LocalStack(options)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stack.request_stop()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        demo = stack.start()
        print(banner(demo, options), flush=True)
        return stack.wait()
    except StartupError as exc:
        print(f"make run: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
