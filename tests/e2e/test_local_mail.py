"""The local stack's event side really delivers: an outbox item becomes an .eml file in .local/mail/."""

from __future__ import annotations

import email
import time
from email.policy import default
from pathlib import Path

import boto3
import pytest

from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def wait_for_mail(directory: Path, count: int, seconds: float = 15) -> list[Path]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = sorted(directory.glob("*.eml"))
        if len(found) >= count:
            return found
        time.sleep(0.2)
    raise AssertionError(
        f"expected {count} mail(s) in {directory}, found {len(list(directory.glob('*.eml')))}"
    )


def test_an_outbox_item_is_delivered_as_an_eml_file_within_seconds(stack: RunningStack):
    # Given a mail written to the emulator's outbox, as a service's transaction writes it
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=stack.demo["aws_endpoint_url"],
        region_name=stack.demo["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    dynamodb.put_item(
        TableName="godkend-local-outbox",
        Item={
            "message_id": {"S": "e2e-1"},
            "kind": {"S": "code_issued"},
            "language": {"S": "en"},
            "to_address": {"S": "rep@example.org"},
            "to_name": {"S": "Rep Resentative"},
            "context": {"S": '{"organisation_name": "R\\u00f8de Kors Aarhus", "expires_on": "2027-01-20"}'},
            "secrets": {"S": '{"code": "abcd1234@RoedeKorsAarhus"}'},
            "status": {"S": "queued"},
            "generation": {"N": "0"},
            "attempts": {"N": "0"},
            "created_at": {"S": "2026-11-21T00:00:00.000000+0000"},
            "expires_at": {"N": "1900000000"},
            "version": {"N": "1"},
        },
    )

    # Then within seconds it is in .local/mail/ as the recipient would get it
    [path] = wait_for_mail(stack.state_dir / "mail", 1)
    message = email.message_from_bytes(path.read_bytes(), policy=default)
    assert "rep@example.org" in str(message["To"])
    assert str(message["Subject"]) == "Your validation code from Røde Kors Aarhus"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert "Validation code: abcd1234@RoedeKorsAarhus" in body.get_content()
