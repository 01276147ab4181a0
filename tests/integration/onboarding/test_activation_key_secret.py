"""In AWS the activation key lives in Secrets Manager: the function knows only the secret's ARN, reads the
value when it first hashes a code, and keeps it (Powertools' cache) rather than asking on every request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
from chalice.test import Client
from pydantic import SecretStr

from chalicelib.clock import FixedClock
from chalicelib.container import Container, use_container
from chalicelib.models.application import ActivationModel
from chalicelib.models.outbox import MailKind
from chalicelib.services.onboarding.activation_codes import ActivationCodes
from chalicelib.settings import Settings
from tests import recorder
from tests.onboarding import apply, form, mail, send_gathered_letters, username_and_code

OTHER = "35770003"  # Grøn Hjælp Esbjerg, in the sample register
KEY = "a-key-only-secrets-manager-knows-0123456789abcdef"


def deployed_like(settings: Settings) -> Settings:
    """The settings of a dev or prod function: no key, only the secret's ARN."""
    secret = boto3.client("secretsmanager", region_name="eu-west-1").create_secret(
        Name="godkend-test/activation-key", SecretString=KEY
    )
    return settings.model_copy(
        update={"activation_key": SecretStr(""), "activation_key_secret": secret["ARN"]}
    )


def test_applications_hash_with_the_key_from_secrets_manager_read_once(
    client: Client, settings: Settings
) -> None:
    # Given a stage that names only the secret
    use_container(Container(settings=deployed_like(settings)))
    reads_before = recorder.count("secretsmanager", "GetSecretValue")

    # When two organisations apply
    first = apply(client)
    second = apply(client, form(cvr=OTHER, name="Grøn Hjælp Esbjerg", subsidiaries=[], accounts=[]))

    # Then both are accepted, and the secret was read once for the two
    assert (first.status_code, second.status_code) == (202, 202), second.body
    assert recorder.count("secretsmanager", "GetSecretValue") - reads_before == 1
    assert len(mail(MailKind.ACTIVATION_LETTER)) == 2


def test_the_codes_are_hashed_with_the_secrets_value(settings: Settings, tables: None) -> None:
    container = Container(settings=deployed_like(settings))

    digest = container.activation_codes.digest("ada", "ABCD-EFGH-JKMN")

    assert digest == ActivationCodes(KEY).digest("ada", "ABCD-EFGH-JKMN")


def test_local_and_test_stages_keep_their_fixed_key(settings: Settings) -> None:
    fixed = settings.activation_key.get_secret_value()

    assert fixed
    assert Container(settings=settings).activation_key() == fixed


def test_the_gathered_letters_sender_hashes_with_the_key_from_secrets_manager(
    client: Client, settings: Settings
) -> None:
    # Given two applications for one CVR, the second waiting for the mailbox's next letter
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    use_container(Container(settings=settings, clock=clock))
    apply(client)
    second = form(applicant={**form()["applicant"], "email": "bo@example.org"})
    assert apply(client, second).status_code == 202

    # When the sender runs an hour later in a function that knows only the secret's ARN
    clock.advance(timedelta(hours=1))
    use_container(Container(settings=deployed_like(settings), clock=clock))
    assert send_gathered_letters()["applications"] == 1

    # Then the code in the gathered letter was hashed with the secret's value
    gathered = mail(MailKind.ACTIVATION_LETTER)[-1]
    username, code = username_and_code(gathered)
    assert ActivationModel.get(username).code_digest == ActivationCodes(KEY).digest(username, code)
