"""Every model, so that the local stack and the tests can create every table and the infrastructure
test can compare them with `infra/resources.json`."""

from __future__ import annotations

from pynamodb.models import Model

from chalicelib.models.application import ActivationModel, ApplicationModel
from chalicelib.models.audit import AuditModel
from chalicelib.models.caller_limit import CallerWindowModel
from chalicelib.models.check import CheckModel
from chalicelib.models.code import CodeModel, CodeValueModel
from chalicelib.models.handle import HandleModel
from chalicelib.models.idempotency import IdempotencyModel
from chalicelib.models.invitation import InvitationModel
from chalicelib.models.mailbox import MailboxModel
from chalicelib.models.mentions import MentionModel
from chalicelib.models.organisation import (
    AccountModel,
    CompanyClaimModel,
    CompanyModel,
    OrganisationModel,
)
from chalicelib.models.outbox import OutboxModel
from chalicelib.models.renewal_request import RenewalLinkModel, RenewalRequestModel
from chalicelib.models.sms_quota import SmsQuotaModel
from chalicelib.models.support_case import SupportCaseModel
from chalicelib.models.suppression import SuppressionModel
from chalicelib.models.user import UserModel
from chalicelib.models.validation import FailureWindowModel, ReceiptModel
from chalicelib.models.vendor import VendorKeyModel, VendorModel
from chalicelib.models.webhook import EventCauseModel, VendorEventModel, WebhookModel

ALL_MODELS: tuple[type[Model], ...] = (
    OrganisationModel,
    CompanyModel,
    AccountModel,
    UserModel,
    OutboxModel,
    SuppressionModel,
    IdempotencyModel,
    CodeModel,
    CodeValueModel,
    ApplicationModel,
    ActivationModel,
    HandleModel,
    AuditModel,
    VendorModel,
    VendorKeyModel,
    ReceiptModel,
    FailureWindowModel,
    InvitationModel,
    MailboxModel,
    CallerWindowModel,
    SmsQuotaModel,
    CompanyClaimModel,
    WebhookModel,
    EventCauseModel,
    VendorEventModel,
    MentionModel,
    SupportCaseModel,
    RenewalLinkModel,
    RenewalRequestModel,
    CheckModel,
)
