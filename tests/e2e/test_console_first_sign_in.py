"""A new person's first sign-in on the console as real Cognito runs it. The emulator hands out tokens at once
to a user without a second factor; real Cognito, with MFA required, answers the password with the
`MFA_SETUP` challenge instead, and the authenticator is set up inside the sign-in, each step carrying the
Session the one before gave:

    InitiateAuth (USER_PASSWORD_AUTH)          -> ChallengeName MFA_SETUP, Session 1
    AssociateSoftwareToken (Session 1)         -> SecretCode, Session 2
    VerifySoftwareToken (Session 2, the code)  -> Status SUCCESS, Session 3
    RespondToAuthChallenge (MFA_SETUP, Session 3, USERNAME) -> the tokens

The browser's own network layer answers those four calls that way (anything else goes to the emulator). Behind
them the emulator does the real work: it checks the password, makes the authenticator's key, checks the code
the page sends and, once set up, signs in with the second factor; so the API meets a person with a factor and
real tokens, as it would in AWS."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError
from playwright.sync_api import Browser, Page, Route, expect

from infra.local.signin import SignInRefused, sign_in
from infra.local.totp import fresh_totp
from tests.e2e.browser import finish_page, new_context
from tests.e2e.conftest import RunningStack
from tests.e2e.register import FIRST_SIGN_IN
from tests.e2e.test_onboarding import activation_letter, api

pytestmark = pytest.mark.e2e

PASSWORD = "Foerste-Login-2026-Aa1"
TARGET = "AWSCognitoIdentityProviderService."
AMZ_JSON = "application/x-amz-json-1.1"


@pytest.fixture
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = new_context(browser, stack.console_url)
    opened = context.new_page()
    yield opened
    finish_page(request, opened, "first-sign-in")
    context.close()


def activated_newcomer(stack: RunningStack) -> str:
    """Someone who applied, got the letter and activated with a password: no second factor yet. Answers the
    username."""
    # (a company of the stack's register that no other module applies for)
    company = next(e for e in stack.demo["registry"] if e["cvr"] == FIRST_SIGN_IN.cvr)
    applied = api(
        stack,
        "POST",
        "/v1/applications",
        json={
            "cvr": company["cvr"],
            "name": company["name"],
            "applicant": {
                "first_name": "Signe",
                "last_name": "First",
                "email": "signe.first@example.org",
                "mobile": "+4522334455",
            },
        },
    )
    assert applied.status_code == 202, applied.text
    username, code = activation_letter(stack, company["official_mailbox"])
    activated = api(
        stack,
        "POST",
        "/v1/activations",
        json={"username": username, "activation_code": code, "password": PASSWORD},
    )
    assert activated.status_code == 201, activated.text
    return username


@dataclass
class RealCognito:
    """Answers the console's Cognito calls for one user as real Cognito does when MFA is required and the
    user has none: the MFA_SETUP challenge, with a new opaque Session at every step that the next step must
    carry. The emulator checks what real Cognito would check."""

    stack: RunningStack
    username: str
    calls: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    _session: str = ""
    _access_token: str = ""
    _secret: str = ""

    def handle(self, route: Route) -> None:
        request = route.request
        if request.method == "OPTIONS":
            route.fulfill(
                status=200,
                headers=self._cors(
                    {"access-control-allow-methods": "POST", "access-control-allow-headers": "*"}
                ),
            )
            return
        operation = (request.headers.get("x-amz-target") or "").removeprefix(TARGET)
        body: dict[str, Any] = json.loads(request.post_data or "{}")
        answer = getattr(self, operation, None)
        if answer is None or not self._ours(operation, body):
            route.continue_()
            return
        self.calls.append(operation)
        try:
            result = answer(body)
        except Refusal as refusal:
            self.refused.append(f"{operation}: {refusal.kind}")
            route.fulfill(
                status=400,
                headers=self._cors({"content-type": AMZ_JSON}),
                body=json.dumps({"__type": refusal.kind, "message": refusal.message}),
            )
            return
        route.fulfill(status=200, headers=self._cors({"content-type": AMZ_JSON}), body=json.dumps(result))

    def _ours(self, operation: str, body: dict[str, Any]) -> bool:
        if operation == "InitiateAuth":
            return body.get("AuthFlow") == "USER_PASSWORD_AUTH" and (
                body.get("AuthParameters", {}).get("USERNAME") == self.username
            )
        return operation in ("AssociateSoftwareToken", "VerifySoftwareToken", "RespondToAuthChallenge")

    # Each answer is named after the Cognito operation it plays.

    def InitiateAuth(self, body: dict[str, Any]) -> dict[str, Any]:
        # The emulator checks the password (and, with no factor, hands its tokens to us, not to the page).
        try:
            answer = self._cognito().initiate_auth(
                ClientId=body["ClientId"],
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters=body["AuthParameters"],
            )
        except ClientError as error:
            raise Refusal(error.response["Error"]["Code"], error.response["Error"]["Message"]) from None
        self._access_token = answer["AuthenticationResult"]["AccessToken"]
        return {
            "ChallengeName": "MFA_SETUP",
            "Session": self._next_session(),
            "ChallengeParameters": {
                "MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]',
                "USER_ID_FOR_SRP": self.username,
            },
        }

    def AssociateSoftwareToken(self, body: dict[str, Any]) -> dict[str, Any]:
        self._check_session(body)
        if "AccessToken" in body:
            raise Refusal("NotAuthorizedException", "Inside a sign-in, the Session stands for the user.")
        self._secret = self._cognito().associate_software_token(AccessToken=self._access_token)["SecretCode"]
        return {"SecretCode": self._secret, "Session": self._next_session()}

    def VerifySoftwareToken(self, body: dict[str, Any]) -> dict[str, Any]:
        self._check_session(body)
        try:
            self._cognito().verify_software_token(AccessToken=self._access_token, UserCode=body["UserCode"])
        except ClientError as error:
            raise Refusal(error.response["Error"]["Code"], error.response["Error"]["Message"]) from None
        # Completing MFA_SETUP makes the authenticator the user's second factor.
        self._cognito().set_user_mfa_preference(
            AccessToken=self._access_token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
        )
        return {"Status": "SUCCESS", "Session": self._next_session()}

    def RespondToAuthChallenge(self, body: dict[str, Any]) -> dict[str, Any]:
        self._check_session(body)
        if (
            body.get("ChallengeName") != "MFA_SETUP"
            or body.get("ChallengeResponses", {}).get("USERNAME") != self.username
        ):
            raise Refusal("InvalidParameterException", "Not the answer to this user's MFA_SETUP challenge.")
        self._session = ""  # used up
        # The user now has a factor: the emulator signs in with it, as Cognito issues the tokens here.
        cognito = self._cognito()
        challenge = cognito.initiate_auth(
            ClientId=body["ClientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": self.username, "PASSWORD": PASSWORD},
        )
        assert challenge.get("ChallengeName") == "SOFTWARE_TOKEN_MFA", challenge
        signed_in = cognito.respond_to_auth_challenge(
            ClientId=body["ClientId"],
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=challenge["Session"],
            ChallengeResponses={
                "USERNAME": self.username,
                "SOFTWARE_TOKEN_MFA_CODE": fresh_totp(self._secret),
            },
        )
        return {"AuthenticationResult": signed_in["AuthenticationResult"], "ChallengeParameters": {}}

    def _next_session(self) -> str:
        self._session = secrets.token_urlsafe(96)
        return self._session

    def _check_session(self, body: dict[str, Any]) -> None:
        if not self._session or body.get("Session") != self._session:
            raise Refusal("NotAuthorizedException", "Invalid session for the user.")

    def _cognito(self) -> Any:
        return self.stack.cognito()

    def _cors(self, headers: dict[str, str]) -> dict[str, str]:
        return {
            **headers,
            "access-control-allow-origin": self.stack.console_url,
            "access-control-expose-headers": "x-amzn-requestid, x-amzn-errortype",
        }


class Refusal(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def test_the_first_sign_in_sets_up_the_authenticator_through_cognitos_mfa_setup_challenge(
    page: Page, stack: RunningStack
):
    # Given a newcomer who has activated their login, and Cognito answering as it does in AWS
    username = activated_newcomer(stack)
    cognito = RealCognito(stack, username)
    endpoint = str(stack.demo["aws_endpoint_url"])
    page.route(re.compile(rf"^{re.escape(endpoint)}(/.*)?$"), cognito.handle)

    # When they sign in with their password
    page.goto(stack.console_url)
    page.get_by_label("Brugernavn", exact=True).fill(username)
    page.get_by_label("Adgangskode", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()

    # Then the console sets up the authenticator app inside the sign-in: the QR code and its key
    expect(page.get_by_role("heading", name="Opsæt godkendelsesapp")).to_be_visible()
    expect(page.get_by_role("img", name="QR-kode til godkendelsesappen")).to_be_visible()
    key = page.get_by_label("Kan du ikke scanne?").input_value()
    assert key

    # When they enter the code their app shows for that key
    page.get_by_label("Engangskode").fill(fresh_totp(key))
    page.get_by_role("button", name="Bekræft").click()

    # Then they are signed in, with the factor in place (the API lets them in, no second enrolment)
    expect(page.get_by_role("heading", name=re.compile("Min konto"))).to_be_visible()
    assert cognito.calls == [
        "InitiateAuth",
        "AssociateSoftwareToken",
        "VerifySoftwareToken",
        "RespondToAuthChallenge",
    ]
    assert cognito.refused == []
    # And from now on Cognito asks for the authenticator's code: the password alone no longer signs in
    client_id = stack.demo["cognito"]["client_id"]
    with pytest.raises(SignInRefused):
        sign_in(stack.cognito(), client_id, username, PASSWORD)
    token = sign_in(stack.cognito(), client_id, username, PASSWORD, key)
    assert api(stack, "GET", "/v1/me", token).status_code == 200
