"""The local stack loses nothing under concurrent writes: a burst of code creations by several colleagues,
conflicting renewals and the last two administrators deleting each other, all at once through the API. The
emulator's transactions undo each other's writes when they run side by side (a cancelled one puts back a copy
of whole tables), so without its serialisation this burst loses or repeats mail, or leaves the organisation
without an administrator."""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from infra.local.client import Api, Credentials, add_colleague, plain_text, signed_in
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

PASSWORD = "Samtidig-Skrivning-2026"
CREATORS = 4
CREATIONS = 80
RENEWED_CODES = 10
RENEWALS_PER_CODE = 12
DELETIONS_EACH = 4
WORKERS = 32
MAIL_SETTLES_SECONDS = 60
# The .eml name: the send time (`%Y%m%dT%H%M%S%f`), a dash, the outbox message id made file-safe.
EML_NAME = re.compile(r"^\d{8}T\d{12}-(?P<message>.+)\.eml$")
CODE_LINE = re.compile(r"^Godkendelseskode: (\S+)\r?$", re.MULTILINE)


@dataclass(frozen=True)
class Outcome:
    kind: str
    status: int
    body: Any


def colleague(n: str, functions: list[str], companies: list[str]) -> dict[str, Any]:
    return {
        "first_name": "Samtidig",
        "last_name": n,
        "email": f"samtidig.{n.lower()}@example.org",
        "mobile": "+45 40 50 60 70",
        "functions": functions,
        "companies": [{"cvr": cvr, "access": "full"} for cvr in companies],
    }


def representative(n: int, cvr: str, account: str) -> dict[str, Any]:
    return {
        "first_name": "Repræsentant",
        "last_name": f"Nr{n}",
        "email": f"rep{n}@example.org",
        "company": cvr,
        "account": account,
    }


def outbox(stack: RunningStack) -> list[dict[str, Any]]:
    """Every outbox item, as the emulator holds it (a test may Scan; the service never does)."""
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=stack.demo["aws_endpoint_url"],
        region_name=stack.demo["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(
        TableName="godkend-local-outbox", ConsistentRead=True
    ):
        items += page["Items"]
    return items


def mail_files(stack: RunningStack) -> Counter[str]:
    """How many .eml files each outbox message id has in the stack's mail folder."""
    found: Counter[str] = Counter()
    for path in (stack.state_dir / "mail").glob("*.eml"):
        name = EML_NAME.match(path.name)
        assert name is not None, f"unexpected file {path.name}"
        found[name.group("message")] += 1
    return found


def codes_mailed(stack: RunningStack) -> Counter[str]:
    """How many mails carry each code value."""
    found: Counter[str] = Counter()
    for path in (stack.state_dir / "mail").glob("*.eml"):
        found.update(CODE_LINE.findall(plain_text(path)))
    return found


def file_safe(message_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in message_id)


def wait_until_mail_settles(stack: RunningStack) -> list[dict[str, Any]]:
    """The outbox once no message is left waiting to be sent (or after the deadline, as it is then)."""
    deadline = time.monotonic() + MAIL_SETTLES_SECONDS
    while True:
        items = outbox(stack)
        if all(item["status"]["S"] not in {"queued", "retrying"} for item in items):
            return items
        if time.monotonic() > deadline:
            return items
        time.sleep(0.5)


def test_a_burst_of_concurrent_writes_loses_no_mail_and_keeps_an_administrator(stack: RunningStack):
    cognito = stack.cognito()
    client_id = stack.demo["cognito"]["client_id"]
    mail_dir = stack.state_dir / "mail"
    demo = stack.demo["users"]["admin"]
    demo_admin = signed_in(
        stack.api, cognito, client_id, Credentials(demo["username"], demo["password"], demo["totp_secret"])
    )
    me = demo_admin.call("GET", "/v1/me")
    accounts = [(c["cvr"], a["number"]) for c in me["companies"] for a in c["accounts"]]
    cvrs = [c["cvr"] for c in me["companies"]]

    def login(credentials: Credentials) -> Api:
        return signed_in(stack.api, cognito, client_id, credentials)

    # Given four colleagues who create codes, and two administrators who are the organisation's only ones
    creators = [
        login(
            add_colleague(
                demo_admin, cognito, client_id, mail_dir, colleague(f"K{i}", ["codes"], cvrs), PASSWORD
            )
        )
        for i in range(CREATORS)
    ]
    everything = ["codes", "history", "masterdata", "users"]
    first, second = (
        add_colleague(demo_admin, cognito, client_id, mail_dir, colleague(name, everything, cvrs), PASSWORD)
        for name in ("A", "B")
    )
    admin_a, admin_b = login(first), login(second)
    admin_a.call("DELETE", f"/v1/users/{me['user']['user_id']}", expect=(204,))
    administrators = [
        u for u in admin_a.call("GET", "/v1/users?limit=100")["items"] if "users" in u["functions"]
    ]
    assert sorted(u["user_id"] for u in administrators) == sorted([first.username, second.username])

    # And ten codes to renew
    to_renew = [
        creators[n % CREATORS].call(
            "POST", "/v1/codes", expect=(201,), json=representative(1000 + n, *accounts[n % len(accounts)])
        )["code_id"]
        for n in range(RENEWED_CODES)
    ]

    # When, all at once, 80 codes are created, each of the ten codes is renewed 12 times over, and each of
    # the two administrators tries four times to delete the other
    def attempt(kind: str, caller: Api, method: str, path: str, **kwargs: Any) -> Callable[[], Outcome]:
        def run() -> Outcome:
            response = caller.request(method, path, **kwargs)
            return Outcome(kind, response.status_code, response.json() if response.content else None)

        return run

    burst = [
        attempt(
            "create",
            creators[n % CREATORS],
            "POST",
            "/v1/codes",
            json=representative(n, *accounts[n % len(accounts)]),
        )
        for n in range(CREATIONS)
    ]
    burst += [
        attempt("renew", creators[n % CREATORS], "POST", f"/v1/codes/{code_id}/renew")
        for code_id in to_renew
        for n in range(RENEWALS_PER_CODE)
    ]
    for _ in range(DELETIONS_EACH):
        burst.append(attempt("delete", admin_a, "DELETE", f"/v1/users/{second.username}"))
        burst.append(attempt("delete", admin_b, "DELETE", f"/v1/users/{first.username}"))
    random.Random(18).shuffle(burst)
    assert len(burst) >= 200
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = list(pool.map(lambda run: run(), burst))

    # Then every creation answered 201, every renewal 200 or a 409 conflict, and each deletion was done,
    # refused, or found its target or its own login gone
    by_kind: dict[str, Counter[int]] = {}
    for outcome in outcomes:
        by_kind.setdefault(outcome.kind, Counter())[outcome.status] += 1
    assert by_kind["create"] == Counter({201: CREATIONS}), by_kind
    assert set(by_kind["renew"]) <= {200, 409}, by_kind
    assert by_kind["renew"][200] >= RENEWED_CODES, by_kind
    assert set(by_kind["delete"]) <= {204, 401, 404, 409}, by_kind
    assert by_kind["delete"][204] == 1, by_kind

    # And the 80 code mails arrived, each exactly once, and so did every renewed value's mail
    items = wait_until_mail_settles(stack)
    created = [o.body["code"] for o in outcomes if o.kind == "create"]
    renewed = [o.body["code"] for o in outcomes if o.kind == "renew" and o.status == 200]
    mailed = codes_mailed(stack)
    assert len(set(created)) == CREATIONS
    assert {code: mailed[code] for code in created} == dict.fromkeys(created, 1)
    assert {code: mailed[code] for code in renewed} == dict.fromkeys(renewed, 1)

    # And every mail in the outbox was sent, and is in the mail folder exactly once, and nothing else is
    assert Counter(item["status"]["S"] for item in items) == Counter({"sent": len(items)})
    files = mail_files(stack)
    assert files == Counter({file_safe(item["message_id"]["S"]): 1 for item in items})

    # And exactly one of the two administrators is left, still an administrator
    left = [caller for caller in (admin_a, admin_b) if caller.request("GET", "/v1/me").status_code == 200]
    assert len(left) == 1, "both administrators were deleted" if not left else "nobody was deleted"
    users = left[0].call("GET", "/v1/users?limit=100")["items"]
    assert [u["user_id"] for u in users if "users" in u["functions"] and u["status"] == "active"] == [
        left[0].call("GET", "/v1/me")["user"]["user_id"]
    ]
