"""Staff members on `make run`'s stack, made as the operator makes them (`make staff STAGE=local`), for the
tests of offboarding: through the API and in the console."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any

import requests

from infra.local.signin import sign_in, wait_for_sign_in
from infra.local.totp import fresh_totp
from tests.e2e.conftest import PROJECT_DIR, RunningStack

PASSWORD_LINE = re.compile(r"^Password \(permanent\): (\S+)$", re.MULTILINE)
USERNAME = re.compile(r"username (\S+), group staff")


def call(stack: RunningStack, method: str, path: str, token: str | None, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, f"{stack.api}{path}", headers=headers, timeout=15, **kwargs)


def operator(stack: RunningStack, *arguments: str) -> str:
    """`make staff …` / `make staff-remove …` against this stack, as the operator runs them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GODKEND_", "MOTO_"))}
    finished = subprocess.run(  # noqa: S603 - our own tool, our own arguments
        [sys.executable, "-m", "infra.staff", *arguments, "--state-dir", str(stack.state_dir)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    return finished.stdout


def new_staff_member(stack: RunningStack, email: str, name: str = "Lise Holm") -> str:
    """A staff member made with `make staff STAGE=local`, who enrols an authenticator through the API as at
    their first sign-in and signs in with it. Answers their access token."""
    said = operator(stack, "--stage", "local", "--email", email, "--mobile", "+4511223344", "--name", name)
    username_found, password_found = USERNAME.search(said), PASSWORD_LINE.search(said)
    assert username_found is not None, said
    assert password_found is not None, said
    username, password = username_found.group(1), password_found.group(1)
    cognito, client_id = stack.cognito(), stack.demo["cognito"]["client_id"]
    first = sign_in(cognito, client_id, username, password)
    secret = call(stack, "POST", "/v1/me/second-factor/authenticator", first).json()["secret_code"]
    done = call(
        stack, "POST", "/v1/me/second-factor/authenticator/verify", first, json={"code": fresh_totp(secret)}
    )
    assert done.status_code == 200, done.text
    wait_for_sign_in(done.json()["sign_in_from"])
    return sign_in(cognito, client_id, username, password, secret)
