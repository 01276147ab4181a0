"""The local stack's AWS emulator: moto's server, taking one request at a time.

moto is not made for concurrent access (its FAQ says so plainly: "Is Moto concurrency safe? No."), and its
`TransactWriteItems` shows how: it deep-copies every table it touches, writes item by item, and on a failed
condition puts the copies back. With requests handled side by side, a cancelled transaction thereby undoes
whatever other requests wrote to those tables meanwhile (a code's outbox mail, a sent mail's status) and
rewinds the stream's sequence numbers, so records written after it reuse numbers a consumer has passed;
and two transactions can both pass conditions that only one of them may (both of the last two
administrators deleted). DynamoDB itself serialises transactions, so one lock around the whole WSGI app
makes the emulator behave as AWS does for everything the service relies on, at the price of speed under
load (one request at a time, which the emulator's in-memory calls make short).

Connections still come in side by side: the server thread per connection reads the request and writes the
answer outside the lock, and its listen backlog is large enough for every client of `make load` and more,
so nobody is refused while others are served.

A transaction's backup copy is made cheaper in one place: the stream's records, which moto never changes once
written, are shared with the copy instead of copied (`share_stream_records`); the copy of a table with a
long stream otherwise costs more than the transaction itself, and grows with every write.

Nothing in the stack long-polls (the event side receives with `WaitTimeSeconds=0`); a long poll would hold
the lock for its whole wait.

Its user pools check an authenticator's code as Cognito does, one 30-second step early or late included
(`accept_adjacent_totp_steps`), and, for *Glemt adgangskode?*, mail the code as Cognito does (to the local
mail folder) and check it and the new password (`mail_forgotten_password_codes`).

Its answers are serialised as the tests' in-process moto serialises them, with moto's repeated alias lookups
memoised (infra/local/moto_speed.py says why that changes no answer).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from werkzeug.serving import ThreadedWSGIServer

from infra.local import moto_speed

# Far above the concurrent connections the stack makes (one per API thread and the event side); the kernel
# caps it at net.core.somaxconn.
LISTEN_BACKLOG = 1024

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


# What the event side (infra/local/events.py) asks when it polls, and the reads its schedule makes: these
# change nothing a consumer reads.
POLLS = frozenset(
    {
        "DynamoDB_20120810.GetItem",
        "DynamoDB_20120810.BatchGetItem",
        "DynamoDB_20120810.Query",
        "DynamoDB_20120810.Scan",
        "DynamoDBStreams_20120810.DescribeStream",
        "DynamoDBStreams_20120810.GetShardIterator",
        "DynamoDBStreams_20120810.GetRecords",
        "DynamoDBStreams_20120810.ListStreams",
        "AmazonSQS.ReceiveMessage",
        "AmazonSQS.GetQueueUrl",
        "AmazonSQS.GetQueueAttributes",
    }
)


class OneAtATime:
    """WSGI middleware: the wrapped app handles one request at a time, its answer complete before the next.

    The body is read to the end inside the lock, so nothing of the wrapped app runs outside it; the server
    sends it to the client after the lock is released.

    `changed`, when given, is set after every request other than the event side's polls (`POLLS`): any of
    them may have written what a stream or queue then holds, so the event side polls again at once rather
    than after its quiet wait."""

    def __init__(self, app: WsgiApp, changed: threading.Event | None = None) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._changed = changed

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        with self._lock:
            answer = self._app(environ, start_response)
            try:
                return [b"".join(answer)]
            finally:
                close = getattr(answer, "close", None)
                if close is not None:
                    close()
                if self._changed is not None and environ.get("HTTP_X_AMZ_TARGET") not in POLLS:
                    self._changed.set()


def share_stream_records() -> None:
    """Deep copies of a table (TransactWriteItems' backup) get their own list of the stream's records, but
    the same record objects: a record is built from copies of the item's images when it is written and never
    changed afterwards, so sharing it is as good as copying it."""
    from moto.dynamodb.models.table import StreamShard

    def deepcopy(shard: StreamShard, memo: dict[int, Any]) -> StreamShard:
        clone = copy.copy(shard)
        memo[id(shard)] = clone
        clone.table = copy.deepcopy(shard.table, memo)
        clone.items = list(shard.items)
        return clone

    StreamShard.__deepcopy__ = deepcopy  # type: ignore[attr-defined]


def accept_adjacent_totp_steps() -> None:
    """Cognito "also accepts TOTP tokens that are one 30-second window early or late to account for clock
    skew" (its developer guide, "TOTP software token MFA"); moto checks the current step alone
    (`moto.cognitoidp.utils.verify_totp`, `valid_window=0`), so a code an authenticator showed as the step
    turned is refused by the emulator and taken by AWS. This makes every pool of this process's moto (the
    local stack's emulator, the tests' in-process one) check as Cognito does. Idempotent."""
    from moto.cognitoidp import models
    from moto.cognitoidp.utils import verify_totp

    def verify_as_cognito(totp: Any, code: bytes, valid_window: int = 0) -> None:
        verify_totp(totp, code, valid_window=max(valid_window, 1))

    models.verify_totp = verify_as_cognito  # type: ignore[attr-defined]


# The form moto gives the codes it makes; it checks a code against the one it made only when it has this form.
MOTO_CODE_PREFIX = "moto-confirmation-code:"
_code_mail_dir: list[Path] = []


def mail_forgotten_password_codes(mail_dir: Path) -> None:
    """Cognito's ForgotPassword mails a code to the login's verified e-mail address, with the pool's
    verification message (`{####}` the code), and ConfirmForgotPassword checks that code and the pool's
    password policy. moto makes the code but hands it back in a header of its own instead of mailing it,
    accepts any code not in its own form, and checks no policy. Here the code is mailed to `mail_dir` (the
    local stack's mail folder, where the service's own mail goes too), and the code and the password are
    checked as Cognito checks them. Idempotent; the latest `mail_dir` is the one written to."""
    from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool

    _code_mail_dir[:] = [mail_dir]
    if getattr(CognitoIdpBackend, "_godkend_mails_codes", False):
        return
    forgot = CognitoIdpBackend.forgot_password
    confirm = CognitoIdpBackend.confirm_forgot_password

    def pool_of(backend: CognitoIdpBackend, client_id: str) -> CognitoIdpUserPool | None:
        return next((p for p in backend.user_pools.values() if client_id in p.clients), None)

    def forgot_password(self: CognitoIdpBackend, client_id: str, username: str) -> tuple[str | None, Any]:
        code, answer = forgot(self, client_id, username)
        pool = pool_of(self, client_id)
        user = pool._get_user(username) if pool else None
        attributes = user.attribute_lookup if user else {}
        address = attributes.get("email")
        if pool is not None and code and address and attributes.get("email_verified") == "true":
            sent = code.removeprefix(MOTO_CODE_PREFIX)
            _write_code_mail(_code_mail_dir[0], pool.extended_config, address, sent)
        return None, answer  # the code goes by mail only, never in the answer

    def confirm_forgot_password(
        self: CognitoIdpBackend, client_id: str, username: str, password: str, confirmation_code: str
    ) -> None:
        from moto.cognitoidp.exceptions import CodeMismatchException

        pool = pool_of(self, client_id)
        if pool is not None:
            self._validate_password(pool.id, password)
            user = pool._get_user(username)
            waiting = user.confirmation_code if user else None
            # moto calls a wrong code expired; Cognito says it does not match (expired is for a used one).
            if waiting and waiting != MOTO_CODE_PREFIX + confirmation_code.strip():
                raise CodeMismatchException("Invalid verification code provided, please try again.")
        confirm(self, client_id, username, password, MOTO_CODE_PREFIX + confirmation_code.strip())

    CognitoIdpBackend.forgot_password = forgot_password  # type: ignore[method-assign]
    CognitoIdpBackend.confirm_forgot_password = confirm_forgot_password  # type: ignore[method-assign]
    CognitoIdpBackend._godkend_mails_codes = True  # type: ignore[attr-defined]


def _write_code_mail(mail_dir: Path, pool_config: dict[str, Any], address: str, code: str) -> None:
    from chalicelib.adapters.files import write_whole

    template = pool_config.get("VerificationMessageTemplate") or {}
    message = EmailMessage()
    message["From"] = "no-reply@verificationemail.com"  # Cognito's own sender, as the pool sends by default
    message["To"] = address
    message["Subject"] = str(template.get("EmailSubject", "Your verification code"))
    text = str(template.get("EmailMessage", "Your verification code is {####}."))
    message.set_content(text.replace("{####}", code))
    mail_dir.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-cognito-forgot-password.eml"
    write_whole(mail_dir / name, message.as_bytes())


class _QueueingWSGIServer(ThreadedWSGIServer):
    request_queue_size = LISTEN_BACKLOG
    # Closing does not wait for the connection threads: clients keep connections open between requests.
    block_on_close = False


class Emulator:
    """moto's server in a thread of this process, serialised; what moto's ThreadedMotoServer does, plus the
    lock and the backlog."""

    def __init__(self, host: str, port: int, mail_dir: Path | None = None) -> None:
        # Set after every request that may have given the event side something to do (`OneAtATime`).
        self.changed = threading.Event()
        self._host = host
        self._port = port
        self._mail_dir = mail_dir
        self._server: _QueueingWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )

        share_stream_records()
        accept_adjacent_totp_steps()
        moto_speed.apply()
        if self._mail_dir is not None:
            mail_forgotten_password_codes(self._mail_dir)
        app = OneAtATime(DomainDispatcherApplication(create_backend_app), self.changed)
        self._server = _QueueingWSGIServer(self._host, self._port, app, handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="godkend-aws", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
