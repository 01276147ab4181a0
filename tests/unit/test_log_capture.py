"""The `logs` fixture (tests/logs.py) sees what CloudWatch would receive, `extra=` fields included, so the
tests that say no code, key or token reaches the logs can fail. A secret is planted where most context is
logged, in the fields, and found; where the earlier tests looked (captured stdout, `caplog.text`), it is
not."""

from __future__ import annotations

import logging

import pytest

from chalicelib.log import logger as service_logger
from tests.logs import CloudWatchLogs

PLANTED = "k7m2q9xw"  # shaped like a code's random part


def test_a_secret_in_the_extra_fields_of_the_powertools_logger_is_found(
    logs: CloudWatchLogs, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    # When the service's Powertools logger logs a secret in a field, as routes log their context
    service_logger.info("request refused", extra={"problem": "invalid-input", "presented": PLANTED})

    # Then the line CloudWatch would receive holds it, under its field
    assert PLANTED in logs.text
    (line,) = [r for r in logs.records if r.get("presented")]
    assert (line["message"], line["presented"], line["service"]) == ("request refused", PLANTED, "godkend")
    # And neither captured stdout nor caplog's text, where these tests used to look, shows it
    printed = capsys.readouterr()
    assert PLANTED not in printed.out + printed.err + caplog.text


# A library's plain logger (the service itself has only the Powertools one, chalicelib/log.py).
library_logger = logging.getLogger("pynamodb.connection")


def test_a_secret_in_the_extra_fields_of_a_plain_logger_is_found(logs: CloudWatchLogs) -> None:
    # When a library's plain logger logs a secret in a field
    library_logger.error("request failed", extra={"user_id": PLANTED})

    # Then the JSON line Lambda would write holds it, under its field
    (line,) = [r for r in logs.records if r.get("user_id")]
    assert (line["level"], line["logger"], line["user_id"]) == ("ERROR", library_logger.name, PLANTED)


def test_a_secret_in_an_exception_or_below_the_stages_log_level_is_found(logs: CloudWatchLogs) -> None:
    try:
        raise ValueError(f"no such code {PLANTED}")
    except ValueError:
        service_logger.exception("validation failed")
    service_logger.debug("checking", extra={"code": PLANTED.upper()})

    assert PLANTED in logs.text
    assert PLANTED.upper() in logs.text
