"""`make rotate-receipt-key`: the stage's receipt key set, made the first time (the template creates the
secret empty) and rotated every time after.

    make rotate-receipt-key STAGE=dev
    make rotate-receipt-key STAGE=local     # against the running `make run`

A rotation adds a key that signs from an hour later (chalicelib/services/vendors/receipt_keys.py,
`PUBLISH_AHEAD`): published at once, so every verifier has it before the first receipt it signs. Older keys
keep their public half, and receipts signed with them keep verifying, for as long as a stage may keep
receipts. It uses your AWS credentials (as `aws` does); the secret is `godkend-<stage>/receipt-keys`,
encrypted with the stage's KMS key. It prints key ids, never a key.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from chalicelib.services.vendors.receipt_keys import KeySet, first_key_set, rotate

PROG = "make rotate-receipt-key"
PROJECT_DIR = Path(__file__).resolve().parent.parent
REGION = "eu-west-1"
# The longest any stage may keep a receipt (GODKEND_RECEIPT_RETENTION_YEARS is at most 10), and a margin.
RETENTION = timedelta(days=366 * 10 + 31)


def secret_name(stage: str) -> str:
    return f"godkend-{stage}/receipt-keys"


def rotate_secret(secretsmanager: Any, secret_id: str, now: datetime) -> KeySet:
    """The key set after the rotation, written as the secret's new version (the first key set if none)."""
    current = _current(secretsmanager, secret_id)
    rotated = first_key_set(now) if current is None else rotate(current, now, retention=RETENTION)
    secretsmanager.put_secret_value(SecretId=secret_id, SecretString=rotated.to_json())
    return rotated


def _current(secretsmanager: Any, secret_id: str) -> KeySet | None:
    try:
        value = secretsmanager.get_secret_value(SecretId=secret_id)
    except secretsmanager.exceptions.ResourceNotFoundException:
        # Created empty by the template: a secret without a value yet.
        found = secretsmanager.describe_secret(SecretId=secret_id)
        if found.get("VersionIdsToStages"):
            raise
        return None
    return KeySet.from_json(value["SecretString"])


def _client(stage: str) -> Any:
    import boto3

    if stage != "local":
        return boto3.client("secretsmanager", region_name=REGION)
    demo = json.loads((PROJECT_DIR / ".local" / "demo.json").read_text())
    return boto3.client(
        "secretsmanager",
        region_name=REGION,
        endpoint_url=str(demo["aws_endpoint_url"]),
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - the emulator's, not a secret
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--stage", required=True, choices=("local", "dev", "prod"))
    options = parser.parse_args(argv)
    now = datetime.now(UTC)
    keys = rotate_secret(_client(options.stage), secret_name(options.stage), now)
    signing = keys.signing_key(now)
    newest = max(keys.keys, key=lambda key: key.signs_from)
    print(f"{secret_name(options.stage)}: published {', '.join(key.kid for key in keys.keys)}")
    print(f"signing now: {signing.kid}; {newest.kid} signs from {newest.signs_from.isoformat()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
