"""What the load profile needs before it starts, made through the API as people would make it: signed-in
colleagues who create codes, valid and revoked codes for the vendors to check, a vendor (with its own key)
per simulated vendor, and the companies applications are made for. Nothing here imports Locust, whose
import patches the standard library for gevent."""

from __future__ import annotations

import json
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import boto3

from infra.local.client import Api, Credentials, add_colleague, signed_in

COLLEAGUE_PASSWORD_BYTES = 12
SETUP_THREADS = 8


class TargetUnusable(Exception):
    """The stage cannot be load-tested as configured; the message says what to do."""


@dataclass(frozen=True)
class Target:
    api_url: str
    region: str
    client_id: str
    admin: Credentials
    staff: Credentials
    aws_endpoint_url: str | None = None
    # Only where the stack's mail can be read (.local/mail/): new colleagues need their invitations.
    mail_dir: Path | None = None
    colleagues: tuple[Credentials, ...] = ()
    registry: tuple[str, ...] = ()

    def cognito(self) -> Any:
        if self.aws_endpoint_url is None:
            return boto3.client("cognito-idp", region_name=self.region)
        return boto3.client(
            "cognito-idp",
            endpoint_url=self.aws_endpoint_url,
            region_name=self.region,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 - the emulator's
        )


@dataclass
class Fixture:
    """What the Locust users read (bench/load/locustfile.py); written as JSON beside the report."""

    member_tokens: list[str]
    accounts: list[tuple[str, str]]
    handle: str
    vendor_keys: list[str]
    valid_codes: list[str]
    revoked_codes: list[str]
    application_cvrs: list[str]
    # Whether new codes are mailed to their (made-up) representatives: only where the mail goes nowhere.
    notify: bool
    # Staff revoke these keys when the run is over.
    vendor_key_ids: list[tuple[str, str]] = field(default_factory=list)

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def read(cls, path: Path) -> Fixture:
        data = json.loads(path.read_text())
        data["accounts"] = [tuple(pair) for pair in data["accounts"]]
        data["vendor_key_ids"] = [tuple(pair) for pair in data["vendor_key_ids"]]
        return cls(**data)


def login(data: dict[str, Any]) -> Credentials:
    return Credentials(str(data["username"]), str(data["password"]), str(data["totp_secret"]))


def local_target(demo_file: Path) -> Target:
    """The local stack `make run` started, as its demo.json describes it."""
    if not demo_file.exists():
        raise TargetUnusable(f"no local stack: {demo_file} is missing; start one with `make run` first")
    demo = json.loads(demo_file.read_text())
    return Target(
        api_url=demo["api_url"],
        region=demo["region"],
        client_id=demo["cognito"]["client_id"],
        admin=login(demo["users"]["admin"]),
        staff=login(demo["users"]["staff"]),
        aws_endpoint_url=demo["aws_endpoint_url"],
        mail_dir=demo_file.parent / "mail",
        registry=tuple(entry["cvr"] for entry in demo["registry"]),
    )


def deployed_target(url: str, config_file: Path) -> Target:
    """A deployed stage: its user pool's app client, an administrator of an approved organisation (with
    the `codes` and `users` functions), a staff user, optionally more signed-in colleagues."""
    if not config_file.exists():
        raise TargetUnusable(
            f"URL={url} needs LOAD_CONFIG=<file> with the stage's logins (see docs/performance.md#load)"
        )
    config = json.loads(config_file.read_text())
    try:
        return Target(
            api_url=url,
            region=config["region"],
            client_id=config["cognito"]["client_id"],
            admin=login(config["users"]["admin"]),
            staff=login(config["users"]["staff"]),
            colleagues=tuple(login(c) for c in config.get("colleagues", [])),
            registry=tuple(config.get("registry", [])),
        )
    except (KeyError, TypeError) as exc:
        raise TargetUnusable(f"{config_file} lacks {exc}; see docs/performance.md#load") from exc


def prepare(target: Target, *, vendors: int, colleagues: int, codes: int) -> Fixture:
    """`codes` valid codes for the vendors to check, and a quarter as many revoked ones (at least one)."""
    cognito = target.cognito()
    admin = signed_in(target.api_url, cognito, target.client_id, target.admin)
    staff = signed_in(target.api_url, cognito, target.client_id, target.staff)
    me = admin.call("GET", "/v1/me")
    organisation = me["organisation"]
    if organisation is None or organisation["status"] != "approved":
        raise TargetUnusable("the administrator's organisation must be approved to create codes")
    accounts = [(c["cvr"], a["number"]) for c in me["companies"] for a in c["accounts"]]
    if not accounts:
        raise TargetUnusable("the administrator's organisation has no account to create codes under")
    own_cvrs = {c["cvr"] for c in me["companies"]}

    logins = list(target.colleagues) + _new_colleagues(target, admin, cognito, colleagues, own_cvrs)
    members = [admin] + [signed_in(target.api_url, cognito, target.client_id, c) for c in logins]

    with ThreadPoolExecutor(SETUP_THREADS) as pool:
        issued = list(pool.map(lambda n: _code(admin, n, accounts[n % len(accounts)]), range(codes)))
        revoked = list(
            pool.map(
                lambda n: _code(admin, codes + n, accounts[n % len(accounts)]), range(max(1, codes // 4))
            )
        )
        list(pool.map(lambda code: admin.call("DELETE", f"/v1/codes/{code['code_id']}"), revoked))
        keys = list(pool.map(lambda n: _vendor(staff, n), range(vendors)))

    return Fixture(
        member_tokens=[str(m.token) for m in members],
        accounts=accounts,
        handle=str(organisation["handle"]),
        vendor_keys=[key["api_key"] for key in keys],
        valid_codes=[code["code"] for code in issued],
        revoked_codes=[code["code"] for code in revoked],
        # An application for a company that has an administrator is refused; the others are the profile's.
        application_cvrs=[cvr for cvr in target.registry if cvr not in own_cvrs],
        notify=target.mail_dir is not None,
        vendor_key_ids=[(key["vendor_id"], key["key_id"]) for key in keys],
    )


def revoke_vendor_keys(target: Target, fixture: Fixture) -> None:
    """The run's vendors keep no working key once it is over."""
    staff = signed_in(target.api_url, target.cognito(), target.client_id, target.staff)
    with ThreadPoolExecutor(SETUP_THREADS) as pool:
        list(
            pool.map(
                lambda ids: staff.call("DELETE", f"/v1/staff/vendors/{ids[0]}/keys/{ids[1]}"),
                fixture.vendor_key_ids,
            )
        )


def _new_colleagues(
    target: Target, admin: Api, cognito: Any, count: int, cvrs: set[str]
) -> list[Credentials]:
    if count == 0:
        return []
    if target.mail_dir is None:
        raise TargetUnusable(
            "new colleagues need their invitation mail; list logins under `colleagues` instead"
        )
    mail_dir = target.mail_dir
    run = secrets.token_hex(3)

    def one(n: int) -> Credentials:
        body = {
            "first_name": "Last",
            "last_name": f"Test {in_letters(n)}",
            "email": f"load-{run}-{n}@example.org",
            "mobile": "+45 40 50 60 70",
            "functions": ["codes"],
            "companies": [{"cvr": cvr, "access": "full"} for cvr in sorted(cvrs)],
        }
        password = f"Load-{secrets.token_urlsafe(COLLEAGUE_PASSWORD_BYTES)}-1a"
        return add_colleague(admin, cognito, target.client_id, mail_dir, body, password)

    with ThreadPoolExecutor(SETUP_THREADS) as pool:
        return list(pool.map(one, range(count)))


def in_letters(n: int) -> str:
    """A number written in letters (A, B, ..., Z, BA, ...): a person's name holds no digits."""
    written = ""
    while True:
        written = chr(ord("A") + n % 26) + written
        n //= 26
        if n == 0:
            return written


def _code(member: Api, n: int, account: tuple[str, str]) -> dict[str, Any]:
    answer: dict[str, Any] = member.call(
        "POST",
        "/v1/codes",
        expect=(201,),
        json={
            "first_name": "Last",
            "last_name": f"Kode {in_letters(n)}",
            "email": f"load-code-{n}@example.org",
            "company": account[0],
            "account": account[1],
            "notify": False,
        },
    )
    return answer


def _vendor(staff: Api, n: int) -> dict[str, Any]:
    answer = staff.call(
        "POST",
        "/v1/staff/vendors",
        expect=(201,),
        json={"name": f"Lasttest-leverandør {n}", "contact_email": f"load-vendor-{n}@example.org"},
    )
    key: dict[str, Any] = answer["key"]
    return key
