"""The API as a deployed stage runs it, with settings built for prod (every integration test elsewhere runs
as `test`, where webhooks may go to loopback and companies come from the sample register).

It proves companies against the CVR register (`GODKEND_REGISTRY=cvr`): the API function reads the register's
user and password from the stage's own secret when a lookup first needs them, and addresses the letter to the
mailbox the register has on record. The register itself is played by a fake search API that answers with the
responses the Danish Business Authority documents. And it refuses webhooks to loopback."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

import boto3
from chalice.test import Client

from chalicelib.adapters.registry import build_registry
from chalicelib.container import Container, use_container
from chalicelib.models.outbox import MailKind
from chalicelib.settings import Settings
from tests import recorder
from tests.integration.access.test_authentication import assert_problem
from tests.integration.webhooks.test_webhooks import register
from tests.onboarding import apply, form, mail
from tests.people import People, json_of

RESPONSES = Path(__file__).resolve().parents[2] / "unit" / "cvr_responses"
GROUP_SHOP = "25560000"  # in the register's answer: Blå Kors Odense Genbrug ApS
SECRET_NAME = "godkend-test/cvr-credentials"  # `${TablePrefix}/cvr-credentials`, as the stack names it
CREDENTIALS = {"username": "godkend-system", "password": "from-erhvervsstyrelsen-2026"}


class SearchApi:
    """The register's search API: its documented answer for the company it knows, no hits for any other.
    Remembers the basic-auth user and password of every request."""

    def __init__(self) -> None:
        self.known = {GROUP_SHOP: json.loads((RESPONSES / "active_with_owner.json").read_text())}
        self.nothing = json.loads((RESPONSES / "no_hits.json").read_text())
        self.auth: list[tuple[str, str]] = []

    def post_json(
        self, url: str, body: dict[str, Any], *, auth: tuple[str, str], timeout: float
    ) -> tuple[int, Any]:
        self.auth.append(auth)
        cvr = str(body["query"]["term"]["Vrvirksomhed.cvrNummer"])
        return 200, self.known.get(cvr, self.nothing)


def built_for_prod(settings: Settings, secret_id: str) -> Settings:
    """The settings of the prod API function (checked as Settings checks them): the CVR register and only
    where its secret is, the activation key from Secrets Manager; the emulator's pool and tables."""
    activation_key = boto3.client("secretsmanager", region_name="eu-west-1").create_secret(
        Name="godkend-test/activation-key", SecretString="a-key-only-secrets-manager-knows-0123456789ab"
    )
    return Settings(
        stage="prod",
        region=settings.region,
        table_prefix=settings.table_prefix,
        cognito_user_pool_id=settings.cognito_user_pool_id,
        cognito_client_id=settings.cognito_client_id,
        mail_retry_delays_seconds=settings.mail_retry_delays_seconds,
        mail_max_attempts=settings.mail_max_attempts,
        registry="cvr",
        cvr_secret_id=secret_id,
        activation_key_secret=activation_key["ARN"],
    )


def use_the_register(settings: Settings, search: SearchApi) -> None:
    use_container(Container(settings=settings, registry=build_registry(settings, transport=search)))


def test_the_letter_goes_to_the_registers_mailbox_asked_with_the_credentials_from_the_stages_secret(
    client: Client, settings: Settings
) -> None:
    # Given a stage on the CVR register whose credentials the operator has set in its secret
    secret = boto3.client("secretsmanager", region_name="eu-west-1").create_secret(
        Name=SECRET_NAME, SecretString=json.dumps(CREDENTIALS)
    )
    search = SearchApi()
    use_the_register(built_for_prod(settings, secret["ARN"]), search)
    reads_before = recorder.count("secretsmanager", "GetSecretValue")

    # When a company the register knows applies, and then one it does not
    applied = apply(client, form(cvr=GROUP_SHOP, name="Blå Kors Genbrug", subsidiaries=[], accounts=[]))
    unknown = apply(client, form(cvr="10000009", name="Ukendt", subsidiaries=[], accounts=[]))

    # Then the register was asked with the secret's user and password, read once for both lookups (as the
    # activation key's secret was: two reads in all)
    assert applied.status_code == 202, applied.body
    assert search.auth == [("godkend-system", "from-erhvervsstyrelsen-2026")] * 2
    assert recorder.count("secretsmanager", "GetSecretValue") - reads_before == 2
    # And the letter went to the mailbox on record with the register now, not to an earlier one
    (letter,) = mail(MailKind.ACTIVATION_LETTER)
    assert letter.to_address == "post@blaakors-genbrug.example"
    # And a company the register does not know gets no letter
    assert unknown.status_code == 422, unknown.body


def test_a_stage_whose_register_credentials_have_no_value_yet_answers_503_and_writes_nothing(
    client: Client, settings: Settings
) -> None:
    # Given a freshly deployed stage: the stack made the secret, the operator has not set it yet
    secret = boto3.client("secretsmanager", region_name="eu-west-1").create_secret(Name=SECRET_NAME)
    search = SearchApi()
    use_the_register(built_for_prod(settings, secret["ARN"]), search)

    # When a company applies
    response = apply(client, form(cvr=GROUP_SHOP, name="Blå Kors Genbrug", subsidiaries=[], accounts=[]))

    # Then the register cannot be asked: 503, the register never called, and no letter
    assert_problem(response, 503, "upstream-unavailable")
    assert search.auth == []
    assert mail(MailKind.ACTIVATION_LETTER) == []


def resolving_names_to_a_public_address(host: str, port: int) -> list[str]:
    """DNS as it answers: an address stands for itself, any name is a public address."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        return ["93.184.215.14"]


def test_prod_refuses_a_webhook_to_loopback_and_takes_one_to_a_public_address(
    client: Client, settings: Settings, people: People
) -> None:
    # Given the API with prod's settings, and a vendor
    prod = built_for_prod(settings, "godkend-test/cvr-credentials")
    use_container(Container(settings=prod, resolver=resolving_names_to_a_public_address))
    vendor = people.vendor()

    # When the vendor registers an endpoint on this machine, by http or by https
    refused = [register(client, vendor, url) for url in ("http://127.0.0.1:9/hook", "https://127.0.0.1/hook")]

    # Then both are refused at the field, and an https endpoint on a public address is taken
    for response in refused:
        assert response.status_code == 400, response.body
        assert [e["field"] for e in json_of(response)["errors"]] == ["url"]
    assert register(client, vendor, "https://hooks.example.org/godkend").status_code == 200
