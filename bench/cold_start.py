"""Prints how long a Lambda cold start spends importing the app: the median of fresh interpreters.

Every function of the service (the API, the mail and the reminder functions) imports `app`; each then
imports what its handler needs on its first invocation, which is part of its cold start too. So besides
`import app` and its ratio to `import boto3, chalice` alone, this prints what each kind of function's
first invocation imports on top (a vendor's check, a person's request, the mail delivery and the expiry
reminders), with its goal and the ratio; it exits 1 when one is missed. A route's body and answer go the
way a request's do: through the generated schemas of chalicelib/api/http/light.py, pydantic only where those
are unsure. Our modules are imported as the deployment package holds them, with their bytecode
(`--from-source`: without, as before infra/bytecode.py).

`--breakdown` prints instead, for each kind of function with a goal, where its time above `import boto3,
chalice` goes: the modules it imports that the baseline does not, by their own import time (`python -X
importtime`, one interpreter, so indicative), and the time spent building our dataclasses, by module.

.venv/bin/python -m bench.cold_start [--runs 7] [--from-source] [--breakdown]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from infra.bytecode import bytecode_path, compiled

PROJECT_DIR = Path(__file__).resolve().parent.parent
# CPU time rather than the wall clock: importing is CPU-bound work, and on a shared machine the wall clock
# mostly measures the neighbours. On an idle machine the two agree.
TIMED = "import time; t = time.process_time(); {imports}; print(time.process_time() - t)"
BASELINE = "import boto3, chalice"
APP = "import app"


@dataclass(frozen=True)
class Function:
    """What a kind of function does on its first invocation (beyond `import app`), and its goal as a
    multiple of `import boto3, chalice`."""

    imports: str
    goal: float | None = None


# A route's first invocation reads its body and shapes its answer as the HTTP layer does (its declared
# models through chalicelib/api/http/light.py's generated schemas, pydantic only where they are unsure).
ROUTE = (
    "import app as a; from chalicelib.api.http.routing import operation_of, through_model; "
    "from chalicelib.api.http import light; from chalicelib.api.http.parsing import parse_body; "
    "op = lambda path, method: operation_of(a.app.routes[path][method].view_function)"
)
ME = {
    "user": {
        "user_id": "u1",
        "username": "anna@example.dk",
        "first_name": "Anna",
        "last_name": "Holm",
        "email": "anna@example.dk",
        "mobile": "+4522334455",
        "status": "active",
        "second_factor_enrolled": True,
    },
    "roles": [],
    "functions": ["codes"],
    "organisation": {"org_id": "o1", "name": "Røde Kors", "handle": "RoedeKors", "status": "approved"},
    "companies": [
        {
            "cvr": "12345678",
            "name": "Røde Kors",
            "access": "full",
            "accounts": [{"number": "1", "name": "Hoved", "status": "open"}],
        }
    ],
}

FUNCTIONS = {
    # The check parses its body and answers through its answer's model as the route does.
    "API function, a vendor's check": Function(
        "import app, boto3, chalicelib.services.vendors.validation, "
        "chalicelib.services.vendors.api_keys, chalicelib.models.validation, chalicelib.settings; "
        f"{ROUTE}; check = op('/v1/validations', 'POST'); "
        'parse_body(b\'{"code": "7k2m9xq4@RoedeKorsAarhus"}\', check.body_model, '
        "light=light.declared(check.schemas, check.body, 'body')); "
        "from chalicelib.services.vendors.validation import InvalidCode; "
        "through_model(check, InvalidCode(reason='unknown'))",
        goal=1.5,
    ),
    # A person's request answers through its response model too: `GET /v1/me`'s, the console's first.
    "API function, a person's request": Function(
        "import app, boto3, chalicelib.adapters.tokens, chalicelib.services.access.identity, "
        f"chalicelib.settings; {ROUTE}; through_model(op('/v1/me', 'GET'), {ME!r})",
        goal=1.8,
    ),
    "mail function (deliver_outbox)": Function(
        "import app, boto3, chalicelib.services.outbox.delivery, chalicelib.adapters.idempotency, "
        "chalicelib.adapters.ses, chalicelib.mail.render, chalicelib.settings",
        goal=1.8,
    ),
    "reminder functions": Function(
        "import app, boto3, chalicelib.services.codes.reminders, chalicelib.adapters.sqs, chalicelib.settings"
    ),
}


def packaged_copy(scratch: Path) -> Path:
    """`app.py` and `chalicelib/` as the deployment package holds them, each module with its bytecode beside
    it (infra/bytecode.py). The dependencies come from the virtual environment, compiled by pip."""
    shutil.copy2(PROJECT_DIR / "app.py", scratch / "app.py")
    shutil.copytree(
        PROJECT_DIR / "chalicelib", scratch / "chalicelib", ignore=shutil.ignore_patterns("__pycache__")
    )
    for source in [scratch / "app.py", *(scratch / "chalicelib").rglob("*.py")]:
        name = source.relative_to(scratch).as_posix()
        pyc = compiled(source.read_bytes(), name)
        if pyc is not None:
            target = scratch / bytecode_path(name)
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(pyc)
    return scratch


def median_seconds(imports: str, runs: int, project: Path = PROJECT_DIR) -> float:
    samples = []
    for _ in range(runs):
        out = subprocess.run(  # noqa: S603
            [sys.executable, "-X", "frozen_modules=on", "-c", TIMED.format(imports=imports)],
            cwd=project,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        samples.append(float(out.strip().splitlines()[-1]))
    return statistics.median(samples)


def interleaved(cases: dict[str, str], runs: int, project: Path) -> dict[str, float]:
    """Each case's median, the runs taking turns so that a busy moment of the machine weighs on all alike."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, imports in cases.items():
            samples[name].append(median_seconds(imports, 1, project))
    return {name: statistics.median(found) for name, found in samples.items()}


# Counts the time `dataclasses` spends building each module's classes (it compiles their methods at import).
DATACLASSES = (
    "import collections, dataclasses, json, sys, time; spent = collections.Counter(); "
    "build = dataclasses._process_class\n"
    "def timed(cls, *args, **kwargs):\n"
    "    t = time.process_time(); made = build(cls, *args, **kwargs)\n"
    "    spent[cls.__module__] += time.process_time() - t; return made\n"
    "dataclasses._process_class = timed\n"
    "{imports}\n"
    "print(json.dumps(spent))"
)


def self_times(imports: str, project: Path) -> dict[str, int]:
    """Each module's own import time in microseconds, as `python -X importtime` reports it."""
    err = subprocess.run(  # noqa: S603
        [sys.executable, "-X", "importtime", "-X", "frozen_modules=on", "-c", imports],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    found = {}
    for line in err.splitlines():
        if line.startswith("import time:") and "|" in line and "self [us]" not in line:
            own, _, name = line.removeprefix("import time:").split("|")
            found[name.strip()] = int(own)
    return found


def breakdown(project: Path, top: int = 15) -> None:
    baseline = self_times(BASELINE, project)
    for name, function in FUNCTIONS.items():
        if function.goal is None:
            continue
        imports = f"{BASELINE}; {function.imports}"
        beyond = {m: us for m, us in self_times(imports, project).items() if m not in baseline}
        print(f"{name}: {len(beyond)} modules beyond the baseline, {sum(beyond.values()) / 1000:.0f} ms")
        for module, us in sorted(beyond.items(), key=lambda item: -item[1])[:top]:
            print(f"  {us / 1000:6.1f} ms  {module}")
        out = subprocess.run(  # noqa: S603
            [sys.executable, "-c", DATACLASSES.format(imports=imports)],
            cwd=project,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        spent: dict[str, float] = json.loads(out.strip().splitlines()[-1])
        ours = {m: s for m, s in spent.items() if m.split(".")[0] in ("app", "chalicelib")}
        print(f"  building our dataclasses: {sum(ours.values()) * 1000:.1f} ms, of which")
        for module, seconds in sorted(ours.items(), key=lambda item: -item[1])[:5]:
            print(f"  {seconds * 1000:6.1f} ms  {module}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--from-source",
        action="store_true",
        help="our modules without their bytecode, as packages built before infra/bytecode.py were",
    )
    parser.add_argument(
        "--breakdown", action="store_true", help="where each function's time above the baseline goes"
    )
    args = parser.parse_args(argv)
    if args.breakdown:
        with tempfile.TemporaryDirectory(prefix="godkend-cold-start-") as scratch:
            breakdown(PROJECT_DIR if args.from_source else packaged_copy(Path(scratch)))
        return 0
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    cases = {"app": APP, "baseline": BASELINE} | {
        name: function.imports for name, function in FUNCTIONS.items()
    }
    if args.from_source:
        found = interleaved(cases, args.runs, PROJECT_DIR)
    else:
        with tempfile.TemporaryDirectory(prefix="godkend-cold-start-") as scratch:
            found = interleaved(cases, args.runs, packaged_copy(Path(scratch)))
    app_seconds, baseline = found["app"], found["baseline"]
    print(f"import app (median of {args.runs}): {app_seconds * 1000:.0f} ms")
    print(f"import boto3 + chalice alone:      {baseline * 1000:.0f} ms")
    print(f"import app / boto3 + chalice:      {app_seconds / baseline:.2f}x")
    over = []
    for name, function in FUNCTIONS.items():
        seconds = found[name]
        ratio = seconds / baseline
        goal = "" if function.goal is None else f"; goal {function.goal}x"
        if function.goal is not None and ratio > function.goal:
            over.append(name)
            goal += ", over it"
        print(f"{name + ', first invocation:':<52} {seconds * 1000:.0f} ms ({ratio:.2f}x{goal})")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
