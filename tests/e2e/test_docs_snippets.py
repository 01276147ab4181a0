"""The docs' snippets, run exactly as they are written against `make run`'s stack: what getting started shows
a newcomer and the vendor's guide shows a vendor works, and answers what the page says it answers.

Each snippet runs in a directory that looks like the project to it (`.local` is this stack's state, `.venv`
the project's), with the local API's documented address replaced by this stack's. The vendor's guide's
snippets get the variables it names (`GODKEND_URL`, `GODKEND_API_KEY`, ...) as a vendor would set them."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests

from infra.local.signin import sign_in
from tests import docs
from tests.e2e.conftest import RunningStack
from tests.webhook_listener import listening

pytestmark = pytest.mark.e2e

GETTING_STARTED = docs.DOCS / "getting-started.md"
VENDOR_GUIDE = docs.DOCS / "vendor-guide.md"
DOCUMENTED_API = "http://127.0.0.1:8000"
# A package of its own for the guide's JavaScript receipt check: `jose`, pinned, and nothing else.
JOSE = Path(__file__).resolve().parent / "jose"


@pytest.fixture(scope="module")
def reader(stack: RunningStack, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where a reader runs the snippets: the project as they see it, with this stack's `.local`."""
    home = tmp_path_factory.mktemp("reader")
    (home / ".local").symlink_to(stack.state_dir)
    (home / ".venv").symlink_to(docs.PROJECT_DIR / ".venv")
    return home


def run(snippet: str, stack: RunningStack, reader: Path, **variables: str) -> str:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GODKEND_"))},
        "PYTHONPATH": str(docs.PROJECT_DIR),
        "GODKEND_LOCAL_DIR": str(stack.state_dir),
        **variables,
    }
    done = subprocess.run(  # noqa: S603 - the docs' own snippet
        ["bash", "-eu", "-c", snippet.replace(DOCUMENTED_API, stack.api)],  # noqa: S607
        cwd=reader,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def answer_of(output: str) -> Any:
    return json.loads(output)


def last_answer(output: str) -> Any:
    """The JSON document that ends the output of several commands whose answers follow each other."""
    end = len(output.rstrip())
    decoder = json.JSONDecoder()
    for start, character in enumerate(output):
        if character != "{":
            continue
        try:
            found, length = decoder.raw_decode(output[start:])
        except json.JSONDecodeError:
            continue
        if start + length == end:
            return found
    raise AssertionError(f"no JSON document ends {output!r}")


def test_getting_started_signs_in_and_asks_who_you_are(stack: RunningStack, reader: Path) -> None:
    # When a newcomer runs the first snippet
    output = run(docs.snippet(GETTING_STARTED, "whoami"), stack, reader)

    # Then the service is healthy, serves its document, and knows the demo administrator
    health, _ = json.JSONDecoder().raw_decode(output)
    assert health == {"status": "ok"}
    assert '"openapi"' in output
    assert last_answer(output)["organisation"]["status"] == "approved"


def test_getting_started_checks_a_code_as_the_demo_vendor(stack: RunningStack, reader: Path) -> None:
    answer = answer_of(run(docs.snippet(GETTING_STARTED, "validate"), stack, reader))

    # The made-up code of the page is no code: a well-formed answer, not an error
    assert answer == {"valid": False, "reason": "unknown", "livemode": True}


def test_getting_started_applies_for_an_organisation(stack: RunningStack, reader: Path) -> None:
    answer = answer_of(run(docs.snippet(GETTING_STARTED, "apply"), stack, reader))

    assert answer["application_id"]
    assert answer["letter_due_by"]
    assert stack.mail_containing("Aktiveringskode:")


def test_getting_started_points_the_demo_vendors_webhook_at_a_listener(
    stack: RunningStack, reader: Path
) -> None:
    answer = answer_of(run(docs.snippet(GETTING_STARTED, "webhook"), stack, reader))

    assert answer["url"] == "http://127.0.0.1:9000/hook"
    assert answer["secret"].startswith("whsec_")


@pytest.fixture(scope="module")
def vendor(stack: RunningStack) -> dict[str, str]:
    """What a vendor sets before running the guide's snippets."""
    return {
        "GODKEND_URL": stack.api,
        "GODKEND_API_KEY": stack.demo["vendor"]["api_key"],
        "GODKEND_VENDOR_ID": stack.demo["vendor"]["vendor_id"],
    }


def admin_headers(stack: RunningStack) -> dict[str, str]:
    admin = stack.demo["users"]["admin"]
    token = sign_in(
        stack.cognito(),
        stack.demo["cognito"]["client_id"],
        admin["username"],
        admin["password"],
        admin["totp_secret"],
    )
    return {"Authorization": f"Bearer {token}"}


def a_new_code(stack: RunningStack, auth: dict[str, str]) -> dict[str, Any]:
    """A code the demo administrator made, for the guide's checks to find valid."""
    me = requests.get(f"{stack.api}/v1/me", headers=auth, timeout=10).json()
    company = me["companies"][0]
    created = requests.post(
        f"{stack.api}/v1/codes",
        headers=auth,
        json={
            "first_name": "Vera",
            "last_name": "Guide",
            "email": "vera@example.org",
            "company": company["cvr"],
            "account": company["accounts"][0]["number"],
            "notify": False,
        },
        timeout=10,
    )
    assert created.status_code == 201, created.text
    made: dict[str, Any] = created.json()
    return made


@pytest.fixture(scope="module")
def real_code(stack: RunningStack) -> str:
    """A code the demo administrator made, for the guide's checks to find valid."""
    code: str = a_new_code(stack, admin_headers(stack))["code"]
    return code


def test_the_vendor_guides_curl_check_answers(
    stack: RunningStack, reader: Path, vendor: dict[str, str]
) -> None:
    answer = answer_of(run(docs.snippet(VENDOR_GUIDE, "vendor-validate-curl"), stack, reader, **vendor))

    assert answer == {"valid": False, "reason": "unknown", "livemode": True}


def node_module(home: Path, snippet: str, main: str) -> Path:
    """The guide's JavaScript `snippet` as the module `guide.mjs` beside `main.mjs`, which imports it."""
    (home / "guide.mjs").write_text(docs.snippet(VENDOR_GUIDE, snippet))
    (home / "main.mjs").write_text(main)
    return home


def node(home: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - the guide's own code
        [str(shutil.which("node")), "main.mjs", *args],
        cwd=home,
        env={"PATH": os.environ["PATH"], **variables},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_vendor_guides_javascript_check_finds_a_real_code_valid_and_a_made_up_one_unknown(
    vendor: dict[str, str], real_code: str, tmp_path: Path
) -> None:
    # Given the guide's JavaScript `check`, as node 20 runs it
    home = node_module(
        tmp_path,
        "vendor-validate-js",
        'import { check } from "./guide.mjs";\nconsole.log(JSON.stringify(await check(process.argv[2])));\n',
    )

    # When it checks a real code, typed with spaces and in capitals, and the page's made-up one
    real = node(home, f" {real_code.upper()} ", **vendor)
    made_up = node(home, "7k2m9xq4@RoedeKorsAarhus", **vendor)

    # Then the real one is valid, for the representative, and the made-up one a well-formed "unknown"
    assert real.returncode == 0, real.stderr
    answer = json.loads(real.stdout)
    assert (answer["valid"], answer["representative"]) == (True, {"first_name": "Vera", "last_name": "Guide"})
    assert answer["organisation"]["handle"] == real_code.split("@")[1]
    assert made_up.returncode == 0, made_up.stderr
    assert json.loads(made_up.stdout) == {"valid": False, "reason": "unknown", "livemode": True}


@pytest.fixture
def guide_check(vendor: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The guide's Python `check`, defined exactly as the page shows it, with the vendor's variables set."""
    for name, value in vendor.items():
        monkeypatch.setenv(name, value)
    namespace: dict[str, Any] = {}
    code = docs.snippet(VENDOR_GUIDE, "vendor-validate-python")
    exec(compile(code, str(VENDOR_GUIDE), "exec"), namespace)  # noqa: S102 - the guide's own code
    return namespace["check"]


def test_the_vendor_guides_python_check_finds_a_real_code_valid_and_its_receipt_is_read_back(
    stack: RunningStack, reader: Path, vendor: dict[str, str], real_code: str, guide_check: Any
) -> None:
    # When a vendor checks a real code with the guide's function, typed with spaces and in capitals
    answer = guide_check(f"  {real_code.upper()} ")

    # Then it is valid, for the representative, under the organisation
    assert answer["valid"] is True
    assert answer["representative"] == {"first_name": "Vera", "last_name": "Guide"}
    assert answer["organisation"]["handle"] == real_code.split("@")[1]

    # And the guide's receipt snippet reads the same check back
    receipt = answer_of(
        run(
            docs.snippet(VENDOR_GUIDE, "vendor-receipt"),
            stack,
            reader,
            VALIDATION_ID=answer["validation_id"],
            **vendor,
        )
    )
    assert receipt["validation_id"] == answer["validation_id"]
    assert receipt["valid"] is True


def test_the_vendor_guides_webhook_and_feed(
    stack: RunningStack, reader: Path, vendor: dict[str, str]
) -> None:
    registered = answer_of(
        run(
            docs.snippet(VENDOR_GUIDE, "vendor-webhook"),
            stack,
            reader,
            WEBHOOK_URL="http://127.0.0.1:9001/hook",
            **vendor,
        )
    )
    assert registered["secret"].startswith("whsec_")
    assert registered["status"] == "active"

    feed = answer_of(run(docs.snippet(VENDOR_GUIDE, "vendor-feed"), stack, reader, **vendor))
    assert set(feed) == {"items", "next_cursor"}


def changed_claim(receipt: str) -> str:
    """The receipt with its organisation's CVR number changed and its signature kept."""
    header, payload, signature = receipt.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["organisation"]["cvr"] = "10000009"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.fixture
def verify_receipt(vendor: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The guide's Python `verify_receipt`, defined exactly as the page shows it."""
    for name, value in vendor.items():
        monkeypatch.setenv(name, value)
    namespace: dict[str, Any] = {}
    code = docs.snippet(VENDOR_GUIDE, "vendor-verify-receipt-python")
    exec(compile(code, str(VENDOR_GUIDE), "exec"), namespace)  # noqa: S102 - the guide's own code
    return namespace["verify_receipt"]


@pytest.fixture(scope="module")
def node_verifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The guide's JavaScript `verifyReceipt` as a module, beside `jose` (installed from its lock file)."""
    npm = shutil.which("npm")
    assert npm, "the guide's JavaScript check needs node and npm"
    if not (JOSE / "node_modules" / "jose").exists():
        subprocess.run(  # noqa: S603 - npm, on the lock file committed here
            [npm, "ci", "--no-audit", "--no-fund"], cwd=JOSE, check=True, capture_output=True, timeout=300
        )
    home = tmp_path_factory.mktemp("node-reader")
    (home / "node_modules").symlink_to(JOSE / "node_modules")
    (home / "package.json").write_text('{"type": "module"}')
    (home / "verify.js").write_text(docs.snippet(VENDOR_GUIDE, "vendor-verify-receipt-js"))
    (home / "main.js").write_text(
        'import { verifyReceipt } from "./verify.js";\n'
        "console.log(JSON.stringify(await verifyReceipt(process.argv[2])));\n"
    )
    return home


def node_verify(home: Path, receipt: str, vendor: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - the guide's own code
        [str(shutil.which("node")), "main.js", receipt],
        cwd=home,
        env={"PATH": os.environ["PATH"], **vendor},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_vendor_guides_receipt_verifies_from_the_jwks_alone_in_python_and_javascript(
    vendor: dict[str, str], real_code: str, guide_check: Any, verify_receipt: Any, node_verifier: Path
) -> None:
    # Given a valid check's answer, and its receipt with one claim changed
    answer = guide_check(real_code)
    forged = changed_claim(answer["receipt"])

    # When the guide's Python verifies them against the stack's JWKS alone
    claims = verify_receipt(answer["receipt"])

    # Then the receipt says what the answer said, and the changed one fails
    assert claims["sub"] == answer["validation_id"]
    assert claims["organisation"] == answer["organisation"]
    assert claims["representative"] == answer["representative"]
    with pytest.raises(jwt.InvalidSignatureError):
        verify_receipt(forged)

    # And the guide's JavaScript (jose) agrees on both
    verified = node_verify(node_verifier, answer["receipt"], vendor)
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout) == json.loads(json.dumps(claims))
    refused = node_verify(node_verifier, forged, vendor)
    assert refused.returncode != 0
    assert "signature verification failed" in refused.stderr


# Test mode


@pytest.fixture(scope="module")
def tester(stack: RunningStack, vendor: dict[str, str]) -> dict[str, str]:
    """The vendor's variables with a test key staff issued it, as the guide's test-mode snippets use them."""
    staff = stack.demo["users"]["staff"]
    token = sign_in(
        stack.cognito(),
        stack.demo["cognito"]["client_id"],
        staff["username"],
        staff["password"],
        staff["totp_secret"],
    )
    issued = requests.post(
        f"{stack.api}/v1/staff/vendors/{vendor['GODKEND_VENDOR_ID']}/keys",
        headers={"Authorization": f"Bearer {token}"},
        json={"mode": "test"},
        timeout=10,
    )
    assert issued.status_code == 201, issued.text
    return {**vendor, "GODKEND_TEST_API_KEY": issued.json()["api_key"]}


def test_the_vendor_guides_test_codes_are_listed_as_the_table_says(
    stack: RunningStack, reader: Path, tester: dict[str, str]
) -> None:
    listed = answer_of(run(docs.snippet(VENDOR_GUIDE, "vendor-test-codes-curl"), stack, reader, **tester))

    # The codes and answers of the guide's table, each a test answer
    answers = {item["code"]: item["answer"] for item in listed["items"]}
    assert {code: a.get("reason", "valid") for code, a in answers.items()} == {
        "valid000@GodkendTest": "valid",
        "expired0@GodkendTest": "expired",
        "revoked0@GodkendTest": "revoked",
        "unknown0@GodkendTest": "unknown",
        "notappr0@GodkendTest": "organisation_not_approved",
    }
    assert all(a["livemode"] is False for a in answers.values())
    assert answers["valid000@GodkendTest"]["organisation"]["name"] == "Godkend Testforening"


def test_the_vendor_guides_python_test_passes_against_the_stack(
    tester: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in tester.items():
        monkeypatch.setenv(name, value)
    namespace: dict[str, Any] = {}
    code = docs.snippet(VENDOR_GUIDE, "vendor-test-mode-python")
    exec(compile(code, str(VENDOR_GUIDE), "exec"), namespace)  # noqa: S102 - the guide's own code

    namespace["test_each_test_code_answers_as_listed"]()


def test_the_vendor_guides_javascript_validates_the_valid_test_code_as_a_test(
    tester: dict[str, str], real_code: str, tmp_path: Path
) -> None:
    # Given the guide's JavaScript as a module
    (tmp_path / "check.mjs").write_text(docs.snippet(VENDOR_GUIDE, "vendor-test-mode-js"))

    # When node runs it with the test key
    done = subprocess.run(  # noqa: S603 - the guide's own code
        [str(shutil.which("node")), "check.mjs"],
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"], **tester},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    # Then the valid test code is valid, and says it is a test
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"valid": True, "livemode": False}
    # While a real code is unknown to the same key
    answer = requests.post(
        f"{tester['GODKEND_URL']}/v1/validations",
        headers={"Authorization": f"Bearer {tester['GODKEND_TEST_API_KEY']}"},
        json={"code": real_code},
        timeout=10,
    ).json()
    assert answer == {"valid": False, "reason": "unknown", "livemode": False}


# The webhook signature check, in the three languages, on a real delivery


@dataclass(frozen=True)
class Delivery:
    secret: str
    signature: str
    body: bytes


@pytest.fixture(scope="module")
def delivery(stack: RunningStack) -> Iterator[Delivery]:
    """A delivery the local stack made: the demo vendor's webhook at a listener, a code it checked revoked."""
    auth = admin_headers(stack)
    vendor_auth = {"Authorization": f"Bearer {stack.demo['vendor']['api_key']}"}
    with listening() as listener:
        registered = requests.put(
            f"{stack.api}/v1/webhook", headers=vendor_auth, json={"url": listener.url}, timeout=10
        )
        assert registered.status_code == 200, registered.text
        code = a_new_code(stack, auth)
        checked = requests.post(
            f"{stack.api}/v1/validations", headers=vendor_auth, json={"code": code["code"]}, timeout=10
        )
        assert checked.json()["valid"] is True, checked.text
        revoked = requests.delete(f"{stack.api}/v1/codes/{code['code_id']}", headers=auth, timeout=10)
        assert revoked.status_code == 200, revoked.text
        deadline = time.monotonic() + 60
        while not listener.received and time.monotonic() < deadline:
            time.sleep(0.2)
        assert listener.received, "no delivery within a minute"
        received = listener.received[0]
        yield Delivery(registered.json()["secret"], received.headers["Godkend-Signature"], received.body)


# Runs the guide's JavaScript `verify` on ./body.json with the header and the secret from the environment.
VERIFY_MAIN = """import { readFileSync } from "node:fs";
import { verify } from "./guide.mjs";
const { SIGNATURE, GODKEND_WEBHOOK_SECRET } = process.env;
console.log(JSON.stringify(verify(GODKEND_WEBHOOK_SECRET, SIGNATURE, readFileSync("body.json"))));
"""


def tampered(delivery: Delivery) -> Delivery:
    """The same delivery with one character of its body changed and its signature kept."""
    return Delivery(
        delivery.secret, delivery.signature, delivery.body.replace(b"code.revoked", b"code.renewed")
    )


def shell_verifies(reader: Path, delivery: Delivery) -> bool:
    (reader / "body.json").write_bytes(delivery.body)
    done = subprocess.run(  # noqa: S603 - the docs' own snippet
        ["bash", "-eu", "-c", docs.snippet(VENDOR_GUIDE, "verify-signature-sh")],  # noqa: S607
        cwd=reader,
        env={
            "PATH": os.environ["PATH"],
            "SIGNATURE": delivery.signature,
            "GODKEND_WEBHOOK_SECRET": delivery.secret,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 or done.stderr.strip() == "bad signature", done.stderr
    return done.returncode == 0 and done.stdout.strip() == "signature ok"


def python_verifies(delivery: Delivery) -> bool:
    namespace: dict[str, Any] = {}
    code = docs.snippet(VENDOR_GUIDE, "verify-signature")
    exec(compile(code, str(VENDOR_GUIDE), "exec"), namespace)  # noqa: S102 - the guide's own code
    return bool(namespace["verify"](delivery.secret, delivery.signature, delivery.body))


def javascript_verifies(home: Path, delivery: Delivery) -> bool:
    (home / "body.json").write_bytes(delivery.body)
    done = node(home, SIGNATURE=delivery.signature, GODKEND_WEBHOOK_SECRET=delivery.secret)
    assert done.returncode == 0, done.stderr
    verified: bool = json.loads(done.stdout)
    return verified


def test_the_vendor_guides_signature_checks_accept_a_real_delivery_in_shell_python_and_javascript(
    delivery: Delivery, reader: Path, tmp_path: Path
) -> None:
    # Given a delivery the local stack signed, and the same with its body changed
    forged = tampered(delivery)
    assert forged.body != delivery.body
    home = node_module(
        tmp_path,
        "verify-signature-js",
        VERIFY_MAIN,
    )

    # When the guide's three checks verify each
    # Then each accepts the real delivery and refuses the changed one
    assert (shell_verifies(reader, delivery), shell_verifies(reader, forged)) == (True, False)
    assert (python_verifies(delivery), python_verifies(forged)) == (True, False)
    assert (javascript_verifies(home, delivery), javascript_verifies(home, forged)) == (True, False)


def test_the_vendor_guides_signature_checks_refuse_another_secret(
    delivery: Delivery, reader: Path, tmp_path: Path
) -> None:
    # Given the real delivery, checked with a secret that is not the endpoint's
    other = Delivery("whsec_" + "0" * 64, delivery.signature, delivery.body)
    home = node_module(
        tmp_path,
        "verify-signature-js",
        VERIFY_MAIN,
    )

    # Then none of the three accepts it
    assert (shell_verifies(reader, other), python_verifies(other), javascript_verifies(home, other)) == (
        False,
        False,
        False,
    )
