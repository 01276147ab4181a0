"""The service's dependencies, built lazily on first use and cached for the life of the Lambda container.

Nothing here runs at import time: a cold start pays for a client only when a request needs it. Tests swap
the whole container (`use_container`) to inject a fixed clock or fakes.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import boto3

from chalicelib.adapters.cognito import CognitoDirectory
from chalicelib.adapters.idempotency import SendOnce
from chalicelib.adapters.ses import ArchivingSender, SesSender
from chalicelib.adapters.sqs import SqsRetryScheduler
from chalicelib.adapters.tokens import CognitoTokenVerifier, JwksKeys
from chalicelib.clock import Clock, SystemClock
from chalicelib.models.idempotency import IdempotencyModel
from chalicelib.models.user import get_user, record_second_factor
from chalicelib.services.codes import CodeService, RandomSource, draw_random_part
from chalicelib.services.identity import IdentityService
from chalicelib.services.mail_delivery import MailDelivery, Sender
from chalicelib.services.ratelimit import FailureLimit
from chalicelib.services.validation import ValidationService
from chalicelib.services.vendors import VendorService
from chalicelib.settings import Settings, get_settings, resource_name


class Container:
    def __init__(
        self,
        settings: Settings | None = None,
        clock: Clock | None = None,
        code_random: RandomSource | None = None,
    ) -> None:
        self._settings = settings
        self.clock: Clock = clock or SystemClock()
        # Where the random part of a code value comes from; tests give a predictable one.
        self._code_random = code_random or draw_random_part

    @cached_property
    def settings(self) -> Settings:
        return self._settings or get_settings()

    @cached_property
    def cognito_client(self) -> Any:
        return boto3.client("cognito-idp", region_name=self.settings.region)

    @cached_property
    def send_once(self) -> SendOnce:
        return SendOnce(table_name=IdempotencyModel.Meta.table_name, client=boto3.client("dynamodb"))

    @cached_property
    def mail_sender(self) -> Sender:
        settings = self.settings
        ses = boto3.client("ses", region_name=settings.region)
        sender = SesSender(ses, sender=settings.mail_sender, configuration_set=settings.ses_configuration_set)
        return (
            ArchivingSender(sender, Path(settings.mail_archive_dir)) if settings.mail_archive_dir else sender
        )

    @cached_property
    def mail_delivery(self) -> MailDelivery:
        return self.build_mail_delivery(self.mail_sender)

    def build_mail_delivery(self, sender: Sender) -> MailDelivery:
        settings = self.settings
        return MailDelivery(
            sender=sender,
            retries=SqsRetryScheduler(
                boto3.client("sqs", region_name=settings.region), resource_name("mail-retry")
            ),
            clock=self.clock,
            mail_sender=settings.mail_sender,
            max_attempts=settings.mail_max_attempts,
            retry_delays_seconds=settings.mail_retry_delays_seconds,
            once=self.send_once,
        )

    @cached_property
    def identity(self) -> IdentityService:
        settings = self.settings
        verifier = CognitoTokenVerifier(
            issuer=settings.cognito_issuer,
            client_id=settings.cognito_client_id,
            keys=JwksKeys(settings.jwks_url),
            clock=self.clock,
        )
        return IdentityService(
            verifier=verifier,
            directory=CognitoDirectory(self.cognito_client, settings.cognito_user_pool_id),
            find_user=get_user,
            record_second_factor=record_second_factor,
            staff_group=settings.staff_group,
        )

    @cached_property
    def codes(self) -> CodeService:
        return CodeService(clock=self.clock, draw=self._code_random)

    @cached_property
    def dynamodb_client(self) -> Any:
        return boto3.client("dynamodb", region_name=self.settings.region)

    @cached_property
    def vendors(self) -> VendorService:
        return VendorService(clock=self.clock)

    @cached_property
    def validations(self) -> ValidationService:
        settings = self.settings
        return ValidationService(
            clock=self.clock,
            limit=FailureLimit(
                limit=settings.validation_failure_limit,
                window_seconds=settings.validation_failure_window_seconds,
            ),
            dynamodb=self.dynamodb_client,
        )


_container: Container | None = None


def container() -> Container:
    global _container
    if _container is None:
        _container = Container()
    return _container


def use_container(replacement: Container | None) -> None:
    """Replace the cached container (tests), or drop it so the next request builds a fresh one."""
    global _container
    _container = replacement
