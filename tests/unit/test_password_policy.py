"""The password policy is one policy: the user pool's, locally and deployed, and the rule the OpenAPI document
states for every new password, which the API checks before the identity provider is asked and the console
checks before it sends anything. Whatever the provider says when it refuses one never reaches a person."""

from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError
from pydantic import TypeAdapter, ValidationError

from chalicelib.adapters.cognito import _as_login_error
from chalicelib.errors import InvalidInput
from chalicelib.fields import NewPassword
from infra.local.provision import PASSWORD_POLICY
from tests.conftest import PROJECT_DIR

PROVIDER_TEXT = "Password does not conform to policy: Password not long enough"


def deployed_policy() -> dict[str, object]:
    template = json.loads((PROJECT_DIR / "infra" / "resources.json").read_text())
    policy: dict[str, object] = template["Resources"]["UserPool"]["Properties"]["Policies"]["PasswordPolicy"]
    return policy


def accepted(password: str) -> bool:
    try:
        TypeAdapter(NewPassword).validate_python(password)
    except ValidationError:
        return False
    return True


def test_the_local_and_the_deployed_user_pool_have_the_same_policy():
    assert deployed_policy() == PASSWORD_POLICY


def test_the_documented_rule_is_the_user_pools_policy():
    # Given the rule the document states for a new password
    schema = TypeAdapter(NewPassword).json_schema()
    pattern = re.compile(schema["pattern"])

    # Then its minimum length is the pool's, and it asks for each kind of character the pool asks for
    assert schema["minLength"] == PASSWORD_POLICY["MinimumLength"]
    assert (pattern.search("lowercase only1") is None) == PASSWORD_POLICY["RequireUppercase"]
    assert (pattern.search("UPPERCASE ONLY1") is None) == PASSWORD_POLICY["RequireLowercase"]
    assert (pattern.search("No digits at all") is None) == PASSWORD_POLICY["RequireNumbers"]
    assert pattern.search("No-symbols-needed-1") is not None
    assert not PASSWORD_POLICY["RequireSymbols"]


@pytest.mark.parametrize(
    ("password", "fine"),
    [
        ("Sikker-Adgang-2026", True),
        ("Kort1a", False),
        ("elleve tegn1A"[:11], False),
        ("tolv tegn 1A", True),
        ("ingen store bogstaver 1", False),
        ("INGEN SMÅ BOGSTAVER 1", False),
        ("Ingen tal overhovedet", False),
        ("Linje\nskift i 1A", True),
    ],
)
def test_a_new_password_is_checked_by_the_policy_before_the_provider_is_asked(password: str, fine: bool):
    assert accepted(password) is fine


def test_the_providers_refusal_of_a_password_is_said_in_our_words():
    # Given the identity provider refusing a password with its own English words
    refusal = ClientError(
        {"Error": {"Code": "InvalidPasswordException", "Message": PROVIDER_TEXT}}, "AdminSetUserPassword"
    )

    # When it is turned into the API's error
    error = _as_login_error(refusal)

    # Then the field error states the policy in Danish and English, and not a word of the provider's
    assert isinstance(error, InvalidInput)
    [field] = error.errors
    assert field.field == "password"
    assert PROVIDER_TEXT not in field.message
    assert "12" in field.translations["da"]
    assert field.translations["da"].startswith("Adgangskoden blev ikke godtaget")
    assert "conform" not in json.dumps(field.translations)
