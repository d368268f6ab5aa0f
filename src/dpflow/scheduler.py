"""Runs jobs from the database when they are due: several at a time (a call waiting out a
rate limit holds one slot, not the queue), each by one instance at a time (a lease renewed
while it runs, so a job whose instance died is taken over within seconds), and retried
with growing pauses while it fails: never dropped, and the facilitators are told once when
failing lasts. Claims and bookkeeping are short transactions of their own; no transaction
is open while a job calls Slack."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError

from dpflow.logs import new_incident, structured
from dpflow.services import jobs
from dpflow.services.jobs import UNORDERED, Alert, Job
from dpflow.store.jobs import LEASE, ClaimedJob, Failure
from dpflow.store.repo import Repository
from dpflow.store.uow import UnitOfWorkFactory

log = logging.getLogger("dpflow.scheduler")

CONCURRENCY = 8
HEARTBEAT = LEASE / 4
FIRST_RETRY, LONGEST_PAUSE = timedelta(seconds=10), timedelta(hours=2)
REPORT_AFTER = timedelta(hours=1)  # failing this long, the facilitators hear of it
SHORTEST_WAIT = 1.0  # seconds between polls while due jobs wait for others of their workshop
AFTER_A_FAILED_PASS = 5.0  # seconds: a busy or lost database is tried again soon
BOOKKEEPING_PAUSES = (0, 0.5, 2, 5, 10, 30)  # a busy database must not lose a job's outcome

RunJob = Callable[[ClaimedJob], Awaitable[None]]


class Scheduler:
    def __init__(self, uows: UnitOfWorkFactory, run_job: RunJob, interval: float,
                 clock: Callable[[], datetime], concurrency: int = CONCURRENCY):
        self.uows, self.run_job, self.interval, self.clock = uows, run_job, interval, clock
        self.concurrency = concurrency
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._wake = asyncio.Event()
        self._running: dict[int, asyncio.Task] = {}
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self) -> None:
        async with self._beating():
            while not self._stopping:
                self._wake.clear()
                try:
                    await self._start_due()
                    pause = await self._until_next_due()
                except Exception:  # the loop must outlive a broken database connection
                    log.exception("scheduler pass failed")
                    pause = min(self.interval, AFTER_A_FAILED_PASS)
                await self._idle(pause)

    async def run_due(self) -> int:
        """Run every job due now (and what is queued meanwhile) until none is left; returns
        how many ran."""
        ran = 0
        async with self._beating():
            while True:
                self._wake.clear()
                ran += len(await self._start_due())
                if not self._running:
                    return ran
                await self._idle(None)

    async def stop(self, grace: float) -> None:
        """Claim nothing more; give running jobs `grace` seconds, then cancel them and hand
        them back to the queue, due at once (for another instance, or the next start)."""
        self._stopping = True
        self._wake.set()
        if self._running:
            await asyncio.wait(list(self._running.values()), timeout=grace)
        unfinished = dict(self._running)
        for task in unfinished.values():
            task.cancel()
        await asyncio.gather(*unfinished.values(), return_exceptions=True)
        if unfinished:
            await self._record(lambda repo: repo.jobs.release(self.worker, list(unfinished)))
            log.info("released %d unfinished jobs", len(unfinished))

    async def _start_due(self) -> list[ClaimedJob]:
        free = self.concurrency - len(self._running)
        if free <= 0 or self._stopping:
            return []
        async with self.uows() as uow:
            claimed = await uow.repo.jobs.claim(self.worker, self.clock(), free, UNORDERED)
            await uow.commit()
        for job in claimed:
            task = asyncio.create_task(self._run(job), name=f"dpflow-job-{job.id}")
            self._running[job.id] = task
            task.add_done_callback(lambda _, job_id=job.id: self._running.pop(job_id, None))
        return claimed

    async def _until_next_due(self) -> float:
        async with self.uows() as uow:
            at = await uow.repo.jobs.next_due()
        if at is None:
            return self.interval
        return min(self.interval, max(SHORTEST_WAIT, (at - self.clock()).total_seconds()))

    async def _idle(self, pause: float | None) -> None:
        """Until a job ends, work is queued in this process, or `pause` has passed."""
        woken = asyncio.create_task(self._wake.wait())
        await asyncio.wait([woken, *self._running.values()], timeout=pause,
                           return_when=asyncio.FIRST_COMPLETED)
        woken.cancel()

    @contextlib.asynccontextmanager
    async def _beating(self):
        beat = asyncio.create_task(self._heartbeat(), name="dpflow-heartbeat")
        try:
            yield
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat

    async def _heartbeat(self) -> None:
        """Renew the leases of the jobs running here; stop those another instance took."""
        while True:
            await asyncio.sleep(HEARTBEAT.total_seconds())
            ids = list(self._running)
            if not ids:
                continue
            try:
                async with self.uows() as uow:
                    held = await uow.repo.jobs.renew(self.worker, ids, self.clock())
                    await uow.commit()
            except Exception:
                log.warning("renewing job leases failed", exc_info=True)
                continue
            for job_id in set(ids) - held:
                if (task := self._running.get(job_id)) is not None:
                    task.cancel()

    async def _run(self, job: ClaimedJob) -> None:
        started = time.perf_counter()
        incident, error = None, None
        try:
            await self.run_job(job)
        except Exception as e:  # one failing job must not stop the others
            incident, error = job.incident or new_incident(), e
            kept = await self._record(lambda repo: self._failed(repo, job, error, incident))
            outcome = "retry" if kept else "taken over"
        except asyncio.CancelledError:
            _log(job, "stopped", started)
            raise
        else:
            kept = await self._record(lambda repo: repo.jobs.done(job.id, self.worker,
                                                                 self.clock()))
            outcome = "done" if kept else "taken over"
        _log(job, outcome, started, incident, error)

    async def _failed(self, repo: Repository, job: ClaimedJob, error: Exception,
                      incident: str) -> bool:
        now = self.clock()
        since = job.failing_since or now
        report = (not job.reported and now - since >= REPORT_AFTER
                  and job.kind != Job.ALERT and job.workshop_id is not None)
        kept = await repo.jobs.failed(job.id, self.worker, Failure(
            retry_at=now + pause_after(job.attempts), error=f"{type(error).__name__}: {error}",
            failing_since=since, incident=incident, reported_at=now if report else None))
        if kept and report:
            await jobs.queue(repo, Job.ALERT, Alert(
                workshop=job.workshop_id, failing=Job(job.kind), incident=incident,
                since=since, error=_brief(error)))
        return kept

    async def _record(self, write: Callable[[Repository], Awaitable[bool | None]]) -> bool:
        """A short transaction of bookkeeping, tried again while the database is busy."""
        for pause in BOOKKEEPING_PAUSES:
            await asyncio.sleep(pause)
            try:
                async with self.uows() as uow:
                    result = await write(uow.repo)
                    await uow.commit()
                    return result is not False
            except Exception:
                log.warning("job bookkeeping failed; trying again", exc_info=True)
        log.error("job bookkeeping failed for good: the job will be taken over and run again")
        return False


def pause_after(attempts: int) -> timedelta:
    """10 s after the first failure, doubling, at most two hours."""
    return min(FIRST_RETRY * 2 ** min(attempts - 1, 16), LONGEST_PAUSE)


def _brief(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or f"HTTP {error.response.status_code}")
    return type(error).__name__


def _log(job: ClaimedJob, outcome: str, started: float, incident: str | None = None,
         error: Exception | None = None) -> None:
    level = logging.WARNING if error is not None else logging.INFO
    structured(log, "job", level, exc_info=error, kind=job.kind, job=job.id,
               workshop=job.workshop_id, channel=job.payload.get("channel"),
               attempt=job.attempts, outcome=outcome, incident=incident,
               latency_ms=round((time.perf_counter() - started) * 1000, 1))
