"""Our side of the Cognito user pool: what the service asks of it and tells it about a person's login."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    TooManyRequests,
    Unauthenticated,
    UpstreamUnavailable,
)

SECOND_FACTOR_SETTINGS = frozenset({"SOFTWARE_TOKEN_MFA", "SMS_MFA"})
# What the service says about a password Cognito refuses: the pool's policy (infra/resources.json), in words
# of our own, never Cognito's.
# What a person is told when the user pool refuses a password: our words, never the provider's.
PASSWORD_REFUSED = {
    "en": "Not accepted. Choose a password of at least 12 characters with upper and lower case letters and "
    "at least one digit.",
    "da": "Adgangskoden blev ikke godtaget. Vælg en på mindst 12 tegn med både store og små bogstaver og "
    "mindst ét tal.",
}
CURRENT_PASSWORD_WRONG = {
    "en": "The current password is not correct.",
    "da": "Den nuværende adgangskode er forkert. Skriv den, du logger ind med nu.",
}
# Cognito says no more than that it refuses more tries for a while; this is how long to wait before trying.
PASSWORD_TRIES_PAUSE_SECONDS = 60


class LoginExists(Exception):
    """Cognito already has a login under the username."""


# Cognito's refusals of a password (or of a login that cannot sign in): each is "no" to the caller, alike.
PASSWORD_REFUSALS = frozenset(
    {
        "NotAuthorizedException",
        "UserNotFoundException",
        "PasswordResetRequiredException",
        "UserNotConfirmedException",
    }
)
# A reset code that is not this login's, or no longer valid: the next login with the address may own it.
RESET_CODE_REFUSALS = frozenset({"CodeMismatchException", "ExpiredCodeException", "UserNotFoundException"})
# Cognito's refusals of the code that answers a second factor's challenge: the person types it again.
CODE_REFUSALS = frozenset({"CodeMismatchException", "ExpiredCodeException"})
# Cognito's refusals of the session itself (expired, used, another login's, or none it made).
SESSION_REFUSALS = frozenset(
    {
        "NotAuthorizedException",
        "ResourceNotFoundException",
        "UserNotFoundException",
        "InvalidParameterException",
    }
)
WRONG_CODE = {
    "en": "The code is not correct. Type the code the app or the text message shows now.",
    "da": "Koden er ikke rigtig. Skriv den kode, appen eller sms'en viser nu.",
}
SESSION_ENDED = {
    "en": "The sign-in has run out. Begin again with the e-mail address and the password.",
    "da": "Login er udløbet. Begynd forfra med e-mailadressen og adgangskoden.",
}
THROTTLED = frozenset(
    {"LimitExceededException", "TooManyRequestsException", "TooManyFailedAttemptsException"}
)


@dataclass(frozen=True)
class PasswordAccepted:
    """Cognito took the password: the challenge it asks next (None when it answered tokens at once) and the
    session a browser answers that challenge with."""

    challenge: str | None
    session: str | None


@dataclass(frozen=True)
class IssuedTokens:
    """Cognito's tokens after a sign-in's last step, as its AuthenticationResult names them."""

    access_token: str
    id_token: str
    refresh_token: str
    expires_in: int


class CognitoDirectory:
    def __init__(self, client: Any, user_pool_id: str, client_id: str = "") -> None:
        self._client = client
        self._pool = user_pool_id
        # The console's app client: a sign-in started here is one the console finishes at Cognito.
        self._client_id = client_id

    def check_password(self, username: str, password: str) -> PasswordAccepted | None:
        """Starts a sign-in of the login with the password as the console's app client (AdminInitiateAuth,
        ADMIN_USER_PASSWORD_AUTH); None when Cognito refuses it for whatever reason. Tokens Cognito may
        answer are never passed on: only whether it did."""
        try:
            answer = self._client.admin_initiate_auth(
                UserPoolId=self._pool,
                ClientId=self._client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except ClientError as exc:
            code = _code(exc)
            if code in PASSWORD_REFUSALS:
                return None
            if code in THROTTLED:
                raise TooManyRequests(
                    "Too many sign-in tries; wait a little and try again.",
                    retry_after_seconds=PASSWORD_TRIES_PAUSE_SECONDS,
                ) from exc
            raise UpstreamUnavailable("The identity provider could not check the password.") from exc
        challenge = answer.get("ChallengeName")
        return PasswordAccepted(
            challenge=str(challenge) if challenge else None, session=answer.get("Session")
        )

    def answer_challenge(self, username: str, session: str, challenge: str, answer: str) -> IssuedTokens:
        """The second factor of a sign-in AdminInitiateAuth began, with the admin call its session is meant
        for (AdminRespondToAuthChallenge). Tokens only when Cognito answers tokens: a further challenge
        instead is refused, never passed on as a signed-in login."""
        try:
            answered = self._client.admin_respond_to_auth_challenge(
                UserPoolId=self._pool,
                ClientId=self._client_id,
                ChallengeName=challenge,
                Session=session,
                ChallengeResponses={"USERNAME": username, f"{challenge}_CODE": answer},
            )
        except ClientError as exc:
            code = _code(exc)
            if code in CODE_REFUSALS:
                raise InvalidInput(
                    "The code is not correct.",
                    detail_da="Koden er ikke rigtig.",
                    errors=[FieldError("answer", WRONG_CODE["en"], translations=WRONG_CODE)],
                ) from exc
            if code in SESSION_REFUSALS:
                # The session is what is wrong, not who calls (the route is anonymous): a field error.
                raise InvalidInput(
                    "The sign-in has run out or was already finished.",
                    detail_da="Login er udløbet eller allerede gennemført.",
                    errors=[FieldError("session", SESSION_ENDED["en"], translations=SESSION_ENDED)],
                ) from exc
            if code in THROTTLED:
                raise TooManyRequests(
                    "Too many sign-in tries; wait a little and try again.",
                    retry_after_seconds=PASSWORD_TRIES_PAUSE_SECONDS,
                ) from exc
            raise UpstreamUnavailable("The identity provider could not check the code.") from exc
        result = answered.get("AuthenticationResult") or {}
        if answered.get("ChallengeName") or not result.get("AccessToken"):
            raise Conflict(
                "This sign-in asks for a step the e-mail address cannot take; sign in with the username.",
                detail_da="Dette login kræver et trin, som e-mailadressen ikke kan klare. Log ind med "
                "brugernavnet.",
            )
        return IssuedTokens(
            access_token=str(result["AccessToken"]),
            id_token=str(result.get("IdToken", "")),
            refresh_token=str(result.get("RefreshToken", "")),
            expires_in=int(result.get("ExpiresIn", 3600)),
        )

    def send_reset_code(self, username: str) -> None:
        """Cognito's *Glemt adgangskode?*: it mails a code to the login's verified address. A call of the
        console's app client, so it needs no IAM permission; a refusal is left unsaid (the caller is always
        answered alike)."""
        try:
            self._client.forgot_password(ClientId=self._client_id, Username=username)
        except ClientError as exc:
            if _code(exc) in THROTTLED:
                raise TooManyRequests(
                    "Too many codes asked for; wait a little and try again.",
                    retry_after_seconds=PASSWORD_TRIES_PAUSE_SECONDS,
                ) from exc
            if _code(exc) not in PASSWORD_REFUSALS | {"InvalidParameterException"}:
                raise UpstreamUnavailable("The identity provider could not send a code.") from exc

    def reset_password(self, username: str, code: str, password: str) -> bool:
        """The new password with the mailed code (ConfirmForgotPassword); False when the code is not this
        login's. A password the policy refuses is a field error; the second factor stays as it was."""
        try:
            self._client.confirm_forgot_password(
                ClientId=self._client_id, Username=username, ConfirmationCode=code, Password=password
            )
        except ClientError as exc:
            code_name = _code(exc)
            if code_name in RESET_CODE_REFUSALS | PASSWORD_REFUSALS:
                return False
            if code_name in {"InvalidPasswordException", "InvalidParameterException"}:
                raise InvalidInput(
                    "The new password does not meet the password policy.",
                    errors=[FieldError("password", PASSWORD_REFUSED["en"], translations=PASSWORD_REFUSED)],
                ) from exc
            if code_name in THROTTLED:
                raise TooManyRequests(
                    "Too many tries; wait a little and try again.",
                    retry_after_seconds=PASSWORD_TRIES_PAUSE_SECONDS,
                ) from exc
            raise UpstreamUnavailable("The identity provider could not set the new password.") from exc
        return True

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

    def create_login(
        self, *, username: str, email: str, mobile: str, password: str, permanent: bool = True
    ) -> None:
        """A login with a permanent password the person chose (or, `permanent=False`, a temporary one they
        must replace at their first sign-in), and no invitation mail from Cognito. If the password is
        refused, the half-made login is deleted again, so nothing is left behind."""
        try:
            self._client.admin_create_user(
                UserPoolId=self._pool,
                Username=username,
                UserAttributes=[*_contact(email, mobile)],
                MessageAction="SUPPRESS",
            )
        except ClientError as exc:
            if _code(exc) == "UsernameExistsException":
                raise LoginExists(username) from exc
            raise _as_login_error(exc) from exc
        try:
            self._client.admin_set_user_password(
                UserPoolId=self._pool, Username=username, Password=password, Permanent=permanent
            )
        except ClientError as exc:
            self.delete_login(username)
            raise _as_login_error(exc) from exc

    def add_to_group(self, username: str, group: str) -> None:
        """Membership of a pool group (`staff`); only the operator's tools ask for it (`make staff`)."""
        try:
            self._client.admin_add_user_to_group(UserPoolId=self._pool, Username=username, GroupName=group)
        except ClientError as exc:
            raise UpstreamUnavailable("The identity provider could not add the login to its group.") from exc

    def delete_login(self, username: str) -> None:
        """Remove the login; one that is already gone is fine, so a retry after a failure completes."""
        try:
            self._client.admin_delete_user(UserPoolId=self._pool, Username=username)
        except ClientError as exc:
            if _code(exc) != "UserNotFoundException":
                raise UpstreamUnavailable("The identity provider could not remove the login.") from exc

    def disable_login(self, username: str) -> None:
        """Stop the login from signing in, and end its sessions: global sign-out revokes its refresh tokens,
        so no new access token is issued. (Access tokens already out stay valid to Cognito until they expire;
        the service itself refuses any whose user record is not active.) A login that does not exist, as
        for a user who never accepted an invitation, has nothing to disable."""
        try:
            self._client.admin_disable_user(UserPoolId=self._pool, Username=username)
            self._client.admin_user_global_sign_out(UserPoolId=self._pool, Username=username)
        except ClientError as exc:
            if _code(exc) != "UserNotFoundException":
                raise UpstreamUnavailable("The identity provider could not disable the login.") from exc

    def enable_login(self, username: str) -> None:
        try:
            self._client.admin_enable_user(UserPoolId=self._pool, Username=username)
        except ClientError as exc:
            if _code(exc) != "UserNotFoundException":
                raise UpstreamUnavailable("The identity provider could not enable the login.") from exc

    def update_contact(self, username: str, *, email: str, mobile: str) -> None:
        """The e-mail and mobile number Cognito has for the login; SMS as second factor goes there."""
        try:
            self._client.admin_update_user_attributes(
                UserPoolId=self._pool,
                Username=username,
                UserAttributes=[*_contact(email, mobile)],
            )
        except ClientError as exc:
            if _code(exc) != "UserNotFoundException":
                raise UpstreamUnavailable("The identity provider could not update the login.") from exc

    def choose_sms(self, username: str) -> None:
        """SMS to the login's mobile as its second factor; the service has just proven the number with a code
        it texted there, so Cognito is told the number is verified too."""
        try:
            self._client.admin_update_user_attributes(
                UserPoolId=self._pool,
                Username=username,
                UserAttributes=[{"Name": "phone_number_verified", "Value": "true"}],
            )
            self._client.admin_set_user_mfa_preference(
                UserPoolId=self._pool,
                Username=username,
                SMSMfaSettings={"Enabled": True, "PreferredMfa": True},
            )
        except ClientError as exc:
            raise UpstreamUnavailable("The identity provider could not enable SMS for the login.") from exc

    def reset_second_factor(self, username: str) -> None:
        """Turn off both kinds of second factor, so the next sign-in enrols one again."""
        try:
            self._client.admin_set_user_mfa_preference(
                UserPoolId=self._pool,
                Username=username,
                SMSMfaSettings={"Enabled": False, "PreferredMfa": False},
                SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False},
            )
        except ClientError as exc:
            raise UpstreamUnavailable("The identity provider could not reset the second factor.") from exc

    def end_sessions(self, username: str) -> None:
        """Revoke the login's refresh tokens (global sign-out), so no token is refreshed from a session that
        began before a change; its access tokens are refused by the service itself (`tokens_valid_from`)."""
        try:
            self._client.admin_user_global_sign_out(UserPoolId=self._pool, Username=username)
        except ClientError as exc:
            if _code(exc) != "UserNotFoundException":
                raise UpstreamUnavailable("The identity provider could not end the sessions.") from exc

    def change_password(self, access_token: str, *, old: str, new: str) -> None:
        """The login's new password, with the current one as proof (Cognito checks it). Cognito's refusals
        become field errors in our words: a wrong current password, a new one the policy refuses."""
        try:
            self._client.change_password(AccessToken=access_token, PreviousPassword=old, ProposedPassword=new)
        except ClientError as exc:
            raise self._as_password_error(exc, access_token) from exc

    def _as_password_error(self, exc: ClientError, access_token: str) -> Exception:
        code = _code(exc)
        if code == "NotAuthorizedException":
            # Cognito says the same for a wrong current password and for a token it no longer takes.
            if not self.session_is_live(access_token):
                return Unauthenticated("This session has ended at the identity provider; sign in again.")
            return InvalidInput(
                "The current password is not correct.",
                errors=[
                    FieldError(
                        "old_password", CURRENT_PASSWORD_WRONG["en"], translations=CURRENT_PASSWORD_WRONG
                    )
                ],
            )
        if code in {"InvalidPasswordException", "InvalidParameterException"}:
            return InvalidInput(
                "The new password does not meet the password policy.",
                errors=[FieldError("new_password", PASSWORD_REFUSED["en"], translations=PASSWORD_REFUSED)],
            )
        if code in {"LimitExceededException", "TooManyRequestsException", "TooManyFailedAttemptsException"}:
            return TooManyRequests(
                "Too many tries to change the password; wait a little and try again.",
                retry_after_seconds=PASSWORD_TRIES_PAUSE_SECONDS,
            )
        return UpstreamUnavailable("The identity provider could not change the password.")

    def session_is_live(self, access_token: str) -> bool:
        """Whether Cognito still takes the access token: not after a global sign-out, nor for a login that is
        disabled or deleted (its signature and expiry alone cannot say so). A call on the token itself, which
        needs no IAM permission."""
        try:
            self._client.get_user(AccessToken=access_token)
        except ClientError as exc:
            if _code(exc) in {"NotAuthorizedException", "UserNotFoundException"}:
                return False
            raise UpstreamUnavailable("The identity provider could not be asked about the session.") from exc
        return True


def _contact(email: str, mobile: str) -> list[dict[str, str]]:
    """The login's e-mail and mobile for Cognito. The e-mail is marked verified: it is the address the service
    writes to about this login, and Cognito mails a *Glemt adgangskode?* code only to a verified address (the
    pool's recovery is e-mail only). A reset that way still asks for the second factor at the next sign-in.
    The mobile is verified only when the person proves it (`choose_sms`)."""
    return [
        {"Name": "email", "Value": email},
        {"Name": "email_verified", "Value": "true"},
        {"Name": "phone_number", "Value": mobile},
    ]


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _as_login_error(exc: ClientError) -> Exception:
    code = _code(exc)
    if code == "InvalidPasswordException":
        # The provider's message is English and names its own policy words: it is logged, not shown.
        return InvalidInput(
            "The password does not meet the password policy.",
            errors=[FieldError("password", PASSWORD_REFUSED["en"], translations=PASSWORD_REFUSED)],
            detail_da="Adgangskoden opfylder ikke kravene. Vælg en anden, og prøv igen.",
        )
    if code == "InvalidParameterException":
        return InvalidInput("The identity provider refused the login's details.")
    return UpstreamUnavailable("The identity provider could not create the login.")


def _as_domain_error(exc: ClientError) -> Exception:
    code = _code(exc)
    if code in {"CodeMismatchException", "EnableSoftwareTokenMFAException", "InvalidParameterException"}:
        return InvalidInput("The code from the authenticator app was not accepted.")
    if code in {"NotAuthorizedException", "ResourceNotFoundException"}:
        return Unauthenticated("The identity provider did not accept the access token.")
    return UpstreamUnavailable("The identity provider could not complete the request.")
