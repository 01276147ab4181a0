"""Schemathesis hooks for the contract fuzzing (tests/e2e/test_contract_fuzzing.py), loaded by the CLI through
SCHEMATHESIS_HOOKS. They say four things the OpenAPI document cannot:

- how to generate values of the formats of our own the document names (a CVR number's modulus-11 check;
  names and text that keep to one script and hold only visible characters);
- who is calling: GODKEND_FUZZ_ROLE (administrator, staff, vendor, vendor-person or anonymous) of the demo
  in GODKEND_LOCAL_DIR/demo.json, the vendor's person from the login the test made for it
  (GODKEND_LOCAL_DIR/fuzz-vendor-person.json: username, password, totp_secret). People sign in again
  whenever a token is refused, since a fuzzed request may well change the very login the run uses (its
  functions, say), which ends its sessions by design;
- which answers come from the local stack's own HTTP layer rather than from the app, and are excluded;
- which parameters depend on each other (a listing's `account` on its `company`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import boto3
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    unsupported_method,
)

from chalicelib.fields import CVR_FORMAT, NAME_FORMAT, PERSON_NAME_FORMAT, TEXT_FORMAT
from chalicelib.values.cvr import WEIGHTS
from infra.local.signin import sign_in


def _with_check_digit(first_seven: str) -> str | None:
    check = -sum(int(d) * w for d, w in zip(first_seven, WEIGHTS, strict=False)) % 11
    return first_seven + str(check) if check < 10 else None


# A CVR number passes the modulus-11 check: a pattern cannot say so, so the document names the format.
schemathesis.openapi.format(
    CVR_FORMAT,
    st.integers(min_value=1_000_000, max_value=9_999_999).map(str).map(_with_check_digit).filter(bool),
)

# Names and text: words of Danish letters (one script, every character visible), which every name's pattern
# and format accept; an organisation's name also finds a letter for its handle in them.
_WORDS = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzæøåABCDEFGHIJKLMNOPQRSTUVWXYZÆØÅ", min_size=1, max_size=12
)
_NAMES = st.lists(_WORDS, min_size=1, max_size=4).map(" ".join)
for _format in (NAME_FORMAT, PERSON_NAME_FORMAT, TEXT_FORMAT):
    schemathesis.openapi.format(_format, _NAMES)

ROLE = os.environ.get("GODKEND_FUZZ_ROLE", "anonymous")
PEOPLE = {"administrator": "admin", "staff": "staff", "vendor-person": ""}
# The demo has no vendor's person: the test makes one through the API and leaves its login here.
VENDOR_PERSON_LOGIN = "fuzz-vendor-person.json"


def _demo() -> dict[str, Any]:
    demo: dict[str, Any] = json.loads((Path(os.environ["GODKEND_LOCAL_DIR"]) / "demo.json").read_text())
    return demo


def _login(demo: dict[str, Any]) -> dict[str, str]:
    if ROLE == "vendor-person":
        login: dict[str, str] = json.loads(
            (Path(os.environ["GODKEND_LOCAL_DIR"]) / VENDOR_PERSON_LOGIN).read_text()
        )
        return login
    return dict(demo["users"][PEOPLE[ROLE]])


if ROLE in PEOPLE:

    @schemathesis.auth(refresh_interval=60)
    class DemoPerson:
        """The demo person's access token: password, then the authenticator code, as a front end does."""

        def get(self, case: Any, ctx: Any) -> str:
            demo = _demo()
            person = _login(demo)
            cognito = boto3.client(
                "cognito-idp",
                endpoint_url=demo["aws_endpoint_url"],
                region_name=demo["region"],
                aws_access_key_id="local",
                aws_secret_access_key="local",
            )
            client_id = demo["cognito"]["client_id"]
            return sign_in(cognito, client_id, person["username"], person["password"], person["totp_secret"])

        def set(self, case: Any, data: str, ctx: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

elif ROLE == "vendor":

    @schemathesis.auth()
    class DemoVendor:
        def get(self, case: Any, ctx: Any) -> str:
            return str(_demo()["vendor"]["api_key"])

        def set(self, case: Any, data: str, ctx: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


# The methods `chalice local`'s HTTP server hands to the app; API Gateway answers any other itself in AWS.
SERVED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _http_server_trace(response: Any, case: Any) -> bool:
    # Python's http.server (under `chalice local`) answers TRACE (and QUERY, and any method it has no handler
    # for) itself with 501, before the app sees it. The app is not asked, so the answer is not the app's.
    return str(case.method).upper() not in SERVED_METHODS and response.status_code == 501


@schemathesis.hook
def before_call(ctx: Any, case: Any, kwargs: dict[str, Any]) -> None:
    # A list's `cursor` is opaque: valid only as the list gave it out (400 otherwise, which is right). No
    # generator can make a valid one, so a request meant to be valid goes without (in every phase); requests
    # meant to be invalid keep theirs. tests/integration page with real cursors.
    meta = getattr(case, "meta", None)
    positive = meta is not None and meta.generation.mode.is_positive
    if positive and case.query:
        case.query.pop("cursor", None)
        # A listing's `account` needs its `company` (account numbers belong to one company; 400 otherwise,
        # which is right): a dependency between two parameters that the document states in words and no
        # parameter schema can. So a request meant to be valid names no account without its company.
        if "account" in case.query and "company" not in case.query:
            case.query.pop("account")


@schemathesis.check
def not_a_server_error_of_the_app(ctx: Any, response: Any, case: Any) -> bool | None:
    if _http_server_trace(response, case):
        return None
    return not_a_server_error(ctx, response, case)


@schemathesis.check
def unsupported_method_of_the_app(ctx: Any, response: Any, case: Any) -> bool | None:
    if _http_server_trace(response, case):
        return None
    return unsupported_method(ctx, response, case)


# The built-in checks these two stand in for; the test passes them to --exclude-checks.
REPLACED_CHECKS = ("not_a_server_error", "unsupported_method")
