"""Prints an access token for a demo user of the running local stack, signing in as a front end would
(password, then the authenticator code). Usage: python -m infra.local.token admin|staff"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import boto3

from infra.local.signin import sign_in

PROJECT_DIR = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.token", description=__doc__)
    parser.add_argument("who", choices=["admin", "staff"])
    args = parser.parse_args(argv)
    demo_file = Path(os.environ.get("GODKEND_LOCAL_DIR", PROJECT_DIR / ".local")) / "demo.json"
    if not demo_file.exists():
        print(f"no {demo_file}: start the local stack with `make run` first", file=sys.stderr)
        return 1
    demo = json.loads(demo_file.read_text())
    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=demo["aws_endpoint_url"],
        region_name=demo["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - the emulator's
    )
    user = demo["users"][args.who]
    print(
        sign_in(
            cognito, demo["cognito"]["client_id"], user["username"], user["password"], user["totp_secret"]
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
