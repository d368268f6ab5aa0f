"""What listeners and follow-ups need, built once in `build_app`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from dpflow.slack.client import SlackClients
from dpflow.store.models import utcnow
from dpflow.store.uow import UnitOfWorkFactory


@dataclass
class Deps:
    uows: UnitOfWorkFactory
    slack: SlackClients
    wake: list = field(default_factory=list)  # callbacks that start due jobs at once
    clock: Callable[[], datetime] = utcnow  # the scheduler's: deadlines are set against it

    def jobs_queued(self) -> None:
        """Committed work is waiting: run it now instead of at the next poll."""
        for callback in self.wake:
            callback()
