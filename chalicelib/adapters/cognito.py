"""Our side of the Cognito user pool: what the service asks of it and tells it about a person's login."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.errors import InvalidInput, Unauthenticated, UpstreamUnavailable

SECOND_FACTOR_SETTINGS = frozenset({"SOFTWARE_TOKEN_MFA", "SMS_MFA"})


class CognitoDirectory:
    def __init__(self, client: Any, user_pool_id: str) -> None:
        self._client = client
        self._pool = user_pool_id

    def has_second_factor(self, username: str) -> bool:
        try:
            user = self._client.admin_get_user(UserPoolId=self._pool, Username=username)
        except ClientError as exc:
            if _code(exc) == "UserNotFoundException":
                return False
            raise UpstreamUnavailable("The identity provider could not be asked about the login.") from exc
        return bool(SECOND_FACTOR_SETTINGS & set(user.get("UserMFASettingList") or []))

    def start_authenticator_enrolment(self, access_token: str) -> str:
        """Begin enrolling an authenticator app; returns the shared secret the app must be given."""
        try:
            answer = self._client.associate_software_token(AccessToken=access_token)
        except ClientError as exc:
            raise _as_domain_error(exc) from exc
        return str(answer["SecretCode"])

    def confirm_authenticator(self, access_token: str, code: str) -> None:
        try:
            answer = self._client.verify_software_token(
                AccessToken=access_token, UserCode=code, FriendlyDeviceName="Godkend"
            )
            if answer.get("Status") != "SUCCESS":
                raise InvalidInput("The code from the authenticator app was not accepted.")
            self._client.set_user_mfa_preference(
                AccessToken=access_token,
                SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
            )
        except ClientError as exc:
            raise _as_domain_error(exc) from exc

    def choose_sms(self, access_token: str) -> None:
        try:
            self._client.set_user_mfa_preference(
                AccessToken=access_token,
                SMSMfaSettings={"Enabled": True, "PreferredMfa": True},
            )
        except ClientError as exc:
            raise _as_domain_error(exc) from exc


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _as_domain_error(exc: ClientError) -> Exception:
    code = _code(exc)
    if code in {"CodeMismatchException", "EnableSoftwareTokenMFAException", "InvalidParameterException"}:
        return InvalidInput("The code from the authenticator app was not accepted.")
    if code in {"NotAuthorizedException", "ResourceNotFoundException"}:
        return Unauthenticated("The identity provider did not accept the access token.")
    return UpstreamUnavailable("The identity provider could not complete the request.")
