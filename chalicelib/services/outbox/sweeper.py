"""Finds outbox messages stuck in `queued` and drives them again, or parks them for staff.

A message leaves `queued` within seconds of its stream record, or within the retry queue's delays (30 s to
15 min, about 25 minutes in all) after transient failures. One still queued an hour after it was created was
lost on the way: its stream batch failed past the mapping's retries (and went to the on-failure queue), or a
retry message was dropped. The sweeper, every 15 minutes, Queries the `by-status` index for queued messages
created before that hour (never a Scan: the index holds only what waits), and puts each on the retry queue,
where delivery is exactly-once as always. A message that is still queued after MAX_SWEEPS such drives has a
fault that retrying does not cure: it is parked as `failed`, where staff see and retry it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib.clock import Clock
from chalicelib.log import logger
from chalicelib.models.outbox import MailStatus, OutboxModel
from chalicelib.services.outbox.delivery import RetryScheduler, lost_condition

STUCK_AFTER = timedelta(hours=1)
MAX_SWEEPS = 3
# A run touches at most this many messages; the next run, 15 minutes later, takes the rest.
RUN_LIMIT = 500


@dataclass
class SweepReport:
    redriven: list[str] = field(default_factory=list)
    parked: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"redriven": len(self.redriven), "parked": len(self.parked)}


class OutboxSweeper:
    def __init__(
        self, *, retries: RetryScheduler, clock: Clock, stuck_after: timedelta = STUCK_AFTER
    ) -> None:
        self._retries = retries
        self._clock = clock
        self._stuck_after = stuck_after

    def run(self) -> SweepReport:
        report = SweepReport()
        for message in self._stuck():
            sweeps = int(message.swept or 0)
            if sweeps >= MAX_SWEEPS:
                if self._park(message, sweeps):
                    report.parked.append(message.message_id)
            elif self._count_sweep(message, sweeps):
                self._retries.schedule(message.message_id, int(message.generation), 0)
                report.redriven.append(message.message_id)
        if report.redriven or report.parked:
            logger.warning("outbox sweep: %s", report.as_dict())
        return report

    def _stuck(self) -> Iterator[OutboxModel]:
        before = self._clock.now() - self._stuck_after
        yield from OutboxModel.by_status.query(
            MailStatus.QUEUED.value, OutboxModel.created_at < before, limit=RUN_LIMIT
        )

    def _count_sweep(self, message: OutboxModel, sweeps: int) -> bool:
        return self._update(message, sweeps, [OutboxModel.swept.set(sweeps + 1)])

    def _park(self, message: OutboxModel, sweeps: int) -> bool:
        error = f"still queued after {sweeps} re-drives by the outbox sweeper; parked for staff"
        logger.error("mail %s parked by the sweeper", message.message_id)
        return self._update(
            message,
            sweeps,
            [OutboxModel.status.set(MailStatus.FAILED.value), OutboxModel.last_error.set(error)],
        )

    def _update(self, message: OutboxModel, sweeps: int, actions: list[Action]) -> bool:
        # Only if nothing moved it meanwhile: still queued, same generation, not swept by an overlapping run.
        unchanged = (
            (OutboxModel.status == MailStatus.QUEUED.value)
            & (OutboxModel.generation == message.generation)
            & (OutboxModel.swept.does_not_exist() if sweeps == 0 else OutboxModel.swept == sweeps)
        )
        try:
            message.update(actions=actions, condition=unchanged)
        except UpdateError as exc:
            if not lost_condition(exc):
                raise
            return False
        return True
