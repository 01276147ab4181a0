"""Calling a running stack as a front end does, and giving it more signed-in people: an administrator
creates a colleague, the colleague takes the invitation from the mail, sets a password and enrols an
authenticator app. Used by the load profile's set-up (bench/load) and the end-to-end tests."""

from __future__ import annotations

import email
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from email.policy import default
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from infra.local.signin import sign_in, wait_for_sign_in
from infra.local.totp import fresh_totp

INVITATION_TIMEOUT_SECONDS = 30
POOL_SIZE = 64


class UnexpectedAnswer(Exception):
    pass


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    totp_secret: str


class Api:
    """One caller of the API: anonymous, a user's access token or a vendor's key."""

    def __init__(self, base_url: str, bearer: str | None = None, *, timeout: float = 30) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.token = bearer
        self.session = requests.Session()
        # Room for every thread of a burst to keep its connection.
        self.session.mount("http://", HTTPAdapter(pool_maxsize=POOL_SIZE))
        self.session.mount("https://", HTTPAdapter(pool_maxsize=POOL_SIZE))
        if bearer is not None:
            self.session.headers["Authorization"] = f"Bearer {bearer}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, f"{self.base_url}{path}", timeout=self.timeout, **kwargs)

    def call(self, method: str, path: str, expect: Iterable[int] = (200,), **kwargs: Any) -> Any:
        """The answer's JSON; anything but an expected status raises."""
        response = self.request(method, path, **kwargs)
        if response.status_code not in tuple(expect):
            raise UnexpectedAnswer(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json() if response.content else None


def signed_in(base_url: str, cognito: Any, client_id: str, login: Credentials) -> Api:
    token = sign_in(cognito, client_id, login.username, login.password, login.totp_secret)
    return Api(base_url, token)


def add_colleague(
    admin: Api, cognito: Any, client_id: str, mail_dir: Path, body: dict[str, Any], password: str
) -> Credentials:
    """Creates the colleague, accepts the invitation mailed to them (read from the stack's mail folder) and
    enrols an authenticator app through the API, as a new colleague does; answers how to sign in."""
    created = admin.call("POST", "/v1/users", expect=(201,), json=body)
    username = str(created["username"])
    token = invitation_code(mail_dir, username)
    anonymous = Api(admin.base_url)
    anonymous.call(
        "POST", "/v1/invitations/accept", expect=(201,), json={"token": token, "password": password}
    )
    first = Api(admin.base_url, sign_in(cognito, client_id, username, password))
    secret = str(first.call("POST", "/v1/me/second-factor/authenticator")["secret_code"])
    done = first.call("POST", "/v1/me/second-factor/authenticator/verify", json={"code": fresh_totp(secret)})
    # The enrolment ended the password-only session; a token from its very second would be refused, so the
    # colleague is handed over once a sign-in is accepted.
    wait_for_sign_in(str(done["sign_in_from"]))
    return Credentials(username, password, secret)


def invitation_code(mail_dir: Path, username: str, seconds: float = INVITATION_TIMEOUT_SECONDS) -> str:
    """The invitation code of the mail in `mail_dir` that names `username`, waiting for it to arrive."""
    username_line = re.compile(rf"^(?:Brugernavn|Username): {re.escape(username)}\r?$", re.MULTILINE)
    code_line = re.compile(r"^(?:Invitationskode|Invitation code): (\S+)\r?$", re.MULTILINE)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml"), reverse=True):
            text = plain_text(path)
            found = code_line.search(text)
            if found is not None and username_line.search(text):
                return found.group(1)
        time.sleep(0.2)
    raise UnexpectedAnswer(f"no invitation for {username} in {mail_dir} within {seconds} s")


def plain_text(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=default)
    body = message.get_body(preferencelist=("plain",))
    return str(body.get_content()) if body is not None else ""
