"""What CloudWatch Logs would receive from the service's loggers, line by line, for the tests that say a
secret never reaches the logs.

Two kinds of logger write to a function's log stream:

- Powertools' Logger (`chalicelib/log.py`, the service's one logger): its own handler
  writes one JSON line per record to the stdout it found at import, with every `extra=` field as a key.
  pytest's `capsys` cannot see those lines (the handler kept the stdout of before the test), and
  `caplog.text` holds the message alone, without the fields.
- plain `logging` loggers (the libraries': botocore, PynamoDB): their records reach the root logger, whose
  handler in Lambda writes, with the JSON log format, one JSON object per record with every `extra=` field as
  a key (the text format drops the fields; JSON is the one that can carry a secret there).

`captured()` adds a handler to the root logger that writes each record as that JSON line: with the Powertools
Logger's own formatter for its records, as Lambda's runtime does for the others. It takes the service's
loggers at every level while it runs, more than any stage logs, so that a secret logged at DEBUG fails too.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

# The Powertools Logger's name (its `service`): the service's loggers, taken at every level.
SERVICE = "godkend"
APP_LOGGERS = (SERVICE,)
# What every LogRecord has; anything else on a record came from `extra=`.
STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class CloudWatchLogs(logging.Handler):
    """Every record that reached it, as the JSON line the function's log stream would hold."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == SERVICE or record.name.startswith(SERVICE + "."):
            line = powertools_formatter().format(record)
        else:
            line = lambda_json_line(record)
        self.lines.append(line)

    @property
    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]

    @property
    def text(self) -> str:
        """All the lines, as one text to search."""
        return "\n".join(self.lines)


def powertools_formatter() -> logging.Formatter:
    """The formatter the Powertools Logger writes its lines with."""
    handler = getattr(logging.getLogger(SERVICE), "powertools_handler", None)
    formatter = handler.formatter if isinstance(handler, logging.Handler) else None
    assert formatter is not None, "no Powertools Logger has been made yet"
    return formatter


def lambda_json_line(record: logging.LogRecord) -> str:
    """A plain `logging` record as Lambda's Python runtime writes it with the JSON log format: timestamp,
    level, message, logger and request id, the exception if there is one, and every `extra=` field."""
    line: dict[str, Any] = {
        "timestamp": datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "level": record.levelname,
        "message": record.getMessage(),
        "logger": record.name,
        "requestId": getattr(record, "aws_request_id", ""),
    }
    if record.exc_info and record.exc_info[0] is not None:
        kind, error, trace = record.exc_info
        line.update(
            errorType=kind.__name__,
            errorMessage=str(error),
            stackTrace=traceback.format_exception(kind, error, trace),
        )
    line.update((k, v) for k, v in vars(record).items() if k not in STANDARD_ATTRIBUTES and k not in line)
    return json.dumps(line, default=str)


@contextmanager
def captured() -> Iterator[CloudWatchLogs]:
    handler = CloudWatchLogs()
    loggers = [logging.getLogger(name) for name in APP_LOGGERS]
    levels = [logger.level for logger in loggers]
    root = logging.getLogger()
    root.addHandler(handler)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
