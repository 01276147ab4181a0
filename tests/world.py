"""The emulated AWS the tests run on, and the one module that reads or resets moto's own structures.

The world is built once per test process (each xdist worker is a process of its own): the tables, the
queues and their dead-letter queues, the feedback topic, the user pool with its app client and staff group,
and the verified sender, in one `mock_aws()` that is active only while a test that asks for it runs
(`active`), so that a test without it reaches no emulated AWS, whatever ran before it. Building it costs
about half a second on a quiet machine (a user pool alone imports an RSA key); emptying and checking it,
about a millisecond, and turning the mock on and off for a test a few. So each test gets the same world,
emptied:

- `reset()` removes the data straight from moto's structures rather than through API calls: a table's
  items and stream records, queued messages, sent mail and texts, published notifications, the pool's
  logins with their group memberships, tokens and sign-in sessions; and every service the world does not
  use (a secret a test made, a stream's iterators) goes back to empty.
- `leaks()` then compares the world with the fingerprint taken when it was built: the tables with their
  keys, indexes, streams and TTL, the queues with their attributes, the topics and subscriptions, the user
  pools with their settings, clients and groups, the verified identities, and that none holds data. What
  differs is something a test left for the next one, which the reset does not restore (a table or pool of
  its own, a changed TTL, a deleted identity): the guard in tests/conftest.py fails that test, saying what,
  and the world is built afresh so that the tests after it do not fail for it.

A test that needs resources of its own beside the world (another user pool, a table of its own) asks for
`scratch` (tests/conftest.py): what it added is removed after it, and only that.

Sent mail and texts are read here too (tests/mailbox.py and tests/sms.py parse them), and a table as moto
holds it.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
from moto import mock_aws
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.config import default_user_config
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.ses.models import RawMessage, ses_backends
from moto.sns.models import sns_backends

from chalicelib.settings import Settings
from infra.local import moto_speed
from infra.local.provision import UserPool, create_messaging, create_tables, create_user_pool, verify_sender

REGION = "eu-west-1"
POOL_NAME = "godkend-test"

Fingerprint = dict[str, Any]


@dataclass
class World:
    """What the fixtures hand out: the pool's ids and a Cognito client, the same for every test of the
    process (until a leak makes the world be built again)."""

    pool: UserPool
    cognito: Any
    # Which services the world is made of (their structure is fingerprinted, their data emptied); any other
    # service a test touches is emptied whole after it.
    services: frozenset[str] = frozenset()
    pristine: Fingerprint = field(default_factory=dict)
    mock: Any = None


def create() -> World:
    """The world, built in a mock of its own, which is left inactive (`active` turns it on for a test)."""
    # moto's answers serialised with less repeated work, as the local stack's emulator does (its module says
    # why that changes no answer).
    moto_speed.apply()
    mock = mock_aws(
        config={
            "core": {
                **default_user_config["core"],
                # The credentials stay those of the environment (tests/conftest.py sets fake ones), which
                # the guard there compares around each test.
                "mock_credentials": False,
                # One boto3 session for the whole run: a fresh one per test would load botocore's service
                # models again for every client.
                "reset_boto3_session": False,
            }
        }
    )
    mock.start()
    try:
        world = build(default_mail_sender())
    finally:
        mock.stop(remove_data=False)
    world.mock = mock
    return world


@contextmanager
def active(world: World) -> Iterator[None]:
    """AWS calls reach the world while this lasts, and nothing else's."""
    world.mock.start(reset=False)
    try:
        yield
    finally:
        world.mock.stop(remove_data=False)


def discard() -> None:
    """Everything moto holds, gone (at the end of the run)."""
    BackendDict.reset()


def build(mail_sender: str) -> World:
    """Inside an active `mock_aws()`: the world every integration test starts from."""
    create_tables()
    create_messaging(boto3.client("sqs", region_name=REGION), boto3.client("sns", region_name=REGION))
    cognito = boto3.client("cognito-idp", region_name=REGION)
    pool = create_user_pool(cognito, POOL_NAME)
    verify_sender(boto3.client("ses", region_name=REGION), mail_sender)
    services = frozenset(backends.service_name for backends in _in_use())
    return World(pool=pool, cognito=cognito, services=services, pristine=copy.deepcopy(fingerprint(services)))


def default_mail_sender() -> str:
    return Settings(stage="test", region=REGION).mail_sender


def reset(world: World) -> None:
    """Empties the world of every test's data, in place."""
    for backends in _in_use():
        if backends.service_name not in world.services:
            for _, _, backend in backends.iter_backends():
                backend.reset()
            continue
        empty = _EMPTIERS.get(backends.service_name)
        if empty is not None:
            for _, _, backend in backends.iter_backends():
                empty(backend)
    _forget_cached_secrets()


def leaks(world: World) -> list[str]:
    """What differs from the world as built, one line each; empty when the test left nothing behind."""
    return differences(world.pristine, fingerprint(world.services))


def rebuild(world: World) -> None:
    """Throws away everything moto holds and builds the world again (after a test leaked into it)."""
    BackendDict.reset()
    fresh = build(default_mail_sender())
    world.pool, world.cognito, world.services, world.pristine = (
        fresh.pool,
        fresh.cognito,
        fresh.services,
        fresh.pristine,
    )


def sweep_additions(world: World) -> None:
    """Removes the tables, queues, topics, subscriptions, user pools and app clients a test made beside the
    world's own; what it changed of the world's own stays, for the guard to find."""
    for backends in _in_use():
        if backends.service_name not in world.services:
            continue
        for account, region, backend in backends.iter_backends():
            where = f"{account} {region}"
            sweep = _SWEEPERS.get(backends.service_name)
            if sweep is not None:
                sweep(backend, where, world.pristine)


# Reading what moto holds


def sent_raw_mail(region: str = REGION) -> list[tuple[bytes, list[str]]]:
    """The raw messages the emulated SES accepted, oldest first: (the message as sent, its destinations,
    which the emulator lists with the To header's entries beside the envelope's)."""
    found = []
    for sent in ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages:
        if isinstance(sent, RawMessage):
            raw = sent.raw_data.encode() if isinstance(sent.raw_data, str) else sent.raw_data
            found.append((raw, list(sent.destinations)))
    return found


def sent_texts(region: str = REGION) -> list[tuple[str, str]]:
    """The text messages the emulated SNS sent, oldest first: (number, text)."""
    return list(sns_backends[DEFAULT_ACCOUNT_ID][region].sms_messages.values())


def emulated_table(name: str, region: str = REGION) -> Any:
    """moto's own object for a table (for the tests of the local stack's change to how moto copies one)."""
    return dynamodb_backends[DEFAULT_ACCOUNT_ID][region].tables[name]


# The fingerprint


def fingerprint(services: frozenset[str]) -> Fingerprint:
    """Every resource of the world's services, each under a readable name, with its settings and how much
    data it holds."""
    found: Fingerprint = {}
    for backends in _in_use():
        if backends.service_name not in services:
            continue
        describe: Callable[[Any], dict[str, Any]] = _DESCRIBERS.get(
            backends.service_name, _described_generically
        )
        for account, region, backend in backends.iter_backends():
            for name, description in describe(backend).items():
                found[f"{backends.service_name} {account} {region}: {name}"] = description
    return found


def differences(before: Fingerprint, after: Fingerprint) -> list[str]:
    found = []
    for name in sorted(after.keys() - before.keys()):
        found.append(f"{name} was made and left behind")
    for name in sorted(before.keys() - after.keys()):
        found.append(f"{name} is gone")
    for name in sorted(before.keys() & after.keys()):
        was, now = before[name], after[name]
        if was == now:
            continue
        if isinstance(was, dict) and isinstance(now, dict):
            for key in sorted(was.keys() | now.keys(), key=str):
                if was.get(key) != now.get(key):
                    found.append(f"{name}: {key} was {was.get(key)!r}, is {now.get(key)!r}")
        else:
            found.append(f"{name}: was {was!r}, is {now!r}")
    return found


def _in_use() -> Iterator[BackendDict[Any]]:
    # The services moto has built a backend for since it was last reset, world or not.
    yield from list(BackendDict._instances)  # type: ignore[misc]


def _without(described: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in described.items() if k not in keys}


def _described_generically(backend: BaseBackend) -> dict[str, Any]:
    """A service of the world without a describer of its own (IAM, which the emulator touches while the
    world is built): how many of each kind of thing it holds."""
    return {
        "contents": {
            attribute: len(value)
            for attribute, value in vars(backend).items()
            if isinstance(value, dict | list | set)
        }
    }


def _dynamodb(backend: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, table in backend.tables.items():
        described = _without(table.describe()["TableDescription"], "ItemCount", "TableSizeBytes")
        shard = table.stream_shard
        found[f"table {name}"] = {
            **described,
            "TimeToLive": table.ttl,
            "ContinuousBackups": table.continuous_backups,
            "Tags": table.tags,
            "items": len(table),
            "stream records": len(shard.items) if shard is not None else 0,
        }
    for attribute in ("backups", "table_imports", "table_exports", "resource_policies"):
        for key in getattr(backend, attribute):
            found[f"{attribute} {key}"] = "exists"
    return found


def _sqs(backend: Any) -> dict[str, Any]:
    return {
        f"queue {name}": {
            **{
                key: value
                for key, value in queue.attributes.items()
                if not key.startswith("Approximate") and key != "LastModifiedTimestamp"
            },
            "Tags": queue.tags,
            "Permissions": queue.permissions,
            "messages": len(queue._messages),
        }
        for name, queue in backend.queues.items()
    }


def _sns(backend: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        f"topic {arn}": {
            "DisplayName": topic.display_name,
            "DeliveryPolicy": topic.delivery_policy,
            "KmsMasterKeyId": topic.kms_master_key_id,
            "Policy": topic._policy_json,
            "Tags": topic._tags,
            "notifications": len(topic.sent_notifications),
        }
        for arn, topic in backend.topics.items()
    }
    for arn, subscription in backend.subscriptions.items():
        found[f"subscription {arn}"] = {
            "TopicArn": subscription.topic.arn,
            "Protocol": subscription.protocol,
            "Endpoint": subscription.endpoint,
            "Attributes": subscription.attributes,
        }
    for arn in backend.applications:
        found[f"platform application {arn}"] = "exists"
    for arn in backend.platform_endpoints:
        found[f"platform endpoint {arn}"] = "exists"
    found["texts"] = {
        "SmsAttributes": backend.sms_attributes,
        "OptedOut": sorted(backend.opt_out_numbers),
        "sent": len(backend.sms_messages),
    }
    return found


def _ses(backend: Any) -> dict[str, Any]:
    found: dict[str, Any] = {f"identity {name}": "verified" for name in backend.email_identities}
    for attribute in ("config_sets", "templates", "receipt_rule_set", "contacts_lists", "dedicated_ip_pools"):
        for key in getattr(backend, attribute):
            found[f"{attribute} {key}"] = "exists"
    found["notifications"] = {
        "Topics": backend.sns_topics,
        "MailFromDomains": backend.identity_mail_from_domains,
    }
    found["mail"] = {"sent": len(backend.sent_messages), "rejected": backend.rejected_messages_count}
    return found


def _cognito(backend: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for pool_id, pool in backend.user_pools.items():
        where = f"user pool {pool.name} ({pool_id})"
        found[where] = {
            **_without(pool.to_json(extended=True), "LastModifiedDate", "EstimatedNumberOfUsers"),
            "MfaConfiguration": pool.mfa_config,
            "SmsMfaConfiguration": pool.sms_mfa_config,
            "SoftwareTokenMfaConfiguration": pool.token_mfa_config,
            "ResourceServers": sorted(pool.resource_servers),
            "IdentityProviders": sorted(pool.identity_providers),
            "users": len(pool.users),
            "tokens": len(pool.refresh_tokens) + len(pool.access_tokens) + len(pool.id_tokens),
        }
        for client_id, client in pool.clients.items():
            found[f"{where} app client {client_id}"] = client.to_json(extended=True)
        for name, group in pool.groups.items():
            found[f"{where} group {name}"] = {
                **_without(group.to_json(), "LastModifiedDate"),
                "members": len(group.users),
            }
    for domain in backend.user_pool_domains:
        found[f"user pool domain {domain}"] = "exists"
    found["sign-in sessions"] = len(backend.sessions)
    return found


_DESCRIBERS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "dynamodb": _dynamodb,
    "sqs": _sqs,
    "sns": _sns,
    "ses": _ses,
    "cognito-idp": _cognito,
}


# Emptying


def _empty_dynamodb(backend: Any) -> None:
    for table in backend.tables.values():
        table.items.clear()
        if table.stream_shard is not None:
            table.stream_shard.items.clear()


def _empty_sqs(backend: Any) -> None:
    for queue in backend.queues.values():
        queue._messages.clear()
        queue._pending_messages.clear()
        queue.deleted_messages.clear()
        # A queue may be purged once a minute; the next test may purge it again.
        queue.last_purged_at = None


def _empty_sns(backend: Any) -> None:
    backend.sms_messages.clear()
    backend.sms_message_objects.clear()
    for topic in backend.topics.values():
        topic.sent_notifications.clear()


def _empty_ses(backend: Any) -> None:
    backend.sent_messages.clear()
    backend.sent_message_count = 0
    backend.rejected_messages_count = 0


def _empty_cognito(backend: Any) -> None:
    for pool in backend.user_pools.values():
        pool.users.clear()
        pool.refresh_tokens.clear()
        pool.access_tokens.clear()
        pool.id_tokens.clear()
        for group in pool.groups.values():
            group.users.clear()
    backend.sessions.clear()


_EMPTIERS: dict[str, Callable[[Any], None]] = {
    "dynamodb": _empty_dynamodb,
    "sqs": _empty_sqs,
    "sns": _empty_sns,
    "ses": _empty_ses,
    "cognito-idp": _empty_cognito,
}


def _forget_cached_secrets() -> None:
    """Powertools keeps each secret's value for its `max_age` (chalicelib/adapters/secrets.py); the secrets
    themselves were just removed."""
    parameters = sys.modules.get("aws_lambda_powertools.utilities.parameters")
    if parameters is not None:
        parameters.clear_caches()


# Sweeping what a `scratch` test added


def _pristine_has(pristine: Fingerprint, service: str, where: str, name: str) -> bool:
    return f"{service} {where}: {name}" in pristine


def _sweep_dynamodb(backend: Any, where: str, pristine: Fingerprint) -> None:
    for name in list(backend.tables):
        if not _pristine_has(pristine, "dynamodb", where, f"table {name}"):
            del backend.tables[name]


def _sweep_sqs(backend: Any, where: str, pristine: Fingerprint) -> None:
    for name in list(backend.queues):
        if not _pristine_has(pristine, "sqs", where, f"queue {name}"):
            del backend.queues[name]


def _sweep_sns(backend: Any, where: str, pristine: Fingerprint) -> None:
    for arn in list(backend.subscriptions):
        if not _pristine_has(pristine, "sns", where, f"subscription {arn}"):
            del backend.subscriptions[arn]
    for arn in list(backend.topics):
        if not _pristine_has(pristine, "sns", where, f"topic {arn}"):
            del backend.topics[arn]


def _sweep_cognito(backend: Any, where: str, pristine: Fingerprint) -> None:
    for pool_id, pool in list(backend.user_pools.items()):
        name = f"user pool {pool.name} ({pool_id})"
        if not _pristine_has(pristine, "cognito-idp", where, name):
            del backend.user_pools[pool_id]
            continue
        for client_id in list(pool.clients):
            if not _pristine_has(pristine, "cognito-idp", where, f"{name} app client {client_id}"):
                del pool.clients[client_id]


_SWEEPERS: dict[str, Callable[[Any, str, Fingerprint], None]] = {
    "dynamodb": _sweep_dynamodb,
    "sqs": _sweep_sqs,
    "sns": _sweep_sns,
    "cognito-idp": _sweep_cognito,
}
