"""Runs jobs from the database when they are due: each exactly once, across restarts and
several app instances (claimed with one conditional UPDATE … RETURNING)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from dpflow.store.models import JobRow, utcnow
from dpflow.store.uow import UnitOfWorkFactory

log = logging.getLogger("dpflow.scheduler")
MAX_ATTEMPTS = 5

RunJob = Callable[[JobRow], Awaitable[None]]


class Scheduler:
    def __init__(self, uows: UnitOfWorkFactory, run_job: RunJob, interval: float,
                 clock: Callable[[], datetime] = utcnow):
        self.uows, self.run_job, self.interval, self.clock = uows, run_job, interval, clock
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self) -> None:
        while True:
            try:
                await self.run_due()
            except Exception:  # the loop must outlive a broken database connection
                log.exception("scheduler pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()

    async def run_due(self) -> int:
        """Run every job due now; returns how many ran."""
        done = 0
        while jobs := await self._claim():
            for job in jobs:
                await self._run(job)
                done += 1
        return done

    async def _claim(self) -> list[JobRow]:
        async with self.uows() as uow:
            jobs = await uow.repo.claim_due(self.worker, self.clock())
            await uow.commit()
            return jobs

    async def _run(self, job: JobRow) -> None:
        error, retry_at = None, None
        try:
            await self.run_job(job)
        except Exception as e:  # one failing job must not stop the others
            log.exception("job %s (%s) failed", job.id, job.kind)
            error = f"{type(e).__name__}: {e}"
            if job.attempts < MAX_ATTEMPTS:
                retry_at = self.clock() + timedelta(seconds=10 * 2 ** job.attempts)
        async with self.uows() as uow:
            await uow.repo.finish_job(job.id, error, retry_at)
            await uow.commit()
