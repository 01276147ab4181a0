"""Signing in, and *Glemt adgangskode?*, with the e-mail address instead of the username.

The user pool's sign-in names are fixed when the pool is made (its `AliasAttributes` cannot change without a
new pool), so the address is turned into a login here: the users with that address (the users table's
`by-subject` index, by key), and for each active one Cognito is asked, as the console's app client, whether
the password is theirs (AdminInitiateAuth). The first that takes it answers the challenge Cognito asks next,
its session and the username. The console answers that challenge here too (`POST /v1/sign-in/challenge`):
the session of AdminInitiateAuth is meant for AdminRespondToAuthChallenge, so the second step is the admin
call as well, and the tokens are answered only once the second factor has passed.

- One answer for every refusal (no such address, a wrong password, a login that cannot sign in): 401 in the
  words of a wrong username or password. An address with no login still costs one Cognito call (with a name
  no login has), so it is not answered faster than a wrong password.
- Tokens are never answered for the password alone: every login has a second factor, so a password that
  Cognito answers with tokens, or with any challenge but a second factor's (`MFA_SETUP` for a login that has
  not enrolled one yet, `NEW_PASSWORD_REQUIRED`), is refused with `second-factor-required`, and the person
  signs in with the username that first time, where the console enrols the factor at Cognito.
- The second step answers only SOFTWARE_TOKEN_MFA and SMS_MFA, with the code; Cognito checks that the session
  is this login's and unused. Tokens only when Cognito answers tokens; a wrong code is a field error on
  `answer`. Limited per caller and per username, like the first step.
- An address two people share (two organisations): each login is tried, at most MAX_LOGINS. If the password
  is the same for more than one, the address cannot say which login is meant: 409, sign in with the username.
- Limited per caller and per address (the caller limits, counted before Cognito is asked), besides Cognito's
  own lockout of a login after repeated wrong passwords.
- The password, the session, the code and the tokens are in no log line and no event: they go between the
  console and Cognito and nowhere else.

Access patterns
- users with an address ....... Query users.by-subject[subject_of(email)], Limit MAX_LOGINS + a few
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal, Protocol

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
# The challenges a sign-in with the address goes on with: the second factor's, answered at POST
# /v1/sign-in/challenge. Enrolling a factor (MFA_SETUP) would need Cognito's session-only calls, which an
# admin-started session is not meant for: that first sign-in is with the username.
CHALLENGES = frozenset({"SOFTWARE_TOKEN_MFA", "SMS_MFA"})

ResetCode = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^\S+$", description="The code from the mail, as it is"),
]


class EmailSignInForm(Strict):
    email: Email = Field(description="The login's e-mail address")
    password: Password = Field(description="The login's password; it goes to the identity provider only")


class ChallengeAnswerForm(Strict):
    username: Annotated[
        str,
        Field(
            min_length=1,
            max_length=128,
            pattern=r"^[^\s@]+$",
            description="The username POST /v1/sign-in named",
        ),
    ]
    session: Annotated[
        str,
        Field(
            # Cognito's own bounds of a session: anything else it would not even be asked.
            min_length=20,
            max_length=4096,
            pattern=r"^\S+$",
            description="The session POST /v1/sign-in answered; Cognito takes it once, for this login only",
        ),
    ]
    challenge: Literal["SOFTWARE_TOKEN_MFA", "SMS_MFA"] = Field(
        description="The challenge POST /v1/sign-in answered"
    )
    answer: Annotated[
        str,
        Field(
            min_length=6,
            max_length=6,
            pattern=r"^[0-9]{6}$",
            description="The 6 digits of the authenticator app, or of the text message",
        ),
    ]


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


class Tokens(Protocol):
    """Cognito's tokens after the second factor passed, as the console keeps tokens from Cognito."""

    @property
    def access_token(self) -> str: ...

    @property
    def id_token(self) -> str: ...

    @property
    def refresh_token(self) -> str: ...

    @property
    def expires_in(self) -> int: ...


class Accepted(Protocol):
    @property
    def challenge(self) -> str | None: ...

    @property
    def session(self) -> str | None: ...


class PasswordChecks(Protocol):
    """The user pool's side (`chalicelib/adapters/cognito.py`); tests may inject fakes."""

    def check_password(self, username: str, password: str) -> Accepted | None: ...

    def answer_challenge(self, username: str, session: str, challenge: str, answer: str) -> Tokens: ...

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
        admit_answering_caller: Callable[[str], None],
        admit_answering_login: Callable[[str], None],
        end_sessions: Callable[[str], None],
    ) -> None:
        self._directory = directory
        self._admit_caller = admit_caller
        self._admit_address = admit_address
        self._admit_answering_caller = admit_answering_caller
        self._admit_answering_login = admit_answering_login
        self._end_sessions = end_sessions

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
            # Cognito answered tokens for the password alone (the login has no second factor yet), or asks
            # for a step only the username's sign-in at Cognito takes (enrolling a factor, a new password).
            raise SecondFactorRequired(
                "This login has no second factor yet; sign in with the username and set one up."
            )
        return Challenge(challenge=answer.challenge, session=answer.session, username=username)

    def answer_challenge(self, form: ChallengeAnswerForm, *, source_ip: str) -> Tokens:
        """The second step: the code for the challenge the first step answered, at Cognito as the admin call
        its session is meant for. Tokens only after the second factor passed (the adapter's to check)."""
        # The caller first, as in the first step; then the login, so a guesser of codes is stopped per login.
        self._admit_answering_caller(source_ip)
        self._admit_answering_login(hashlib.sha256(form.username.encode()).hexdigest())
        return self._directory.answer_challenge(form.username, form.session, form.challenge, form.answer)

    def send_reset_code(self, form: ResetCodeForm, *, source_ip: str) -> None:
        """Cognito mails a code to every login with the address (normally one); nothing is said of whether
        any has it."""
        self._admit(form.email, source_ip)
        for username in logins_with(form.email):
            self._directory.send_reset_code(username)

    def reset_password(self, form: NewPasswordForm, *, source_ip: str) -> None:
        """The new password for the login whose code it is; the second factor is asked at the next sign-in
        as before. Every session from before ends (`SessionService.password_reset`), only once the code
        was taken."""
        self._admit(form.email, source_ip)
        for username in logins_with(form.email):
            if self._directory.reset_password(username, form.code, form.password):
                self._end_sessions(username)
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
