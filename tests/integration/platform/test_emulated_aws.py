"""The emulated AWS every test runs on (tests/world.py): emptied of data after each test, and what a test
leaves beyond its data is found, so that no test depends on the one before it."""

from __future__ import annotations

from typing import Any

import boto3

from chalicelib.models.user import UserModel
from chalicelib.settings import resource_name
from infra.local.provision import create_user_pool
from tests import world as world_module
from tests.mailbox import sent_mail
from tests.people import People, refresh_token_of
from tests.sms import texts_to
from tests.world import World

REGION = "eu-west-1"


def queue_url(name: str) -> str:
    return str(
        boto3.client("sqs", region_name=REGION).get_queue_url(QueueName=resource_name(name))["QueueUrl"]
    )


def test_the_reset_empties_every_kind_of_data_and_keeps_the_world(
    emulated_aws: World, people: People, cognito: Any, settings: Any
) -> None:
    # Given items and stream records, logins with tokens, sessions and a group, a queued message, sent mail
    # and texts, and a secret
    person = people.member(people.organisation())
    people.staff()
    refresh_token_of(cognito, people, person)
    cognito.initiate_auth(
        ClientId=people.pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": person.user_id, "PASSWORD": "Correct-Horse-42"},
    )
    boto3.client("sqs", region_name=REGION).send_message(QueueUrl=queue_url("mail-retry"), MessageBody="{}")
    boto3.client("ses", region_name=REGION).send_raw_email(
        Source=settings.mail_sender,
        Destinations=["someone@example.org"],
        RawMessage={"Data": b"Subject: hello\r\n\r\nhello"},
    )
    boto3.client("sns", region_name=REGION).publish(PhoneNumber="+4512345678", Message="123456")
    boto3.client("secretsmanager", region_name=REGION).create_secret(Name="godkend-test/x", SecretString="x")
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    outbox = dynamodb.describe_table(TableName="godkend-test-outbox")["Table"]
    (key,) = [k["AttributeName"] for k in outbox["KeySchema"]]
    dynamodb.put_item(TableName="godkend-test-outbox", Item={key: {"S": "x"}})
    data = world_module.leaks(emulated_aws)
    for kind in (
        "items",
        "stream records",
        "users",
        "tokens",
        "sign-in sessions",
        "group staff: members",
        "messages",
        "mail: sent",
        "texts: sent",
    ):
        assert any(kind in line for line in data), kind

    # When the world is reset
    world_module.reset(emulated_aws)

    # Then nothing of it is left, and the world is as it was built
    assert list(UserModel.scan()) == []
    assert cognito.list_users(UserPoolId=people.pool.user_pool_id)["Users"] == []
    assert sent_mail() == []
    assert texts_to("+4512345678") == []
    messages = boto3.client("sqs", region_name=REGION).receive_message(QueueUrl=queue_url("mail-retry"))
    assert messages.get("Messages", []) == []
    assert boto3.client("secretsmanager", region_name=REGION).list_secrets()["SecretList"] == []
    assert world_module.leaks(emulated_aws) == []


def test_a_table_left_behind_is_found(emulated_aws: World, tables: None) -> None:
    # Given a table a test made
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.create_table(
        TableName="left-behind",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    # Then the reset leaves it, and the guard names it
    world_module.reset(emulated_aws)
    assert world_module.leaks(emulated_aws) == [
        "dynamodb 123456789012 eu-west-1: table left-behind was made and left behind"
    ]
    dynamodb.delete_table(TableName="left-behind")


def test_a_changed_setting_or_a_deleted_identity_of_the_world_is_found(
    emulated_aws: World, tables: None, settings: Any
) -> None:
    # Given the outbox's TTL turned off and the sender's domain no longer verified
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    ses = boto3.client("ses", region_name=REGION)
    outbox = "godkend-test-outbox"
    dynamodb.update_time_to_live(
        TableName=outbox, TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires_at"}
    )
    domain = settings.mail_sender.rpartition("@")[2].rstrip(">")
    ses.delete_identity(Identity=domain)

    # Then the guard names both
    leaked = world_module.leaks(emulated_aws)
    assert f"ses 123456789012 eu-west-1: identity {domain} is gone" in leaked
    assert any(
        line.startswith(f"dynamodb 123456789012 eu-west-1: table {outbox}: TimeToLive") for line in leaked
    )
    assert len(leaked) == 2

    # (and the test puts them back)
    dynamodb.update_time_to_live(
        TableName=outbox, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
    )
    ses.verify_domain_identity(Domain=domain)
    assert world_module.leaks(emulated_aws) == []


def test_what_a_test_adds_beside_the_world_is_swept_and_only_that(
    emulated_aws: World, cognito: Any, pool: Any
) -> None:
    # Given another user pool, another app client of the world's pool, a table and a queue of a test's own
    create_user_pool(cognito, "someone-elses-pool")
    cognito.create_user_pool_client(UserPoolId=pool.user_pool_id, ClientName="other-app")
    boto3.client("dynamodb", region_name=REGION).create_table(
        TableName="own",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    boto3.client("sqs", region_name=REGION).create_queue(QueueName="own")
    assert len(world_module.leaks(emulated_aws)) == 6  # the pool with its client and group, and the rest

    # When they are swept
    world_module.sweep_additions(emulated_aws)

    # Then the world is as built, its own pool and client still there
    assert world_module.leaks(emulated_aws) == []
    assert cognito.describe_user_pool_client(UserPoolId=pool.user_pool_id, ClientId=pool.client_id)
