"""The local API: what `chalice local --no-autoreload` serves, from a server that queues connections.

`chalice local` serves from a `ThreadingMixIn` HTTP server with the standard library's listen backlog of 5:
a thread per connection, but a burst of clients beyond the handful the kernel queues for it is refused
(connection resets from about 32 concurrent clients on). This is the same server (Chalice's request handler,
local API Gateway and authorizers, a thread per connection, the same log lines on stdout) with a backlog as
large as the kernel allows. Usage: python -m infra.local.api --host H --port P --stage local
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from pathlib import Path

from chalice.cli.factory import CLIFactory
from chalice.deploy.validate import validate_routes
from chalice.local import CustomLocalChalice, LocalChalice, LocalDevServer, ThreadedHTTPServer

PROJECT_DIR = Path(__file__).resolve().parents[2]
# The kernel caps it at net.core.somaxconn (4096 on current Linux).
LISTEN_BACKLOG = 1024


class QueueingHTTPServer(ThreadedHTTPServer):
    request_queue_size = LISTEN_BACKLOG


def create_server(host: str, port: int, stage: str, project_dir: Path = PROJECT_DIR) -> LocalDevServer:
    """What `chalice local` builds (chalice.cli.create_local_server), with the queueing server."""
    os.environ["AWS_CHALICE_CLI_MODE"] = "true"
    os.chdir(project_dir)
    factory = CLIFactory(str(project_dir), False, environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=stage)
    app = config.chalice_app
    validate_routes(app.routes)
    # As chalice.local.create_local_server does: the app's class becomes one whose current_request is kept
    # per thread, since the threads serve requests side by side.
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    return LocalDevServer(app, config, host, port, server_cls=QueueingHTTPServer)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.api", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stage", default="local")
    args = parser.parse_args(argv)
    # As `chalice local`: the functions' log lines on stdout, as Lambda would show them.
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    server = create_server(args.host, args.port, args.stage)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C reaches the whole process group: no traceback
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
