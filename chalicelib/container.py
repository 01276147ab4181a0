"""The composition root: the service's dependencies, built lazily on first use and cached for the life of the
Lambda container.

One root for every way in: the routes (`chalicelib/api/`), the event handlers (`chalicelib/events/`), the
local stack's jobs (`infra/local/`), the benches and the tests all get their services here, so none of them
needs the HTTP layer to reach a service. Nothing here runs at import time: a cold start pays for a client only
when a request needs it. Tests swap the whole container (`use_container`) to inject a fixed clock or fakes.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib.clock import Clock, SystemClock

if TYPE_CHECKING:
    from chalicelib.adapters.cognito import CognitoDirectory
    from chalicelib.adapters.idempotency import SendOnce
    from chalicelib.adapters.registry import CompanyRegistry
    from chalicelib.adapters.sqs import SqsRetryScheduler
    from chalicelib.mail.render import MailFrame
    from chalicelib.services.access.identity import IdentityService, SmsSender
    from chalicelib.services.access.sessions import SessionService
    from chalicelib.services.access.sign_in_names import EmailSignIn
    from chalicelib.services.codes.codes import CodeService, RandomSource
    from chalicelib.services.codes.reminders import (
        ReminderPlanner,
        ReminderWriter,
    )
    from chalicelib.services.codes.renewal_requests import RenewalLinks, RenewalRequestService
    from chalicelib.services.onboarding.activation_codes import ActivationCodes
    from chalicelib.services.onboarding.activations import ActivationService, LoginDirectory
    from chalicelib.services.onboarding.applications import ApplicationService
    from chalicelib.services.onboarding.caller_limits import CallerLimits
    from chalicelib.services.onboarding.eligibility import EligibilityService
    from chalicelib.services.onboarding.gathered_letters import GatheredLetterService
    from chalicelib.services.onboarding.letter_promise import LetterWatchService
    from chalicelib.services.onboarding.mailboxes import Pacing
    from chalicelib.services.onboarding.proofs import ProofService
    from chalicelib.services.onboarding.support import SupportService
    from chalicelib.services.onboarding.support_cases import SupportCaseService
    from chalicelib.services.organisation.master_data import OrganisationService
    from chalicelib.services.outbox.delivery import MailDelivery, Sender
    from chalicelib.services.outbox.sweeper import OutboxSweeper
    from chalicelib.services.people.colleagues import ColleagueService
    from chalicelib.services.people.invitation_limits import InvitationLimits
    from chalicelib.services.people.invitations import InvitationService
    from chalicelib.services.people.staff import StaffService
    from chalicelib.services.people.vendor_people import VendorPeopleService
    from chalicelib.services.privacy.personal_data import PersonalDataService
    from chalicelib.services.vendors.api_keys import KeyStore
    from chalicelib.services.vendors.hosted_checks import HostedCheckService
    from chalicelib.services.vendors.keys import VendorService
    from chalicelib.services.vendors.receipt_keys import KeySet, PublishedKeys, ReceiptSigner
    from chalicelib.services.vendors.validation import ValidationService
    from chalicelib.services.vendors.vendor_receipts import VendorReceipts
    from chalicelib.services.webhooks.console import VendorWebhooks
    from chalicelib.services.webhooks.delivery import Poster, WebhookDelivery
    from chalicelib.services.webhooks.endpoints import StaffDeliveries, WebhookService
    from chalicelib.services.webhooks.event_feed import EventExpander
    from chalicelib.services.webhooks.urls import Resolver
    from chalicelib.settings import Settings


class Container:
    def __init__(
        self,
        settings: Settings | None = None,
        clock: Clock | None = None,
        code_random: RandomSource | None = None,
        *,
        registry: CompanyRegistry | None = None,
        logins: LoginDirectory | None = None,
        resolver: Resolver | None = None,
        poster: Poster | None = None,
    ) -> None:
        self._settings = settings
        self.clock: Clock = clock or SystemClock()
        # Where the random part of a code value comes from; tests give a predictable one.
        self._code_random = code_random
        self._registry = registry
        self._logins = logins
        # How webhook hosts resolve and deliveries are posted; tests may give their own.
        self._resolver = resolver
        self._poster = poster

    @cached_property
    def settings(self) -> Settings:
        from chalicelib.settings import get_settings

        return self._settings or get_settings()

    @cached_property
    def cognito_client(self) -> Any:
        import boto3

        return boto3.client("cognito-idp", region_name=self.settings.region)

    @cached_property
    def send_once(self) -> SendOnce:
        import boto3

        from chalicelib.adapters.idempotency import SendOnce
        from chalicelib.models.idempotency import IdempotencyModel

        return SendOnce(table_name=IdempotencyModel.Meta.table_name, client=boto3.client("dynamodb"))

    @cached_property
    def mail_sender(self) -> Sender:
        from pathlib import Path

        import boto3

        from chalicelib.adapters.ses import ArchivingSender, SesSender

        settings = self.settings
        ses = boto3.client("ses", region_name=settings.region)
        sender = SesSender(ses, sender=settings.mail_sender, configuration_set=settings.ses_configuration_set)
        return (
            ArchivingSender(sender, Path(settings.mail_archive_dir)) if settings.mail_archive_dir else sender
        )

    @cached_property
    def mail_delivery(self) -> MailDelivery:
        return self.build_mail_delivery(self.mail_sender)

    @cached_property
    def mail_retries(self) -> SqsRetryScheduler:
        import boto3

        from chalicelib.adapters.sqs import SqsRetryScheduler
        from chalicelib.settings import resource_name

        return SqsRetryScheduler(
            boto3.client("sqs", region_name=self.settings.region), resource_name("mail-retry")
        )

    @cached_property
    def outbox_sweeper(self) -> OutboxSweeper:
        from chalicelib.services.outbox.sweeper import OutboxSweeper

        return OutboxSweeper(retries=self.mail_retries, clock=self.clock)

    def build_mail_delivery(self, sender: Sender) -> MailDelivery:

        from chalicelib.services.outbox.delivery import MailDelivery

        settings = self.settings
        return MailDelivery(
            sender=sender,
            retries=self.mail_retries,
            clock=self.clock,
            mail_sender=settings.mail_sender,
            max_attempts=settings.mail_max_attempts,
            retry_delays_seconds=settings.mail_retry_delays_seconds,
            once=self.send_once,
            frame=self.mail_frame,
        )

    @property
    def mail_frame(self) -> MailFrame:
        """What every mail of the stage shares: the console's address for its links, the support contact."""
        from chalicelib.mail.render import MailFrame

        settings = self.settings
        return MailFrame(
            console_address=self.service_address,
            support_email=settings.support_email,
            support_phone=settings.support_phone,
            support_hours={"da": settings.support_hours_da, "en": settings.support_hours_en},
        )

    @cached_property
    def directory(self) -> CognitoDirectory:
        from chalicelib.adapters.cognito import CognitoDirectory

        settings = self.settings
        return CognitoDirectory(
            self.cognito_client, settings.cognito_user_pool_id, settings.cognito_client_id
        )

    @cached_property
    def registry(self) -> CompanyRegistry:
        """The company register (`GODKEND_REGISTRY`): where activation letters are addressed."""
        from chalicelib.adapters.registry import build_registry

        return self._registry or build_registry(self.settings)

    @cached_property
    def logins(self) -> LoginDirectory:
        return self._logins or self.directory

    @cached_property
    def activation_codes(self) -> ActivationCodes:
        from chalicelib.services.onboarding.activation_codes import ActivationCodes

        return ActivationCodes(self.activation_key())

    def activation_key(self) -> str:
        """The stage's fixed key (local, test), else the secret's value (dev, prod), read on first need."""
        settings = self.settings
        fixed = settings.activation_key.get_secret_value()
        if fixed or not settings.activation_key_secret:
            return fixed
        from chalicelib.adapters.secrets import secret_value

        return secret_value(settings.activation_key_secret)

    @cached_property
    def letter_pacing(self) -> Pacing:
        from chalicelib.services.onboarding.mailboxes import Pacing

        return Pacing(interval=timedelta(seconds=self.settings.letter_interval_seconds))

    @property
    def service_address(self) -> str:
        """The address letters tell companies to go to: the stage's console (its first origin), if any."""
        origins = self.settings.console_origins
        return origins[0] if origins else ""

    @cached_property
    def application_limits(self) -> CallerLimits:
        from chalicelib.services.onboarding.caller_limits import CallerLimits
        from chalicelib.services.vendors.failure_limit import FailureLimit

        settings = self.settings
        codes = self.activation_codes
        return CallerLimits(
            what="applications",
            limits=[
                FailureLimit(limit=settings.applications_per_caller_per_hour, window_seconds=3600),
                FailureLimit(limit=settings.applications_per_caller_per_day, window_seconds=24 * 3600),
            ],
            clock=self.clock,
            pseudonym=lambda caller: codes.pseudonym("caller", caller),
            refusal="Too many applications from your address; apply again when Retry-After has passed.",
        )

    def sign_in_limits(self, what: str, per_hour: int) -> CallerLimits:
        from chalicelib.services.onboarding.caller_limits import CallerLimits
        from chalicelib.services.vendors.failure_limit import FailureLimit

        codes = self.activation_codes
        return CallerLimits(
            what=what,
            limits=[FailureLimit(limit=per_hour, window_seconds=3600)],
            clock=self.clock,
            pseudonym=lambda caller: codes.pseudonym("caller", caller),
            refusal="Too many sign-in tries; try again when Retry-After has passed.",
        )

    def per_vendor_hourly_limits(self, what: str, per_hour: int, refusal: str) -> CallerLimits:
        """A bound on what a vendor may set off in a sliding hour, counted per vendor, whose id is no one's
        personal data."""
        from chalicelib.services.onboarding.caller_limits import CallerLimits
        from chalicelib.services.vendors.failure_limit import FailureLimit

        return CallerLimits(
            what=what,
            limits=[FailureLimit(limit=per_hour, window_seconds=3600)],
            clock=self.clock,
            pseudonym=lambda vendor_id: vendor_id,
            refusal=refusal,
        )

    @cached_property
    def email_sign_in(self) -> EmailSignIn:
        from chalicelib.services.access.sign_in_names import EmailSignIn

        settings = self.settings
        return EmailSignIn(
            directory=self.directory,
            admit_caller=self.sign_in_limits("sign-in", settings.sign_ins_per_caller_per_hour).admit,
            admit_address=self.sign_in_limits(
                "sign-in-address", settings.sign_ins_per_address_per_hour
            ).admit,
            # The second step counts apart from the first, so that one sign-in costs one of each hour.
            admit_answering_caller=self.sign_in_limits(
                "sign-in-answer", settings.sign_ins_per_caller_per_hour
            ).admit,
            admit_answering_login=self.sign_in_limits(
                "sign-in-answer-login", settings.sign_ins_per_address_per_hour
            ).admit,
            end_sessions=self.sessions.password_reset,
        )

    @cached_property
    def applications(self) -> ApplicationService:
        from chalicelib.services.onboarding.applications import ApplicationService

        return ApplicationService(
            registry=self.registry,
            codes=self.activation_codes,
            clock=self.clock,
            pacing=self.letter_pacing,
            callers=self.application_limits,
            service_address=self.service_address,
        )

    @cached_property
    def gathered_letters(self) -> GatheredLetterService:
        from chalicelib.services.onboarding.gathered_letters import GatheredLetterService

        return GatheredLetterService(
            codes=self.activation_codes,
            clock=self.clock,
            pacing=self.letter_pacing,
            service_address=self.service_address,
        )

    @cached_property
    def activations(self) -> ActivationService:
        from chalicelib.services.onboarding.activations import ActivationService

        return ActivationService(
            codes=self.activation_codes, logins=self.logins, clock=self.clock, proofs=self.proofs
        )

    @cached_property
    def proofs(self) -> ProofService:
        from chalicelib.services.onboarding.proofs import ProofService

        return ProofService(
            codes=self.activation_codes,
            clock=self.clock,
            registry=self.registry,
            pacing=self.letter_pacing,
            service_address=self.service_address,
        )

    @cached_property
    def eligibility(self) -> EligibilityService:
        from chalicelib.services.onboarding.eligibility import EligibilityService

        return EligibilityService(clock=self.clock, registry=self.registry)

    @cached_property
    def support(self) -> SupportService:
        from chalicelib.services.onboarding.support import SupportService

        return SupportService(logins=self.logins, clock=self.clock)

    @cached_property
    def support_cases(self) -> SupportCaseService:
        from chalicelib.services.onboarding.caller_limits import CallerLimits
        from chalicelib.services.onboarding.support_cases import SupportCaseService
        from chalicelib.services.vendors.failure_limit import FailureLimit

        settings = self.settings
        codes = self.activation_codes
        callers = CallerLimits(
            what="support-cases",
            limits=[
                FailureLimit(limit=settings.support_cases_per_caller_per_hour, window_seconds=3600),
                FailureLimit(limit=settings.support_cases_per_caller_per_day, window_seconds=24 * 3600),
            ],
            clock=self.clock,
            pseudonym=lambda caller: codes.pseudonym("caller", caller),
            refusal="Too many support cases from your address; write again when Retry-After has passed.",
        )
        return SupportCaseService(clock=self.clock, callers=callers)

    @cached_property
    def staff(self) -> StaffService:
        from chalicelib.services.people.staff import StaffService

        return StaffService(logins=self.logins, clock=self.clock)

    @cached_property
    def sessions(self) -> SessionService:
        from chalicelib.services.access.sessions import SessionService

        return SessionService(directory=self.directory, clock=self.clock)

    @cached_property
    def personal_data(self) -> PersonalDataService:
        from chalicelib.services.privacy.personal_data import PersonalDataService

        # The pseudonyms an erasure leaves in the audit trail are keyed with the activation key, so that a
        # list of addresses cannot be matched against them (chalicelib/services/privacy/pseudonyms.py).
        return PersonalDataService(clock=self.clock, pseudonym_key=self.activation_key().encode())

    @cached_property
    def identity(self) -> IdentityService:
        from chalicelib.adapters.tokens import CognitoTokenVerifier, JwksKeys
        from chalicelib.models.user import get_user, record_second_factor
        from chalicelib.services.access.identity import IdentityService

        settings = self.settings
        verifier = CognitoTokenVerifier(
            issuer=settings.cognito_issuer,
            client_id=settings.cognito_client_id,
            keys=JwksKeys(settings.jwks_url),
            clock=self.clock,
        )
        return IdentityService(
            verifier=verifier,
            directory=self.directory,
            find_user=get_user,
            record_second_factor=record_second_factor,
            staff_group=settings.staff_group,
            clock=self.clock,
            sms=self.sms,
            code_key=settings.activation_key.get_secret_value().encode(),
        )

    @cached_property
    def sms(self) -> SmsSender:
        from pathlib import Path

        import boto3

        from chalicelib.adapters.sms import ArchivingSms, SnsSms

        settings = self.settings
        sender = SnsSms(boto3.client("sns", region_name=settings.region))
        return ArchivingSms(sender, Path(settings.mail_archive_dir)) if settings.mail_archive_dir else sender

    @cached_property
    def codes(self) -> CodeService:
        from chalicelib.services.codes.codes import CodeService, draw_random_part

        return CodeService(
            clock=self.clock, draw=self._code_random or draw_random_part, links=self.renewal_links
        )

    @cached_property
    def renewal_links(self) -> RenewalLinks:
        from chalicelib.services.codes.renewal_requests import RenewalLinks

        return RenewalLinks(console_address=self.service_address)

    @cached_property
    def renewal_requests(self) -> RenewalRequestService:
        from chalicelib.services.codes.renewal_requests import RenewalRequestService
        from chalicelib.services.onboarding.caller_limits import CallerLimits
        from chalicelib.services.vendors.failure_limit import FailureLimit

        codes = self.activation_codes
        day = 24 * 3600

        def limits(what: str, limit: int, window_seconds: int, refusal: str) -> CallerLimits:
            return CallerLimits(
                what=what,
                limits=[FailureLimit(limit=limit, window_seconds=window_seconds)],
                clock=self.clock,
                pseudonym=lambda value: codes.pseudonym(what, value),
                refusal=refusal,
            )

        # A person clicks a link a few times; guessing links needs millions of tries.
        return RenewalRequestService(
            clock=self.clock,
            callers=limits("renewal-links", 30, 3600, "Too many tries from your address; try again later."),
            per_code=limits(
                "renewal-code", 3, 7 * day, "This code was asked for too often; try again later."
            ),
            per_representative=limits(
                "renewal-representative", 5, day, "You have asked too often today; try again tomorrow."
            ),
        )

    @cached_property
    def dynamodb_client(self) -> Any:
        import boto3

        return boto3.client("dynamodb", region_name=self.settings.region)

    @cached_property
    def vendors(self) -> VendorService:
        from chalicelib.services.vendors.keys import VendorService

        return VendorService(clock=self.clock)

    @cached_property
    def vendor_keys(self) -> KeyStore:
        """The keys a vendor's request is checked against: the key's check alone, so that a vendor's first
        request imports nothing of key management (`vendors`)."""
        from chalicelib.services.vendors.api_keys import KeyStore

        return KeyStore()

    @cached_property
    def receipt_signer(self) -> ReceiptSigner:
        """Signs receipts with the key set read once per container: a check adds no call for its receipt."""
        from chalicelib.services.vendors.receipt_keys import ReceiptSigner

        return ReceiptSigner(self.receipt_key_set(), issuer=self.settings.receipt_issuer)

    @cached_property
    def published_receipt_keys(self) -> PublishedKeys:
        from chalicelib.services.vendors.receipt_keys import PublishedKeys

        return PublishedKeys(self.receipt_key_set, self.clock)

    def receipt_key_set(self) -> KeySet:
        """The receipt key set as the secret holds it now (GODKEND_RECEIPT_KEYS_SECRET)."""
        from chalicelib.services.vendors.receipt_keys import KeySet, KeySetBroken

        name = self.settings.receipt_keys_secret
        if not name:
            raise KeySetBroken("GODKEND_RECEIPT_KEYS_SECRET names no secret: receipts cannot be signed")
        from chalicelib.adapters.secrets import secret_value

        return KeySet.from_json(secret_value(name, fresh=True))

    @cached_property
    def validations(self) -> ValidationService:
        from chalicelib.services.vendors.failure_limit import FailureLimit
        from chalicelib.services.vendors.validation import ValidationService

        settings = self.settings
        return ValidationService(
            clock=self.clock,
            limit=FailureLimit(
                limit=settings.validation_failure_limit,
                window_seconds=settings.validation_failure_window_seconds,
            ),
            receipt_years=settings.receipt_retention_years,
            dynamodb=self.dynamodb_client,
            signer=lambda: self.receipt_signer,
        )

    @cached_property
    def vendor_receipts(self) -> VendorReceipts:
        from chalicelib.services.vendors.vendor_receipts import VendorReceipts

        return VendorReceipts(clock=self.clock, signer=lambda: self.receipt_signer)

    @cached_property
    def hosted_checks(self) -> HostedCheckService:
        from chalicelib.services.onboarding.caller_limits import CallerLimits
        from chalicelib.services.vendors.failure_limit import FailureLimit
        from chalicelib.services.vendors.hosted_checks import HostedCheckService

        codes = self.activation_codes
        return HostedCheckService(
            clock=self.clock,
            validations=self.validations,
            console_url=self.service_address,
            # The page makes three requests a check; a caller with more than a few hundred an hour is not a
            # representative at a vendor's checkout.
            callers=CallerLimits(
                what="hosted-check",
                limits=[FailureLimit(limit=300, window_seconds=3600)],
                clock=self.clock,
                pseudonym=lambda caller: codes.pseudonym("caller", caller),
                refusal="Too many requests from your address; try again when Retry-After has passed.",
            ),
            code_tries=CallerLimits(
                what="hosted-check-codes",
                # A person types their code a few times (each try is shown, then confirmed); the vendor's
                # failure limit is not to be reached by one caller.
                limits=[
                    FailureLimit(
                        limit=self.settings.hosted_check_codes_per_caller_per_hour, window_seconds=3600
                    )
                ],
                clock=self.clock,
                pseudonym=lambda caller: codes.pseudonym("caller", caller),
                refusal="Too many codes tried from your address; try again when Retry-After has passed.",
            ),
            wrong_codes_per_check=self.settings.hosted_check_wrong_codes_per_check,
            # Posts of test-mode events to the vendor's endpoint, as its console's test events are limited.
            test_events=self.per_vendor_hourly_limits(
                "test-check-events",
                self.settings.test_check_events_per_vendor_per_hour,
                "Too many test check events for this vendor.",
            ),
        )

    @cached_property
    def colleagues(self) -> ColleagueService:
        from chalicelib.services.people.colleagues import ColleagueService

        return ColleagueService(logins=self.logins, clock=self.clock, limits=self.invitation_limits)

    @cached_property
    def vendor_people(self) -> VendorPeopleService:
        from chalicelib.services.people.vendor_people import VendorPeopleService

        return VendorPeopleService(logins=self.logins, clock=self.clock, limits=self.invitation_limits)

    @cached_property
    def invitation_limits(self) -> InvitationLimits:
        from chalicelib.services.people.invitation_limits import InvitationLimits

        settings = self.settings
        return InvitationLimits(
            per_person=settings.invitations_per_person_per_day,
            per_group=settings.invitations_per_group_per_day,
        )

    @cached_property
    def invitations(self) -> InvitationService:
        from chalicelib.services.people.invitations import InvitationService

        return InvitationService(logins=self.logins, clock=self.clock)

    @cached_property
    def organisation(self) -> OrganisationService:
        from chalicelib.services.organisation.master_data import OrganisationService

        return OrganisationService(clock=self.clock)

    @cached_property
    def reminder_planner(self) -> ReminderPlanner:
        import boto3

        from chalicelib.adapters.sqs import SqsChunkQueue
        from chalicelib.services.codes.reminders import ReminderPlanner
        from chalicelib.settings import resource_name

        settings = self.settings
        queue = SqsChunkQueue(boto3.client("sqs", region_name=settings.region), resource_name("reminders"))
        return ReminderPlanner(queue=queue, clock=self.clock, chunk_size=settings.reminder_chunk_size)

    @cached_property
    def reminder_writer(self) -> ReminderWriter:
        from chalicelib.services.codes.reminders import CONSUMERS, MAILS_PER_CODE, Pacer, ReminderWriter

        # Cached with the container, so the pace holds across the invocations a Lambda container serves.
        rate = self.settings.reminder_mails_per_second / CONSUMERS
        return ReminderWriter(
            clock=self.clock,
            pacer=Pacer(rate),
            codes_per_write=int(rate // MAILS_PER_CODE),
            links=self.renewal_links,
        )

    @cached_property
    def letter_watch(self) -> LetterWatchService:
        from chalicelib.services.onboarding.letter_promise import LetterWatchService

        return LetterWatchService(clock=self.clock)

    @cached_property
    def webhooks(self) -> WebhookService:
        from chalicelib.services.webhooks.endpoints import WebhookService
        from chalicelib.services.webhooks.urls import resolve

        settings = self.settings
        return WebhookService(
            clock=self.clock,
            allow_loopback=settings.webhooks_may_use_loopback,
            secret_overlap=timedelta(seconds=settings.webhook_secret_overlap_seconds),
            feed_settle=timedelta(seconds=settings.webhook_feed_settle_seconds),
            resolver=self._resolver or resolve,
        )

    @cached_property
    def vendor_webhooks(self) -> VendorWebhooks:
        from chalicelib.services.webhooks.console import VendorWebhooks

        tests = self.per_vendor_hourly_limits(
            "webhook-tests",
            self.settings.webhook_tests_per_vendor_per_hour,
            "Too many test events for this vendor; send another when Retry-After has passed.",
        )
        return VendorWebhooks(webhooks=self.webhooks, clock=self.clock, admit_test=tests.admit)

    @cached_property
    def staff_deliveries(self) -> StaffDeliveries:
        from chalicelib.services.webhooks.endpoints import StaffDeliveries

        return StaffDeliveries(clock=self.clock)

    @cached_property
    def event_expander(self) -> EventExpander:
        from chalicelib.services.webhooks.event_feed import EventExpander

        return EventExpander(clock=self.clock)

    @cached_property
    def webhook_delivery(self) -> WebhookDelivery:
        import boto3

        from chalicelib.adapters.sqs import SqsDeliveryQueue
        from chalicelib.adapters.webhook_http import PinnedPoster
        from chalicelib.environment import resource_name
        from chalicelib.services.webhooks.delivery import RetryPolicy, WebhookDelivery
        from chalicelib.services.webhooks.urls import resolve

        settings = self.settings
        return WebhookDelivery(
            poster=self._poster or PinnedPoster(timeout_seconds=settings.webhook_timeout_seconds),
            queue=SqsDeliveryQueue(
                boto3.client("sqs", region_name=settings.region), resource_name("webhook-deliveries")
            ),
            clock=self.clock,
            allow_loopback=settings.webhooks_may_use_loopback,
            policy=RetryPolicy(
                base_seconds=settings.webhook_retry_base_seconds,
                max_seconds=settings.webhook_retry_max_seconds,
                window=timedelta(seconds=settings.webhook_retry_window_seconds),
            ),
            timeout_seconds=settings.webhook_timeout_seconds,
            resolver=self._resolver or resolve,
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
