"""Records which Lambda function of the app makes which AWS call on which resource, while the tests run.

A botocore handler on every client (added to botocore's built-in handlers, as moto adds its own, before any
client exists) sees each call once with its parameters. The function making it is found on the call stack:
the innermost frame of an event handler or authorizer of the app names that function; anything under
`Chalice.__call__` is the API function. Calls made by the tests themselves (seeding, reading back) are in
neither and are not recorded.

What is recorded is what `infra/policies.json` must grant, in its own terms: (function, "service:Action",
short resource name), e.g. ("deliver_outbox", "dynamodb:UpdateItem", "outbox").
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

import botocore.handlers

from infra.operations import ENCRYPTED_SECRETS

Call = tuple[str, str, str]

RECORDED: set[Call] = set()
# Every call of the session, made by a function or not: (signing name, operation) -> count.
COUNTS: Counter[tuple[str, str]] = Counter()

# What the API calls as a batch is authorised as the single action.
SQS_ACTIONS = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}
TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}

_functions: dict[CodeType, str] | None = None
_api_call: CodeType | None = None


def install() -> None:
    """Before any botocore client is created: every client created afterwards records its calls."""
    botocore.handlers.BUILTIN_HANDLERS.append(("before-parameter-build", _record))


def count(service: str, operation: str) -> int:
    """How many `operation` calls of `service` the session has made so far."""
    return COUNTS[(service, operation)]


def _record(params: dict[str, Any], model: Any, **_: Any) -> None:
    service = model.service_model.signing_name
    COUNTS[(service, model.name)] += 1
    function = _calling_function()
    if function is None:
        return
    for action, resource in _authorised(service, model.name, params):
        for call in _with_implied((function, f"{service}:{action}", resource)):
            if call not in RECORDED:
                RECORDED.add(call)
                _write_down(call)


def _with_implied(call: Call) -> list[Call]:
    """The call, and what the same function must also be allowed though a test may not see it: the queue
    adapters look a queue's URL up once per container, and the tests' container is shared by all functions,
    so the lookup is seen under whichever function sent first. In Lambda each function looks it up itself.
    A secret under the stack's own KMS key is opened by Secrets Manager with the reader's kms:Decrypt, a call
    no client here makes."""
    function, action, resource = call
    if action == "sqs:SendMessage":
        return [call, (function, "sqs:GetQueueUrl", resource)]
    if action == "secretsmanager:GetSecretValue" and resource in ENCRYPTED_SECRETS:
        return [call, (function, "kms:Decrypt", ENCRYPTED_SECRETS[resource])]
    return [call]


def _write_down(call: Call) -> None:
    # GODKEND_RECORDED_CALLS=file: each new call is appended as seen (to write infra/policies.json from).
    # GODKEND_RECORDING_DIR=dir: the same, to this process's own file there (see `recorded_elsewhere`).
    for target in (os.environ.get("GODKEND_RECORDED_CALLS"), _own_file("calls", ".tsv")):
        if target:
            with open(target, "a") as out:
                out.write("\t".join(call) + "\n")


# A session split over processes (pytest-xdist's workers, then the run that checks what they recorded) shares
# one directory, GODKEND_RECORDING_DIR: each process appends the calls it sees to calls-<process>.tsv and, at
# its end, writes which integration test files it ran to ran-<process>.json.


def recording_dir() -> Path | None:
    found = os.environ.get("GODKEND_RECORDING_DIR")
    return Path(found) if found else None


def process_name() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", f"main-{os.getpid()}")


def _own_file(kind: str, suffix: str) -> str | None:
    directory = recording_dir()
    if directory is None:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    return str(directory / f"{kind}-{process_name()}{suffix}")


def recorded_elsewhere() -> set[Call]:
    """The calls the other processes of the session recorded (none without GODKEND_RECORDING_DIR)."""
    directory = recording_dir()
    if directory is None or not directory.is_dir():
        return set()
    calls: set[Call] = set()
    for path in directory.glob("calls-*.tsv"):
        calls |= read(str(path))
    return calls


@dataclass(frozen=True)
class Ran:
    """What one process of the session ran of the integration tests."""

    files: frozenset[str]
    # False when it left some out: deselected (-k, -m) or possibly stopped early (-x, --maxfail).
    complete: bool


def ran_elsewhere() -> list[Ran]:
    directory = recording_dir()
    if directory is None or not directory.is_dir():
        return []
    found = []
    for path in sorted(directory.glob("ran-*.json")):
        written = json.loads(path.read_text())
        found.append(Ran(files=frozenset(written["files"]), complete=bool(written["complete"])))
    return found


def write_ran(ran: Ran) -> None:
    target = _own_file("ran", ".json")
    if target:
        Path(target).write_text(json.dumps({"files": sorted(ran.files), "complete": ran.complete}))


def _calling_function() -> str | None:
    functions, api_call = _handlers()
    if not functions:
        return None
    frame: FrameType | None = sys._getframe()
    while frame is not None:
        if frame.f_code in functions:
            return functions[frame.f_code]
        if frame.f_code is api_call:
            return "api_handler"
        frame = frame.f_back
    return None


def _handlers() -> tuple[dict[CodeType, str], CodeType | None]:
    global _functions, _api_call
    if _functions is None:
        if "app" not in sys.modules:  # not imported yet: no handler can be running
            return {}, None
        from chalice.app import Chalice, ChaliceAuthorizer, EventSourceHandler

        from app import app

        _functions = {}
        for name, handler in app.handler_map.items():
            if isinstance(handler, EventSourceHandler | ChaliceAuthorizer):
                func = handler.func
                # A plain Lambda function (a Cognito trigger) is wrapped by Chalice to take the event dict.
                func = getattr(func, "_original_func", func)
                while hasattr(func, "__wrapped__"):
                    func = func.__wrapped__
                _functions[func.__code__] = name
        _api_call = Chalice.__call__.__code__
    return _functions, _api_call


def _authorised(service: str, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    """The IAM actions a call needs, each with the short name of its resource."""
    if service == "dynamodb":
        return _dynamodb(operation, params)
    if service == "sqs":
        return [(SQS_ACTIONS.get(operation, operation), _short(_queue_name(params)))]
    if service == "cognito-idp":
        # Calls on a user's own access token (enrolling a second factor) need no IAM permission.
        return [(operation, "user-pool")] if "UserPoolId" in params else []
    if service == "ses":
        return [(operation, "mail")]
    if service == "secretsmanager":
        return [(operation, _secret_name(str(params.get("SecretId", ""))))]
    if service == "sns":
        return [(operation, _short(str(params.get("TopicArn", "")).rsplit(":", 1)[-1]))]
    return [(operation, "?")]


def _dynamodb(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(operation, _short(table)) for table in params.get("RequestItems", {})]
    if operation == "TransactWriteItems":
        found = []
        for item in params.get("TransactItems", []):
            for kind, body in item.items():
                found.append((TRANSACT_ACTIONS[kind], _short(body["TableName"])))
        return found
    if operation == "TransactGetItems":
        return [("GetItem", _short(item["Get"]["TableName"])) for item in params.get("TransactItems", [])]
    table = _short(str(params.get("TableName", "?")))
    if params.get("IndexName"):
        table = f"{table}/index/{params['IndexName']}"
    return [(operation, table)]


def _queue_name(params: dict[str, Any]) -> str:
    return str(params.get("QueueName") or str(params.get("QueueUrl", "")).rsplit("/", 1)[-1])


def _secret_name(secret_id: str) -> str:
    name = secret_id.split(":secret:", 1)[-1]
    if ":secret:" in secret_id:
        name = name.rsplit("-", 1)[0]  # the six random characters Secrets Manager appends to an ARN
    return name.split("/", 1)[-1] if name.startswith(_prefix()) else name


def _short(name: str) -> str:
    return name.removeprefix(_prefix() + "-")


def _prefix() -> str:
    return os.environ.get("GODKEND_TABLE_PREFIX", "godkend-test")


def policies(calls: set[Call], functions: list[str]) -> dict[str, dict[str, dict[str, list[str]]]]:
    """What `infra/policies.json` holds for these calls: function -> service -> resource -> actions. A
    function that made no call gets an empty entry."""
    written: dict[str, dict[str, dict[str, list[str]]]] = {name: {} for name in functions}
    for function, action, resource in sorted(calls):
        service, _, operation = action.partition(":")
        written.setdefault(function, {}).setdefault(service, {}).setdefault(resource, []).append(operation)
    return written


def read(path: str) -> set[Call]:
    calls = set()
    with open(path) as recorded:
        lines = recorded.read().splitlines()
    for line in lines:
        function, action, resource = line.split("\t")
        calls.add((function, action, resource))
    return calls


# Pytest hooks (tests/conftest.py takes them in): what this process ran of the integration tests, for the
# check that runs after it.

_RAN: set[str] = set()
_DESELECTED: list[str] = []


def pytest_deselected(items: list[Any]) -> None:
    _DESELECTED.extend(item.nodeid for item in items if is_integration(item.nodeid))


def pytest_runtest_logfinish(nodeid: str, location: Any) -> None:
    # A pytest-xdist worker collects every test and runs some: what counts is what it ran.
    if is_integration(nodeid):
        _RAN.add(nodeid.split("::", 1)[0])


def pytest_sessionfinish(session: Any) -> None:
    # -x is --maxfail=1: a run that may stop early cannot know every call.
    stops_early = bool(session.config.getoption("maxfail"))
    write_ran(Ran(files=frozenset(_RAN), complete=not _DESELECTED and not stops_early))


def is_integration(nodeid: str) -> bool:
    return nodeid.startswith("tests/integration/")


def deselected_integration() -> bool:
    """Whether this process's run left integration tests out (-k, -m)."""
    return bool(_DESELECTED)


if __name__ == "__main__":
    # GODKEND_RECORDED_CALLS=calls.tsv make test; python -m tests.recorder calls.tsv > infra/policies.json
    # (or the GODKEND_RECORDING_DIR of a run: python -m tests.recorder build/recorded-calls)
    from chalice.app import ChaliceAuthorizer, EventSourceHandler

    from app import app

    names = [
        "api_handler",
        *sorted(
            n for n, h in app.handler_map.items() if isinstance(h, EventSourceHandler | ChaliceAuthorizer)
        ),
    ]
    source = Path(sys.argv[1])
    files = sorted(source.glob("calls-*.tsv")) if source.is_dir() else [source]
    calls = set().union(*(read(str(path)) for path in files))
    print(json.dumps(policies(calls, names), indent=2))
