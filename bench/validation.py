"""Prints what a valid check of a code costs: its latency against one raw GetItem on the same emulator, as a
ratio, and its DynamoDB round trips.

The emulator is a moto server on loopback that this script starts (the same kind the local stack runs), so
every round trip is a real HTTP request, as against DynamoDB. Absolute times are the emulator's, not AWS's;
the ratio is what carries over: the handler is roughly its round trips times one GetItem, plus Python.

    .venv/bin/python -m bench.validation [--runs 300]

The requests are made in a process of their own (the app, its clients and the Chalice test client: what
the API function holds), so that its peak memory (max RSS) is measured apart from the emulator's.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

REGION = "eu-west-1"
PREFIX = "godkend-bench"
WARM_UP = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def point_at_emulator(port: int) -> None:
    # Before any model is imported: table names and endpoints are read at import time.
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 - the emulator takes any credentials
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
        AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
        GODKEND_TABLE_PREFIX=PREFIX,
    )


def timings_ms(actions: dict[str, Callable[[], object]], runs: int) -> dict[str, list[float]]:
    """Each action timed `runs` times, taking turns, so that a busy moment of the machine (or a table the
    emulator has grown) weighs on all of them alike."""
    for action in actions.values():
        for _ in range(WARM_UP):
            action()
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            started = time.perf_counter()
            action()
            samples[name].append((time.perf_counter() - started) * 1000)
    return samples


def describe(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(samples):6.2f} ms   p95 {p95:6.2f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.validation", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    # Internal: the process that makes the requests, against the emulator on this port.
    parser.add_argument("--requests-against", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.requests_against:
        point_at_emulator(args.requests_against)
        run(args.runs, args.requests_against)
        return 0

    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        command = [sys.executable, "-m", "bench.validation", "--runs", str(args.runs)]
        subprocess.run([*command, "--requests-against", str(port)], check=True)  # noqa: S603
    finally:
        server.stop()
    # Linux reports max RSS in KiB: the largest the requesting process (the API function's part) grew.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory of the API function (max RSS of the process making the requests): {peak:.0f} MB")
    return 0


def run(runs: int, port: int) -> None:
    import logging

    import boto3

    from bench.roundtrips import DynamoDBCalls
    from chalicelib.clock import SystemClock
    from chalicelib.container import Container, use_container
    from chalicelib.models.code import CodeValueModel
    from chalicelib.models.validation import CheckKeys, ReceiptModel, check_request
    from chalicelib.services.vendors.api_keys import parse_authorization
    from chalicelib.services.vendors.failure_limit import FailureLimit
    from chalicelib.services.vendors.validation import ValidCode
    from chalicelib.settings import Settings
    from infra.local.provision import create_receipt_keys, create_tables

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    create_tables()
    code, vendor = seed()
    # The key set as the stage has it; the check signs from memory once it is loaded (in the warm-up).
    keys = create_receipt_keys(
        boto3.client("secretsmanager", region_name=REGION), f"{PREFIX}/receipt-keys", datetime.now(UTC)
    )
    container = Container(
        settings=Settings(stage="local", region=REGION, table_prefix=PREFIX, receipt_keys_secret=keys),
        clock=SystemClock(),
    )
    use_container(container)
    raw = boto3.client("dynamodb", region_name=REGION)
    key = {"random_part": {"S": code.split("@")[0]}}
    presented = parse_authorization(f"Bearer {vendor[1]}")
    validations = container.validations
    client = http_client()
    headers = {"authorization": f"Bearer {vendor[1]}", "content-type": "application/json"}
    body = f'{{"code": "{code}"}}'.encode()

    def get_item() -> object:
        return raw.get_item(TableName=CodeValueModel.Meta.table_name, Key=key, ConsistentRead=True)

    window = container.settings.validation_failure_window_seconds
    windows = FailureLimit(limit=1, window_seconds=window).windows(int(time.time()))
    check_keys = CheckKeys(
        key_id=presented.key_id,
        vendor_id=presented.vendor_id,
        windows=windows,
        random_part=code.split("@")[0],
        handle=code.split("@")[1],
    )
    first = validations.validate(presented, code)
    assert isinstance(first, ValidCode), first
    receipts = ReceiptModel.Meta.table_name
    receipt = raw.get_item(TableName=receipts, Key={"validation_id": {"S": first.validation_id}})["Item"]

    def limit() -> object:
        # What the check must do at the least: its one read and its one write, with nothing around them.
        raw.batch_get_item(RequestItems=check_request(check_keys))
        item = {**receipt, "validation_id": {"S": uuid.uuid4().hex}}
        return raw.put_item(TableName=receipts, Item=item)

    def handler() -> object:
        answer = validations.validate(presented, code)
        assert answer.valid is True
        return answer

    def request() -> object:
        response = client.http.post("/v1/validations", headers=headers, body=body)
        assert response.status_code == 200, response.body
        return response

    samples = timings_ms({"get_item": get_item, "limit": limit, "handler": handler, "request": request}, runs)
    baseline, service, whole = samples["get_item"], samples["handler"], samples["request"]
    with DynamoDBCalls(container, table_prefix=f"{PREFIX}-") as counted:
        request()

    base = statistics.median(baseline)
    two_calls = statistics.median(samples["limit"])
    print(
        f"emulator: moto server on 127.0.0.1:{port} (loopback HTTP); {runs} runs each after {WARM_UP} warm-up"
    )
    print(f"raw GetItem (code-values, consistent) ........ {describe(baseline)}")
    print(f"raw BatchGetItem + PutItem (the limit) ....... {describe(samples['limit'])}")
    print(f"validation handler (the service's check) ..... {describe(service)}")
    print(f"whole request (routing + key + handler) ...... {describe(whole)}")
    print(f"the limit / raw GetItem ...................... {two_calls / base:.1f}x")
    print(f"handler / raw GetItem ........................ {statistics.median(service) / base:.1f}x")
    print(f"whole request / raw GetItem .................. {statistics.median(whole) / base:.1f}x")
    # What the service adds to its two calls, apart from what the emulator charges for them.
    print(f"whole request / the limit .................... {statistics.median(whole) / two_calls:.2f}x")
    print(f"DynamoDB round trips per valid check ......... {len(counted.calls)}")
    for operation, tables in counted.calls:
        print(f"  {operation:<13} {tables}")


def seed() -> tuple[str, tuple[str, str]]:
    """An approved organisation with a code, and a vendor: answers the code and (vendor id, API key)."""
    from chalicelib.clock import SystemClock
    from chalicelib.services.access.authz import Access, CompanyScope, Function, Principal
    from chalicelib.services.codes.codes import CodeRequest, CodeService
    from infra.local.demo import DEMO_COMPANIES, add_organisation, add_vendor

    now = datetime.now(UTC)
    organisation = add_organisation(
        org_id="org-bench",
        name="Røde Kors Aarhus",
        handle="RoedeKorsAarhus",
        companies=DEMO_COMPANIES,
        now=now,
    )
    company = DEMO_COMPANIES[0]
    principal = Principal(
        user_id="bench",
        org_id=organisation.org_id,
        functions=frozenset({Function.CODES}),
        companies={company.cvr: CompanyScope(company.cvr, Access.FULL)},
    )
    created = CodeService(clock=SystemClock()).create(
        principal,
        CodeRequest(
            first_name="Mette",
            last_name="Hansen",
            email="mette@example.org",
            company=company.cvr,
            account=company.accounts[0][0],
            notify=False,
        ),
    )
    vendor_id = "b" * 32
    api_key = add_vendor(
        vendor_id=vendor_id, name="Bench ApS", contact_email="bench@example.org", now=now, created_by="bench"
    )
    return created.code, (vendor_id, api_key)


def http_client() -> Any:
    from pathlib import Path

    from chalice.test import Client

    from app import app

    return Client(app, stage_name="test", project_dir=str(Path(__file__).resolve().parent.parent))


if __name__ == "__main__":
    sys.exit(main())
