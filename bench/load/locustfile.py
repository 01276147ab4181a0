"""The load profile's simulated callers, run by Locust (`make load`, which prepares the fixture first).

Three kinds of caller, in the proportions of their `weight`:
- vendors check codes: mostly valid ones, some unknown and some revoked. Each simulated vendor has its own
  vendor and key, and keeps its failed checks (unknown, revoked) under the service's failure limit, so no
  check is refused with 429: once it has used its budget for the window it checks valid codes only;
- signed-in colleagues create codes, list them and renew the ones they created;
- anonymous applicants apply for companies of the register (202; or 429, the per-CVR letter limit, which a
  register of a few sample companies reaches, and which is the only refusal counted as a correct answer).
  Only where the fixture names companies: locally the sample register's, on a deployed stage those its
  config lists. New codes are mailed only on the local stack, whose mail goes to .local/mail/.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import secrets
import string
import time
from collections import deque
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task
from locust.env import Environment

from bench.load.setup import Fixture

FIXTURE = Fixture.read(Path(os.environ["GODKEND_LOAD_FIXTURE"]))
# Below the service's default of 20 failed checks per vendor in 300 s (GODKEND_VALIDATION_FAILURE_LIMIT).
FAILURE_BUDGET = int(os.environ.get("GODKEND_LOAD_FAILURE_BUDGET", "15"))
FAILURE_WINDOW_SECONDS = float(os.environ.get("GODKEND_LOAD_FAILURE_WINDOW_SECONDS", "300"))
_vendor_keys = itertools.cycle(FIXTURE.vendor_keys)
_member_tokens = itertools.cycle(FIXTURE.member_tokens)
_application_cvrs = itertools.cycle(FIXTURE.application_cvrs)
_limited_applications = [0]
_random = random.Random()  # which code or account to use: no secret


def _unknown_code() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(8)) + "@" + FIXTURE.handle


class Vendor(HttpUser):
    weight = 5
    wait_time = between(0.2, 0.8)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {next(_vendor_keys)}"
        self._failures: deque[float] = deque()

    @task(6)
    def valid(self) -> None:
        self._check(_random.choice(FIXTURE.valid_codes), "valid code", valid=True)

    @task(1)
    def unknown(self) -> None:
        if self._may_fail():
            self._check(_unknown_code(), "unknown code", valid=False, reason="unknown")
        else:
            self.valid()

    @task(1)
    def revoked(self) -> None:
        if self._may_fail():
            self._check(_random.choice(FIXTURE.revoked_codes), "revoked code", valid=False, reason="revoked")
        else:
            self.valid()

    def _may_fail(self) -> bool:
        now = time.monotonic()
        while self._failures and self._failures[0] <= now - FAILURE_WINDOW_SECONDS:
            self._failures.popleft()
        if len(self._failures) >= FAILURE_BUDGET:
            return False
        self._failures.append(now)
        return True

    def _check(self, code: str, kind: str, *, valid: bool, reason: str | None = None) -> None:
        with self.client.post(
            "/v1/validations", json={"code": code}, name=f"POST /v1/validations ({kind})", catch_response=True
        ) as response:
            body: dict[str, Any] = response.json() if response.status_code == 200 else {}
            if response.status_code != 200 or body.get("valid") is not valid or body.get("reason") != reason:
                response.failure(f"{response.status_code} {response.text[:200]}")


class Colleague(HttpUser):
    weight = 3
    wait_time = between(0.2, 0.8)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {next(_member_tokens)}"
        self._mine: list[str] = []

    @task(2)
    def create(self) -> None:
        cvr, account = _random.choice(FIXTURE.accounts)
        body = {
            "first_name": "Last",
            "last_name": "Repræsentant",
            "email": f"load-rep-{secrets.token_hex(4)}@example.org",
            "company": cvr,
            "account": account,
            "notify": FIXTURE.notify,
        }
        with self.client.post("/v1/codes", json=body, name="POST /v1/codes", catch_response=True) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code} {response.text[:200]}")
            else:
                self._mine.append(response.json()["code_id"])

    @task(3)
    def list(self) -> None:
        with self.client.get("/v1/codes?limit=20", name="GET /v1/codes", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.text[:200]}")

    @task(2)
    def renew(self) -> None:
        if not self._mine:
            self.create()
            return
        code_id = _random.choice(self._mine)
        with self.client.post(
            f"/v1/codes/{code_id}/renew", name="POST /v1/codes/{id}/renew", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.text[:200]}")


# Only where applications may be made: a deployed stage's config lists the companies (their letters go out).
if FIXTURE.application_cvrs:

    class Applicant(HttpUser):
        weight = 1
        wait_time = between(0.5, 1.5)

        @task
        def apply(self) -> None:
            cvr = next(_application_cvrs)
            body = {
                "cvr": cvr,
                "name": "Lasttest Forening",
                "applicant": {
                    "first_name": "Ida",
                    "last_name": "Last",
                    "email": f"load-applicant-{secrets.token_hex(4)}@example.org",
                    "mobile": "+45 22 33 44 55",
                },
            }
            with self.client.post(
                "/v1/applications", json=body, name="POST /v1/applications", catch_response=True
            ) as response:
                limited = response.status_code == 429 and "Retry-After" in response.headers
                _limited_applications[0] += limited
                if response.status_code != 202 and not limited:
                    response.failure(f"{response.status_code} {response.text[:200]}")


def write_summary(environment: Environment, **_: Any) -> None:
    """The figures `make load` prints, from the run's final statistics (Locust writes its CSV only every
    second, so the CSV can miss the last second's requests)."""
    stats = environment.stats
    entries = [*sorted(stats.entries.values(), key=lambda e: (e.name, e.method or "")), stats.total]
    summary = {
        "kinds": [
            {
                "name": "all" if entry is stats.total else entry.name,
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "per_second": entry.total_rps,
                **{f"p{p}": entry.get_response_time_percentile(p / 100) for p in (50, 95, 99)},
            }
            for entry in entries
        ],
        "errors": [
            {"name": error.name, "error": str(error.error), "occurrences": error.occurrences}
            for error in stats.errors.values()
        ],
        "applications_at_letter_limit": _limited_applications[0],
    }
    Path(os.environ["GODKEND_LOAD_SUMMARY"]).write_text(json.dumps(summary, indent=2) + "\n")


events.quitting.add_listener(write_summary)  # type: ignore[no-untyped-call]  # Locust leaves it untyped
