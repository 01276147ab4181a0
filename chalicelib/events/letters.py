"""The letters to official mailboxes, on a schedule: the gathered letters written when they are due (every 5
minutes; the rules are in `chalicelib/services/onboarding/mailboxes.py` and `gathered_letters.py`), and the
activation letters' 2-hour promise, a check every 15 minutes that logs each letter found overdue and counts
them in the `LettersOverdue` metric, on which `infra/resources.json` sets an alarm
(`chalicelib/services/onboarding/letter_promise.py`)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, CloudWatchEvent, Rate

from chalicelib.container import container
from chalicelib.log import logger

letters = Blueprint(__name__)

METRIC_SERVICE = "godkend"
OVERDUE_METRIC = "LettersOverdue"


@letters.schedule(Rate(5, unit=Rate.MINUTES))
def send_gathered_letters(event: CloudWatchEvent) -> dict[str, Any]:
    # The period is `SENDER_PERIOD` in chalicelib/services/onboarding/mailboxes.py: a gathered letter goes at
    # most this long after it is due.
    result = container().gathered_letters.send_due()
    if result.failed:
        # Each is due again on the next run; a letter that keeps failing shows as overdue in the check.
        logger.warning("gathered letters not written this time", extra={"cvrs": result.failed})
    return {
        "letters": result.letters,
        "applications": result.applications,
        "proofs": result.proofs,
        "emptied": result.emptied,
        "failed": len(result.failed),
    }


@letters.schedule(Rate(15, unit=Rate.MINUTES))
def check_letters(event: CloudWatchEvent) -> dict[str, Any]:
    deps = container()
    result = deps.letter_watch.check()
    for letter in result.overdue:
        logger.warning("activation letter not delivered within 2 hours", extra=letter.describe())
    from aws_lambda_powertools import Metrics
    from aws_lambda_powertools.metrics import MetricUnit

    # Emitted on every run, zero included, so the metric shows the check is alive; an alarm fires on >= 1.
    metrics = Metrics(namespace=deps.settings.metrics_namespace, service=METRIC_SERVICE)
    # The table prefix names the deployment (stage): dev and prod share the namespace.
    metrics.add_dimension(name="deployment", value=deps.settings.table_prefix)
    metrics.add_metric(name=OVERDUE_METRIC, unit=MetricUnit.Count, value=len(result.overdue))
    metrics.flush_metrics()
    return {"overdue": len(result.overdue), "on_time": result.on_time}
