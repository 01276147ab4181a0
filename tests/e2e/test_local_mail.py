"""The local stack's event side really delivers: an outbox item becomes an .eml file in .local/mail/."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

CONTEXT = {"organisation_name": "Røde Kors Aarhus", "expires_at": "2027-01-20T12:00:00Z", "renewed": False}


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
            "context": {"S": json.dumps(CONTEXT)},
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
    message = stack.mail_containing("Validation code: abcd1234@RoedeKorsAarhus")
    assert "rep@example.org" in str(message["To"])
    assert str(message["Subject"]) == "Your validation code from Røde Kors Aarhus"
