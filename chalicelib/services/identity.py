"""Turns a bearer token into a Principal, and runs the second-factor enrolment step.

A human caller must have a second factor enrolled before reaching anything but the enrolment step. Real
Cognito with MFA required never issues tokens before enrolment, but the emulator does, so the service checks
for itself: the user record caches the answer once Cognito reports a factor, so the check costs a Cognito
call only until then.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from chalicelib.adapters.tokens import AccessClaims
from chalicelib.errors import Forbidden, InvalidInput, SecondFactorRequired, Unauthenticated
from chalicelib.models.user import UserKind, UserModel, UserStatus
from chalicelib.services.authz import Access, CompanyScope, Function, Principal


class TokenVerifier(Protocol):
    def verify(self, token: str) -> AccessClaims: ...


class SecondFactorDirectory(Protocol):
    def has_second_factor(self, username: str) -> bool: ...
    def start_authenticator_enrolment(self, access_token: str) -> str: ...
    def confirm_authenticator(self, access_token: str, code: str) -> None: ...
    def choose_sms(self, access_token: str) -> None: ...


class IdentityService:
    def __init__(
        self,
        *,
        verifier: TokenVerifier,
        directory: SecondFactorDirectory,
        find_user: Callable[[str], UserModel | None],
        record_second_factor: Callable[[UserModel], None],
        staff_group: str,
    ) -> None:
        self._verifier = verifier
        self._directory = directory
        self._find_user = find_user
        self._record_second_factor = record_second_factor
        self._staff_group = staff_group

    def authenticate(self, authorization: str | None, *, require_second_factor: bool = True) -> Principal:
        token = bearer_token(authorization)
        claims = self._verifier.verify(token)
        user = self._find_user(claims.username)
        if user is None or user.status != UserStatus.ACTIVE.value:
            raise Unauthenticated("This login is not active.")
        if require_second_factor and not self._second_factor_enrolled(user):
            raise SecondFactorRequired(
                "Enrol a second factor (authenticator app or SMS) at /v1/me/second-factor, "
                "then sign in again with it."
            )
        return principal_of(user, claims, token, staff_group=self._staff_group)

    def _second_factor_enrolled(self, user: UserModel) -> bool:
        if user.second_factor_enrolled:
            return True
        if not self._directory.has_second_factor(user.user_id):
            return False
        self._record_second_factor(user)
        return True

    def start_authenticator(self, principal: Principal) -> str:
        return self._directory.start_authenticator_enrolment(principal.access_token)

    def confirm_authenticator(self, principal: Principal, code: str) -> None:
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise InvalidInput("The code is the 6 digits the authenticator app shows.")
        self._directory.confirm_authenticator(principal.access_token, code)
        self._mark_enrolled(principal)

    def choose_sms(self, principal: Principal) -> None:
        self._directory.choose_sms(principal.access_token)
        self._mark_enrolled(principal)

    def _mark_enrolled(self, principal: Principal) -> None:
        user = self._find_user(principal.user_id)
        if user is not None:
            self._record_second_factor(user)


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
        access_token=token,
    )
