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
(`accept_adjacent_totp_steps`).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import ThreadedWSGIServer

# Far above the concurrent connections the stack makes (one per API thread and the event side); the kernel
# caps it at net.core.somaxconn.
LISTEN_BACKLOG = 1024

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class OneAtATime:
    """WSGI middleware: the wrapped app handles one request at a time, its answer complete before the next.

    The body is read to the end inside the lock, so nothing of the wrapped app runs outside it; the server
    sends it to the client after the lock is released."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        with self._lock:
            answer = self._app(environ, start_response)
            try:
                return [b"".join(answer)]
            finally:
                close = getattr(answer, "close", None)
                if close is not None:
                    close()


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


class _QueueingWSGIServer(ThreadedWSGIServer):
    request_queue_size = LISTEN_BACKLOG
    # Closing does not wait for the connection threads: clients keep connections open between requests.
    block_on_close = False


class Emulator:
    """moto's server in a thread of this process, serialised; what moto's ThreadedMotoServer does, plus the
    lock and the backlog."""

    def __init__(self, host: str, port: int) -> None:
        self._host = host
        self._port = port
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
        app = OneAtATime(DomainDispatcherApplication(create_backend_app))
        self._server = _QueueingWSGIServer(self._host, self._port, app, handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="godkend-aws", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
