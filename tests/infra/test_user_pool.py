"""The user pool in `infra/resources.json` is the one the local emulator builds.

The emulator's side is read back from moto after `infra.local.provision.create_user_pool` has run, so a
setting changed only in provision.py (or only in the template) shows up here.
"""

from __future__ import annotations

from typing import Any

from chalicelib.settings import STAFF_GROUP
from infra.local.provision import UserPool
from tests.infra import templates


def template_pool() -> dict[str, Any]:
    template = templates.load()
    ((pool_name, pool),) = templates.of_type(template, "AWS::Cognito::UserPool").items()
    (client,) = templates.of_type(template, "AWS::Cognito::UserPoolClient").values()
    groups = templates.of_type(template, "AWS::Cognito::UserPoolGroup").values()
    properties, client_properties = pool["Properties"], client["Properties"]
    assert client_properties["UserPoolId"] == {"Ref": pool_name}
    assert all(g["Properties"]["UserPoolId"] == {"Ref": pool_name} for g in groups)
    return {
        "MfaConfiguration": properties["MfaConfiguration"],
        "EnabledMfas": sorted(properties["EnabledMfas"]),
        "SmsAuthenticationMessage": properties["SmsAuthenticationMessage"],
        "PasswordPolicy": properties["Policies"]["PasswordPolicy"],
        "AdminCreateUserConfig": properties["AdminCreateUserConfig"],
        "UsernameConfiguration": properties["UsernameConfiguration"],
        "AccountRecoverySetting": properties["AccountRecoverySetting"],
        "VerificationMessageTemplate": properties["VerificationMessageTemplate"],
        "Schema": sorted(properties["Schema"], key=lambda a: a["Name"]),
        "ClientName": client_properties["ClientName"],
        "GenerateSecret": client_properties["GenerateSecret"],
        "ExplicitAuthFlows": sorted(client_properties["ExplicitAuthFlows"]),
        "PreventUserExistenceErrors": client_properties["PreventUserExistenceErrors"],
        "Groups": sorted(g["Properties"]["GroupName"] for g in groups),
    }


def emulator_pool(cognito: Any, pool: UserPool) -> dict[str, Any]:
    described = cognito.describe_user_pool(UserPoolId=pool.user_pool_id)["UserPool"]
    mfa = cognito.get_user_pool_mfa_config(UserPoolId=pool.user_pool_id)
    client = cognito.describe_user_pool_client(UserPoolId=pool.user_pool_id, ClientId=pool.client_id)
    groups = cognito.list_groups(UserPoolId=pool.user_pool_id)["Groups"]
    enabled = []
    if mfa.get("SoftwareTokenMfaConfiguration", {}).get("Enabled"):
        enabled.append("SOFTWARE_TOKEN_MFA")
    if mfa.get("SmsMfaConfiguration"):
        enabled.append("SMS_MFA")
    client = client["UserPoolClient"]
    own_attributes = [a for a in described["SchemaAttributes"] if a["Name"] in {"email", "phone_number"}]
    return {
        "MfaConfiguration": mfa["MfaConfiguration"],
        "EnabledMfas": sorted(enabled),
        "SmsAuthenticationMessage": mfa["SmsMfaConfiguration"]["SmsAuthenticationMessage"],
        "PasswordPolicy": described["Policies"]["PasswordPolicy"],
        "AdminCreateUserConfig": described["AdminCreateUserConfig"],
        "UsernameConfiguration": described["UsernameConfiguration"],
        "AccountRecoverySetting": described["AccountRecoverySetting"],
        "VerificationMessageTemplate": {
            k: described["VerificationMessageTemplate"][k]
            for k in ("DefaultEmailOption", "EmailSubject", "EmailMessage")
        },
        "Schema": sorted(
            ({k: a[k] for k in ("Name", "AttributeDataType", "Mutable", "Required")} for a in own_attributes),
            key=lambda a: a["Name"],
        ),
        "ClientName": client["ClientName"],
        "GenerateSecret": "ClientSecret" in client,
        "ExplicitAuthFlows": sorted(client["ExplicitAuthFlows"]),
        "PreventUserExistenceErrors": client["PreventUserExistenceErrors"],
        "Groups": sorted(g["GroupName"] for g in groups),
    }


def test_user_pool_matches_the_local_emulator(cognito: Any, pool: UserPool) -> None:
    # Given the pool the local stack and the tests run against
    emulated = emulator_pool(cognito, pool)

    # Then AWS gets the same second factors, password rules, sign-in flows, password recovery and staff group
    assert template_pool() == emulated
    assert STAFF_GROUP in emulated["Groups"]


def test_the_user_pool_can_send_sms_codes() -> None:
    # Given the pool and the role it names for SMS
    template = templates.load()
    (pool,) = templates.of_type(template, "AWS::Cognito::UserPool").values()
    sms = pool["Properties"]["SmsConfiguration"]
    role_name = sms["SnsCallerArn"]["Fn::GetAtt"][0]
    role = template["Resources"][role_name]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]

    # Then only Cognito, presenting the pool's external id, may use the role, and the role may publish SMS
    assert trust["Principal"] == {"Service": "cognito-idp.amazonaws.com"}
    assert trust["Condition"]["StringEquals"]["sts:ExternalId"] == sms["ExternalId"]
    statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    assert {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"} in statements


def test_logins_outlive_the_stack() -> None:
    (pool,) = templates.of_type(templates.load(), "AWS::Cognito::UserPool").values()

    assert pool["Properties"]["DeletionProtection"] == {"Fn::If": ["ProtectsData", "ACTIVE", "INACTIVE"]}
    assert (pool.get("DeletionPolicy"), pool.get("UpdateReplacePolicy")) == ("RetainExceptOnCreate", "Retain")


def test_data_is_protected_unless_a_first_create_asks_otherwise() -> None:
    template = templates.load()

    assert template["Parameters"]["DeletionProtection"]["Default"] == "true"
    assert template["Conditions"]["ProtectsData"] == {"Fn::Equals": [{"Ref": "DeletionProtection"}, "true"]}
