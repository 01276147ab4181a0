"""Creates on the emulator what `infra/resources.json` creates in AWS: the tables, the user pool with its
app client and staff group, the verified mail sender and the receipt key set. Used by the local stack and by
the tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from chalicelib.models import ALL_MODELS
from chalicelib.models.outbox import OutboxModel
from chalicelib.models.validation import ReceiptModel
from chalicelib.models.webhook import EventCauseModel, VendorEventModel
from chalicelib.settings import STAFF_GROUP, resource_name
from infra.local.emulator import accept_adjacent_totp_steps

PASSWORD_POLICY = {
    "MinimumLength": 12,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": False,
    "TemporaryPasswordValidityDays": 7,
}
# Glemt adgangskode?: the code goes to the login's verified e-mail address only (never SMS: the mobile is the
# second factor's, and a reset must still ask for that), in these words (infra/resources.json the same).
ACCOUNT_RECOVERY = {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]}
VERIFICATION_MESSAGE = {
    "DefaultEmailOption": "CONFIRM_WITH_CODE",
    "EmailSubject": "Din kode til en ny adgangskode i Godkend",
    "EmailMessage": (
        "Din kode til at vælge en ny adgangskode i Godkend er {####}. Koden gælder i en time. "
        "Har du ikke bedt om en ny adgangskode, kan du se bort fra denne e-mail: din adgangskode er uændret."
    ),
}


@dataclass(frozen=True)
class UserPool:
    user_pool_id: str
    client_id: str


def create_tables() -> None:
    for model in ALL_MODELS:
        model.create_table(wait=True)


def outbox_stream_arn(dynamodb: Any) -> str:
    return str(dynamodb.describe_table(TableName=OutboxModel.Meta.table_name)["Table"]["LatestStreamArn"])


def stream_environment(dynamodb: Any) -> dict[str, str]:
    """The stream ARNs the app's stream handlers read when it is imported (infra/resources.json in AWS)."""

    def arn(table: str) -> str:
        return str(dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"])

    return {
        "GODKEND_OUTBOX_STREAM_ARN": arn(OutboxModel.Meta.table_name),
        "GODKEND_EVENT_CAUSES_STREAM_ARN": arn(EventCauseModel.Meta.table_name),
        "GODKEND_VENDOR_EVENTS_STREAM_ARN": arn(VendorEventModel.Meta.table_name),
        "GODKEND_VALIDATIONS_STREAM_ARN": arn(ReceiptModel.Meta.table_name),
    }


def create_messaging(sqs: Any, sns: Any) -> None:
    """The mail retry queue, the expiry reminders' queue and the webhook deliveries' queue, each with a
    dead-letter queue for what its consumer cannot take, and the topic SES publishes bounces and complaints
    to."""
    for queue in ("mail-retry", "reminders", "webhook-deliveries"):
        _queue_with_dead_letters(sqs, resource_name(queue))
    sns.create_topic(Name=resource_name("ses-feedback"))


def _queue_with_dead_letters(sqs: Any, name: str) -> None:
    dead_letters = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dead_letter_arn = sqs.get_queue_attributes(QueueUrl=dead_letters, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sqs.create_queue(
        QueueName=name,
        Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": "5"})
        },
    )


def create_user_pool(cognito: Any, name: str) -> UserPool:
    # The tests' in-process emulator gets no `Emulator.start`: the pool checks codes as Cognito does here.
    accept_adjacent_totp_steps()
    pool_id = cognito.create_user_pool(
        PoolName=name,
        MfaConfiguration="ON",
        Policies={"PasswordPolicy": PASSWORD_POLICY},
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        UsernameConfiguration={"CaseSensitive": False},
        AccountRecoverySetting=ACCOUNT_RECOVERY,
        VerificationMessageTemplate=VERIFICATION_MESSAGE,
        Schema=[
            {"Name": "email", "AttributeDataType": "String", "Mutable": True, "Required": True},
            {"Name": "phone_number", "AttributeDataType": "String", "Mutable": True, "Required": True},
        ],
    )["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="ON",
        SoftwareTokenMfaConfiguration={"Enabled": True},
        SmsMfaConfiguration={
            "SmsAuthenticationMessage": "Din Godkend-kode er {####}",
            "SmsConfiguration": {
                "SnsCallerArn": "arn:aws:iam::123456789012:role/godkend-cognito-sms",
                "ExternalId": "godkend",
            },
        },
    )
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="godkend-web",
        GenerateSecret=False,
        ExplicitAuthFlows=[
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ],
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]["ClientId"]
    cognito.create_group(GroupName=STAFF_GROUP, UserPoolId=pool_id, Description="The operator's staff")
    return UserPool(user_pool_id=pool_id, client_id=client_id)


def verify_sender(ses: Any, sender: str) -> None:
    _, address = parseaddr(sender)
    ses.verify_email_identity(EmailAddress=address)
    ses.verify_domain_identity(Domain=address.rpartition("@")[2])


def create_receipt_keys(secretsmanager: Any, name: str, now: datetime) -> str:
    """The stage's receipt key set, one key that signs at once (in AWS the operator makes it: `make
    rotate-receipt-key`, docs/operations.md); its ARN, for GODKEND_RECEIPT_KEYS_SECRET."""
    from chalicelib.services.vendors.receipt_keys import first_key_set

    return str(secretsmanager.create_secret(Name=name, SecretString=first_key_set(now).to_json())["ARN"])


def create_login(
    cognito: Any,
    pool: UserPool,
    *,
    username: str,
    email: str,
    mobile: str,
    password: str,
    staff: bool = False,
) -> None:
    """A Cognito login for a user record whose id is `username`."""
    cognito.admin_create_user(
        UserPoolId=pool.user_pool_id,
        Username=username,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "phone_number", "Value": mobile},
        ],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool.user_pool_id, Username=username, Password=password, Permanent=True
    )
    if staff:
        cognito.admin_add_user_to_group(
            UserPoolId=pool.user_pool_id, Username=username, GroupName=STAFF_GROUP
        )
