"""Signing in, and *Glemt adgangskode?*, with the e-mail address instead of the username.

The user pool's sign-in names are fixed when the pool is made (its `AliasAttributes` cannot change without a
new pool), so the address is turned into a login here: the users with that address (the users table's
`by-subject` index, by key), and for each active one Cognito is asked, as the console's app client, whether
the password is theirs (AdminInitiateAuth). The first that takes it answers the challenge Cognito asks next,
its session and the username, and the console goes on at Cognito exactly as after its own InitiateAuth.

- One answer for every refusal (no such address, a wrong password, a login that cannot sign in): 401 in the
  words of a wrong username or password. An address with no login still costs one Cognito call (with a name
  no login has), so it is not answered faster than a wrong password.
- Tokens are never answered: every login has a second factor, so a password alone that Cognito answers with
  tokens (a login that has not enrolled one yet) is refused with `second-factor-required`, and the person
  signs in with the username that first time, where the console enrols the factor.
- An address two people share (two organisations): each login is tried, at most MAX_LOGINS. If the password
  is the same for more than one, the address cannot say which login is meant: 409, sign in with the username.
- Limited per caller and per address (the caller limits, counted before Cognito is asked), besides Cognito's
  own lockout of a login after repeated wrong passwords.
- The password is in no log line, no event and no answer: it goes to Cognito and nowhere else.

Access patterns
- users with an address ....... Query users.by-subject[subject_of(email)], Limit MAX_LOGINS + a few
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Protocol

from pydantic import Field

from chalicelib.errors import Conflict, FieldError, InvalidInput, SecondFactorRequired, Unauthenticated
from chalicelib.fields import Email, Password, Strict
from chalicelib.models.retention import subject_of
from chalicelib.models.user import UserModel, UserStatus

RESET_CODE_REFUSED = {
    "en": "Not correct, or expired: ask for a new code.",
    "da": "Koden er forkert eller udløbet. Bed om en ny kode.",
}

# At most this many logins of one address are tried with a password: one person in a few organisations.
MAX_LOGINS = 3
# Asked for an address no login has, so that such an address costs a Cognito call like a wrong password.
# Generated usernames are `adm-…` and `user-…`; Cognito refuses this one like any unknown name.
NO_LOGIN = "ingen-login-med-adressen"
# The words of the console's refusal of a wrong username or password, for any refusal here.
REFUSED = "The e-mail address or the password is not correct."
CHALLENGES = frozenset({"SOFTWARE_TOKEN_MFA", "SMS_MFA", "MFA_SETUP", "NEW_PASSWORD_REQUIRED"})

ResetCode = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^\S+$", description="The code from the mail, as it is"),
]


class EmailSignInForm(Strict):
    email: Email = Field(description="The login's e-mail address")
    password: Password = Field(description="The login's password; it goes to the identity provider only")


class ResetCodeForm(Strict):
    email: Email = Field(description="The login's e-mail address")


class NewPasswordForm(Strict):
    email: Email = Field(description="The login's e-mail address")
    code: ResetCode
    password: Password = Field(description="The new password")


@dataclass(frozen=True)
class Challenge:
    """What the console answers at Cognito next: the challenge, its session, and whose login it is."""

    challenge: str
    session: str
    username: str


class Accepted(Protocol):
    @property
    def challenge(self) -> str | None: ...

    @property
    def session(self) -> str | None: ...


class PasswordChecks(Protocol):
    """The user pool's side (`chalicelib/adapters/cognito.py`); tests may inject fakes."""

    def check_password(self, username: str, password: str) -> Accepted | None: ...

    def send_reset_code(self, username: str) -> None: ...

    def reset_password(self, username: str, code: str, password: str) -> bool: ...


def address_key(email: str) -> str:
    """What an address is counted by in the limits: a digest of it, never the address itself."""
    return hashlib.sha256(subject_of(email).encode()).hexdigest()


class EmailSignIn:
    def __init__(
        self,
        *,
        directory: PasswordChecks,
        admit_caller: Callable[[str], None],
        admit_address: Callable[[str], None],
    ) -> None:
        self._directory = directory
        self._admit_caller = admit_caller
        self._admit_address = admit_address

    def sign_in(self, form: EmailSignInForm, *, source_ip: str) -> Challenge:
        self._admit(form.email, source_ip)
        usernames = logins_with(form.email)
        if not usernames:
            # Asked all the same, so that an unknown address takes as long as a wrong password; it is no.
            self._directory.check_password(NO_LOGIN, form.password)
            raise Unauthenticated(REFUSED)
        accepted = [
            (username, answer)
            for username in usernames
            if (answer := self._directory.check_password(username, form.password)) is not None
        ]
        if not accepted:
            raise Unauthenticated(REFUSED)
        if len(accepted) > 1:
            raise Conflict(
                "More than one login has this e-mail address and password; sign in with the username."
            )
        username, answer = accepted[0]
        if answer.challenge not in CHALLENGES or not answer.session:
            # Cognito answered tokens for the password alone: the login has no second factor yet.
            raise SecondFactorRequired(
                "This login has no second factor yet; sign in with the username and set one up."
            )
        return Challenge(challenge=answer.challenge, session=answer.session, username=username)

    def send_reset_code(self, form: ResetCodeForm, *, source_ip: str) -> None:
        """Cognito mails a code to every login with the address (normally one); nothing is said of whether
        any has it."""
        self._admit(form.email, source_ip)
        for username in logins_with(form.email):
            self._directory.send_reset_code(username)

    def reset_password(self, form: NewPasswordForm, *, source_ip: str) -> None:
        """The new password for the login whose code it is; the second factor is asked at the next sign-in
        as before."""
        self._admit(form.email, source_ip)
        for username in logins_with(form.email):
            if self._directory.reset_password(username, form.code, form.password):
                return
        raise InvalidInput(
            "The code is not correct, or it has expired.",
            errors=[FieldError("code", RESET_CODE_REFUSED["en"], translations=RESET_CODE_REFUSED)],
        )

    def _admit(self, email: str, source_ip: str) -> None:
        # The caller first: a caller trying many addresses is stopped without counting against each.
        self._admit_caller(source_ip)
        self._admit_address(address_key(email))


def logins_with(email: str) -> list[str]:
    """The usernames of the active logins with the address, at most MAX_LOGINS, by a Query on its key."""
    found = UserModel.by_subject.query(subject_of(email), limit=MAX_LOGINS * 4)
    return [user.user_id for user in found if user.status == UserStatus.ACTIVE.value][:MAX_LOGINS]
