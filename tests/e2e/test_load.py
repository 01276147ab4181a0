"""The local stack under load: the load profile runs (`make load`), 64 clients at once are all answered, and
nothing is lost under concurrent writes: a burst of code creations by several colleagues,
conflicting renewals and the last two administrators deleting each other, all at once through the API. The
emulator's transactions undo each other's writes when they run side by side (a cancelled one puts back a copy
of whole tables), so without its serialisation this burst loses or repeats mail, or leaves the organisation
without an administrator."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from infra.local.client import Api, Credentials, add_colleague, plain_text, signed_in
from tests.e2e.conftest import PROJECT_DIR, RunningStack, stack_of_its_own

pytestmark = pytest.mark.e2e

PASSWORD = "Samtidig-Skrivning-2026"
CREATORS = 4
CREATIONS = 80
RENEWED_CODES = 10
RENEWALS_PER_CODE = 12
DELETIONS_EACH = 4
WORKERS = 32
MAIL_SETTLES_SECONDS = 60
# 208 requests queue for an emulator that takes one at a time, on a machine that may be busy.
BURST_TIMEOUT = 180
# The .eml name: the send time (`%Y%m%dT%H%M%S%f`), a dash, the outbox message id made file-safe.
EML_NAME = re.compile(r"^\d{8}T\d{12}-(?P<message>.+)\.eml$")
REQUEST_KINDS = (
    "GET /v1/codes",
    "POST /v1/applications",
    "POST /v1/codes",
    "POST /v1/codes/{id}/renew",
    "POST /v1/validations (revoked code)",
    "POST /v1/validations (unknown code)",
    "POST /v1/validations (valid code)",
)
CODE_LINE = re.compile(r"^Godkendelseskode: (\S+)\r?$", re.MULTILINE)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    # A stack of its own: the 64 clients drive the demo vendor past its limit of failed checks, and the burst
    # removes the demo administrator, whom the other modules sign in as.
    yield from stack_of_its_own(tmp_path_factory, "load")


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


def in_letters(n: int) -> str:
    """A number written in letters (A, B, ..., Z, BA, ...): a person's name holds no digits."""
    written = ""
    while True:
        written = chr(ord("A") + n % 26) + written
        n //= 26
        if n == 0:
            return written


def representative(n: int, cvr: str, account: str) -> dict[str, Any]:
    return {
        "first_name": "Repræsentant",
        "last_name": f"Nr {in_letters(n)}",
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


def test_64_clients_connecting_at_once_are_all_answered(stack: RunningStack):
    # Given 64 clients that each open a new connection at the same instant, five times over
    clients = 64
    start = threading.Barrier(clients)
    vendor = {"Authorization": f"Bearer {stack.demo['vendor']['api_key']}", "Connection": "close"}

    def client(_: int) -> list[int | str]:
        answers: list[int | str] = []
        for _round in range(5):
            start.wait()
            try:
                response = requests.post(
                    f"{stack.api}/v1/validations",
                    json={"code": "abcdefgh@Nobody"},
                    headers=vendor,
                    timeout=120,
                )
                answers.append(response.status_code)
            except requests.ConnectionError as exc:
                answers.append(type(exc).__name__)
        return answers

    # When they call the API
    with ThreadPoolExecutor(max_workers=clients) as pool:
        answers = [answer for answers in pool.map(client, range(clients)) for answer in answers]

    # Then every request is answered (valid: false or, past the vendor's failure limit, 429), none refused
    assert Counter(answers).keys() <= {200, 429}, Counter(answers)


def make_load(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """`make load` with these arguments, as its Makefile target runs it."""
    return subprocess.run(  # noqa: S603 - our own module, with arguments of the test's
        [sys.executable, "-m", "bench.load", *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_the_load_profile_runs_briefly_and_reports_every_request_kind(stack: RunningStack, tmp_path: Path):
    # When the load profile runs against the stack for a few seconds with a few callers
    out = tmp_path / "load"
    demo = str(stack.state_dir / "demo.json")
    brief = ["--users", "6", "--spawn-rate", "6", "--run-time", "5s", "--colleagues", "1", "--codes", "4"]
    done = make_load("--demo", demo, *brief, "--out", str(out), timeout=180)

    # Then it stops by itself, with no failed request, and prints a line per request kind
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads((out / "summary.json").read_text())
    kinds = {kind["name"] for kind in summary["kinds"]}
    assert kinds <= set(REQUEST_KINDS) | {"all"}
    assert "POST /v1/validations (valid code)" in kinds
    assert summary["kinds"][-1]["failures"] == 0
    for kind in kinds:
        assert re.search(rf"^{re.escape(kind)} +\d", done.stdout, re.MULTILINE), done.stdout

    # And Locust's CSV and HTML report are there, and no access token or key is left behind
    assert (out / "load_stats.csv").exists()
    assert (out / "report.html").exists()
    assert not (out / "fixture.json").exists()


def test_the_load_profile_says_in_one_line_when_no_local_stack_runs(tmp_path: Path):
    done = make_load("--demo", str(tmp_path / "demo.json"), "--out", str(tmp_path), timeout=60)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert "make run" in done.stderr


# Last in this module: it removes the demo administrator, whom the tests above sign in as.
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
        return Api(
            stack.api, signed_in(stack.api, cognito, client_id, credentials).token, timeout=BURST_TIMEOUT
        )

    def new_colleague(name: str) -> Credentials:
        functions = ["codes"] if name.startswith("K") else ["codes", "history", "masterdata", "users"]
        return add_colleague(
            demo_admin, cognito, client_id, mail_dir, colleague(name, functions, cvrs), PASSWORD
        )

    # Given four colleagues who create codes, and two administrators who are the organisation's only ones
    with ThreadPoolExecutor(max_workers=CREATORS + 2) as pool:
        *makers, first, second = pool.map(
            new_colleague, [*(f"K{in_letters(i)}" for i in range(CREATORS)), "A", "B"]
        )
        creators = list(pool.map(login, makers))
        admin_a, admin_b = pool.map(login, (first, second))
    admin_a.call("DELETE", f"/v1/users/{me['user']['user_id']}", expect=(204,))
    administrators = [
        u for u in admin_a.call("GET", "/v1/users?limit=100")["items"] if "users" in u["functions"]
    ]
    assert sorted(u["user_id"] for u in administrators) == sorted([first.username, second.username])

    # And ten codes to renew
    def code_to_renew(n: int) -> str:
        body = representative(1000 + n, *accounts[n % len(accounts)])
        return str(creators[n % CREATORS].call("POST", "/v1/codes", expect=(201,), json=body)["code_id"])

    with ThreadPoolExecutor(max_workers=RENEWED_CODES) as pool:
        to_renew = list(pool.map(code_to_renew, range(RENEWED_CODES)))

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
