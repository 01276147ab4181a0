"""Turns a bearer token into a Principal, and runs the second-factor enrolment step.

A human caller must have a second factor enrolled before reaching anything but the enrolment step. Real
Cognito with MFA required never issues tokens before enrolment, but the emulator does, so the service checks
for itself: the user record caches the answer once Cognito reports a factor, so the check costs a Cognito
call only until then.

A staff token is also asked about at Cognito on every request (`session_is_live`): staff power does not
wait for a token to run out when the login was signed out, disabled or deleted there, even by hand. Staff
calls are few, so the round trip is cheap; members' tokens are checked against their record only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib.adapters.tokens import AccessClaims
from chalicelib.clock import Clock
from chalicelib.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    SecondFactorRequired,
    TooManyRequests,
    Unauthenticated,
)
from chalicelib.models.base import transaction
from chalicelib.models.sms_quota import SmsQuotaModel, counters, sent_times, with_texts
from chalicelib.models.user import (
    UserKind,
    UserModel,
    UserStatus,
    accepts_token_issued_at,
    end_sessions,
    valid_from,
)
from chalicelib.services.access.authz import Access, CompanyScope, Function, Principal
from chalicelib.services.access.sms_limits import (
    SMS_LIMITS,
    SendLimit,
    longest,
    mobile_counter,
    recent,
    user_counter,
    wait_before_next,
)

# The SMS step: a code sent to the mobile on record proves the number before SMS counts as a factor.
SMS_CODE_LIFETIME = timedelta(minutes=10)
SMS_CODE_TRIES = 5
# Resetting a factor needs a sign-in this recent, which took the password and the factor being replaced.
FRESH_SIGN_IN = timedelta(minutes=5)
# How often a text is tried again when another request counted a text for the same person or number at the
# same moment; each try reads the counters afresh.
SMS_COUNT_TRIES = 3

ALREADY_ENROLLED = (
    "A second factor is already enrolled. To change it, sign in again (password and your current factor) "
    "and reset it at POST /v1/me/second-factor/reset within 5 minutes; then enrol the new one."
)


class TokenVerifier(Protocol):
    def verify(self, token: str) -> AccessClaims: ...


class SecondFactorDirectory(Protocol):
    def has_second_factor(self, username: str) -> bool: ...
    def start_authenticator_enrolment(self, access_token: str) -> str: ...
    def confirm_authenticator(self, access_token: str, code: str) -> None: ...
    def choose_sms(self, username: str) -> None: ...
    def reset_second_factor(self, username: str) -> None: ...
    def end_sessions(self, username: str) -> None: ...
    def session_is_live(self, access_token: str) -> bool: ...


class SmsSender(Protocol):
    def send_sms(self, *, to: str, text: str) -> None: ...


class IdentityService:
    def __init__(
        self,
        *,
        verifier: TokenVerifier,
        directory: SecondFactorDirectory,
        find_user: Callable[[str], UserModel | None],
        record_second_factor: Callable[[UserModel], None],
        staff_group: str,
        clock: Clock,
        sms: SmsSender,
        code_key: bytes,
        sms_limits: Sequence[SendLimit] = SMS_LIMITS,
    ) -> None:
        self._verifier = verifier
        self._directory = directory
        self._find_user = find_user
        self._record_second_factor = record_second_factor
        self._staff_group = staff_group
        self._clock = clock
        self._sms = sms
        self._code_key = code_key
        self._sms_limits = tuple(sms_limits)

    def authenticate(self, authorization: str | None, *, require_second_factor: bool = True) -> Principal:
        token = bearer_token(authorization)
        claims = self._verifier.verify(token)
        user = self._find_user(claims.username)
        if user is None or user.status != UserStatus.ACTIVE.value:
            raise Unauthenticated("This login is not active.")
        if not accepts_token_issued_at(user, claims.issued_at):
            raise Unauthenticated("The login changed after this token was issued; sign in again.")
        if require_second_factor and not self._second_factor_enrolled(user):
            raise SecondFactorRequired(
                "Enrol a second factor (authenticator app or SMS) at /v1/me/second-factor, "
                "then sign in again with it."
            )
        principal = principal_of(user, claims, token, staff_group=self._staff_group)
        if principal.is_staff and not self._directory.session_is_live(token):
            raise Unauthenticated("This session has ended at the identity provider; sign in again.")
        return principal

    def _second_factor_enrolled(self, user: UserModel) -> bool:
        if user.second_factor_enrolled:
            return True
        if not self._directory.has_second_factor(user.user_id):
            return False
        self._record_second_factor(user)
        return True

    # Enrolment: only for a person without a factor. Each step reads the record afresh.

    def start_authenticator(self, principal: Principal) -> str:
        self._unenrolled(principal)
        return self._directory.start_authenticator_enrolment(principal.access_token)

    def confirm_authenticator(self, principal: Principal, code: str) -> datetime:
        """Enrols the app; answers the instant of the change, which ended every session until then."""
        user = self._unenrolled(principal)
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise InvalidInput("The code is the 6 digits the authenticator app shows.")
        self._directory.confirm_authenticator(principal.access_token, code)
        return self._enrolled(user)

    def send_sms_code(self, principal: Principal) -> str:
        """Text a fresh code to the mobile on record; answers the number, masked. A new code replaces the
        previous one and its tries. Texts are bounded per person and per number (`sms_limits`): beyond the
        bound 429 with Retry-After, and nothing is sent or written."""
        user = self._unenrolled(principal)
        code = f"{secrets.randbelow(1_000_000):06d}"
        for _ in range(SMS_COUNT_TRIES):
            try:
                self._count_text_and_store_code(user, code)
                break
            except TransactWriteError:
                # Another request counted a text for this person or number (or changed the login) meanwhile:
                # decide again on what is there now.
                user = self._unenrolled(principal)
        else:
            raise Conflict("Another request is sending a code right now; try again.")
        self._sms.send_sms(to=user.mobile, text=f"Din Godkend-kode er {code}. / Your Godkend code is {code}.")
        return masked(user.mobile)

    def _count_text_and_store_code(self, user: UserModel, code: str) -> None:
        """One transaction: the new code on the record, and one more text on the person's and the number's
        counters, each on the condition that nobody wrote it since it was read."""
        now = self._clock.now()
        found = counters([user_counter(user.user_id), mobile_counter(user.mobile, self._code_key)])
        wait = max(wait_before_next(sent_times(c), now, self._sms_limits) for c in found.values())
        if wait:
            raise TooManyRequests(
                "Enough codes have been texted to this login or this mobile number for now; ask again when "
                "Retry-After has passed.",
                retry_after_seconds=wait,
            )
        with transaction() as tx:
            tx.update(
                user,
                actions=[
                    UserModel.sms_code_digest.set(self._digest(user.user_id, code)),
                    UserModel.sms_code_expires_at.set(now + SMS_CODE_LIFETIME),
                    UserModel.sms_code_tries.set(0),
                ],
            )
            for counter in found.values():
                tx.save(self._one_more_text(counter, now))

    def _one_more_text(self, counter: SmsQuotaModel, now: datetime) -> SmsQuotaModel:
        kept = recent(sent_times(counter), now, self._sms_limits)
        return with_texts(counter, [*kept, now], delete_after=now + longest(self._sms_limits))

    def verify_sms_code(self, principal: Principal, code: str) -> datetime:
        """The code texted to the mobile proves the number; only then does SMS become the second factor.
        Answers the instant of the change, which ended every session until then."""
        user = self._unenrolled(principal)
        now = self._clock.now()
        if not user.sms_code_digest or user.sms_code_expires_at is None or now >= user.sms_code_expires_at:
            raise Conflict("No SMS code is waiting; ask for one at POST /v1/me/second-factor/sms.")
        tries = int(user.sms_code_tries or 0)
        if tries >= SMS_CODE_TRIES:
            raise TooManyRequests("Too many wrong codes; ask for a new one.", retry_after_seconds=1)
        if not hmac.compare_digest(user.sms_code_digest, self._digest(user.user_id, code)):
            self._update(user, [UserModel.sms_code_tries.set(tries + 1)])
            raise InvalidInput("The code sent to your mobile was not accepted.")
        self._directory.choose_sms(user.user_id)
        return self._enrolled(user)

    def reset_second_factor(self, principal: Principal) -> datetime:
        """Changing factor: with a sign-in of the last few minutes, which took the factor being replaced, the
        factor is removed and every session ends; the next sign-in (password only) enrols a new one. Answers
        the instant of the change."""
        if self._clock.now() - principal.authenticated_at > FRESH_SIGN_IN:
            raise Forbidden("Sign in again (password and your current second factor), then reset at once.")
        user = self._find_user(principal.user_id)
        if user is None:
            raise Unauthenticated("This login is not active.")
        self._directory.reset_second_factor(user.user_id)
        now = self._clock.now()
        self._update(user, [UserModel.second_factor_enrolled.set(False), end_sessions(now)])
        self._directory.end_sessions(user.user_id)
        return valid_from(now)

    def _unenrolled(self, principal: Principal) -> UserModel:
        user = self._find_user(principal.user_id)
        if user is None:
            raise Unauthenticated("This login is not active.")
        if self._second_factor_enrolled(user):
            raise Conflict(ALREADY_ENROLLED)
        return user

    def _enrolled(self, user: UserModel) -> datetime:
        # The token that enrolled, and any other from before, was issued on the password alone: it ends here.
        now = self._clock.now()
        self._update(
            user,
            [
                UserModel.second_factor_enrolled.set(True),
                end_sessions(now),
                UserModel.sms_code_digest.remove(),
                UserModel.sms_code_expires_at.remove(),
                UserModel.sms_code_tries.remove(),
            ],
        )
        self._directory.end_sessions(user.user_id)
        return valid_from(now)

    def _update(self, user: UserModel, actions: list[Any]) -> None:
        try:
            user.update(actions=actions)
        except UpdateError as exc:
            raise Conflict("The login changed meanwhile; try again.") from exc

    def _digest(self, user_id: str, code: str) -> str:
        return hmac.new(self._code_key, f"sms\n{user_id}\n{code}".encode(), hashlib.sha256).hexdigest()


def masked(mobile: str) -> str:
    return mobile[:3] + " ** ** " + mobile[-4:-2] + " " + mobile[-2:] if len(mobile) >= 7 else "**"


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthenticated("Send 'Authorization: Bearer <access token>'.")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise Unauthenticated("Send 'Authorization: Bearer <access token>'.")
    return token


_KNOWN_FUNCTIONS = frozenset(function.value for function in Function)


def principal_of(user: UserModel, claims: AccessClaims, token: str, *, staff_group: str) -> Principal:
    is_staff = user.kind == UserKind.STAFF.value
    if is_staff != (staff_group in claims.groups):
        # The record and the pool disagree about who this is; trust neither.
        raise Forbidden("This login's role is inconsistent; contact support.")
    return Principal(
        user_id=user.user_id,
        org_id=user.org_id,
        functions=frozenset(Function(str(f)) for f in user.functions if str(f) in _KNOWN_FUNCTIONS),
        companies={
            entry.cvr: CompanyScope(
                cvr=entry.cvr,
                access=Access(entry.access),
                accounts=frozenset(str(account) for account in entry.accounts or []),
            )
            for entry in user.companies
        },
        is_staff=is_staff,
        # Only a vendor person's record counts: a vendor id on any other login gives it nothing.
        vendor_id=user.vendor_id if user.kind == UserKind.VENDOR.value else None,
        access_token=token,
        authenticated_at=claims.auth_time,
    )
