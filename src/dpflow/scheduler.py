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
from dataclasses import dataclass
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
GATHER = 0.02  # seconds a pass waits for more to do: one transaction for many jobs
REQUESTS_FIRST = 0.5  # seconds jobs wait at most while this process answers requests
JOBS_NEXT = 2.0  # seconds after such a wait ran out: under steady load jobs keep their pace

RunJob = Callable[[ClaimedJob], Awaitable[None]]


@dataclass(frozen=True)
class Ran:
    """A job that ran to its end here, waiting for the next pass to mark it done."""

    job: ClaimedJob
    latency_ms: float



class Scheduler:
    def __init__(self, uows: UnitOfWorkFactory, run_job: RunJob, interval: float,
                 clock: Callable[[], datetime], concurrency: int = CONCURRENCY,
                 requests_answered: asyncio.Event | None = None):
        self.uows, self.run_job, self.interval, self.clock = uows, run_job, interval, clock
        self.concurrency = concurrency
        # set while this process answers no request: jobs let requests go first (Slack
        # gives an answer 3 s; a reaction or a refresh can wait `REQUESTS_FIRST` at most)
        self.requests_answered = requests_answered
        self._no_waiting_until = 0.0  # loop time
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._wake = asyncio.Event()
        self._running: dict[int, asyncio.Task] = {}
        self._finished: dict[int, Ran] = {}  # ran here, not yet marked done
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self) -> None:
        async with self._beating():
            while not self._stopping:
                self._wake.clear()
                try:
                    _, pause = await self._pass()
                except Exception:  # the loop must outlive a broken database connection
                    log.exception("scheduler pass failed")
                    pause = min(self.interval, AFTER_A_FAILED_PASS)
                await self._idle(pause)
                # what wakes it in a burst (each reply queues a reaction, each job that
                # ends frees a slot) is taken together by the next pass
                await asyncio.sleep(GATHER)
                await self._requests_first()

    async def run_due(self) -> int:
        """Run every job due now (and what is queued meanwhile) until none is left; returns
        how many ran."""
        ran = 0
        async with self._beating():
            while True:
                self._wake.clear()
                ran += (await self._pass())[0]
                if not self._running and not self._finished:
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
        finished = self._take_finished()

        async def settle(repo: Repository) -> None:
            await self._mark_done(repo, finished)
            await repo.jobs.release(self.worker, list(unfinished))

        if finished or unfinished:
            await self._record(settle)
        if unfinished:
            log.info("released %d unfinished jobs", len(unfinished))

    async def _pass(self) -> tuple[int, float]:
        """One short transaction: the jobs that ran since the last pass marked done, due
        ones claimed for the free slots and started. Returns how many started and how long
        to wait at most."""
        free = 0 if self._stopping else self.concurrency - len(self._running)
        finished = self._take_finished()
        try:
            async with self.uows() as uow:
                await self._mark_done(uow.repo, finished)
                claimed = (await uow.repo.jobs.claim(self.worker, self.clock(), free,
                                                     UNORDERED)) if free else []
                # with every slot taken, the end of a job starts the next pass
                at = (await uow.repo.jobs.next_due()) if len(claimed) < free else None
                await uow.commit()
        except BaseException:
            self._finished.update(finished)  # a later pass marks them
            raise
        for job in claimed:
            task = asyncio.create_task(self._run(job), name=f"dpflow-job-{job.id}")
            self._running[job.id] = task
            task.add_done_callback(lambda _, job_id=job.id: self._ended(job_id))
        if at is None:
            return len(claimed), self.interval
        return len(claimed), min(self.interval,
                                 max(SHORTEST_WAIT, (at - self.clock()).total_seconds()))

    def _ended(self, job_id: int) -> None:
        self._running.pop(job_id, None)
        self._wake.set()

    def _take_finished(self) -> dict[int, Ran]:
        finished, self._finished = self._finished, {}
        return finished

    async def _mark_done(self, repo: Repository, finished: dict[int, Ran]) -> None:
        kept = await repo.jobs.done(list(finished), self.worker, self.clock())
        for job_id, ran in finished.items():
            _log(ran.job, "done" if job_id in kept else "taken over", ran.latency_ms)

    async def _requests_first(self) -> None:
        loop = asyncio.get_running_loop()
        if self.requests_answered is None or loop.time() < self._no_waiting_until:
            return
        try:
            await asyncio.wait_for(self.requests_answered.wait(), REQUESTS_FIRST)
        except TimeoutError:
            self._no_waiting_until = loop.time() + JOBS_NEXT

    async def _idle(self, pause: float | None) -> None:
        """Until a job ends, work is queued in this process, or `pause` has passed."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), pause)

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
        """Renew the leases of the jobs held here (running, or ran and not yet marked
        done); stop those another instance took."""
        while True:
            await asyncio.sleep(HEARTBEAT.total_seconds())
            ids = [*self._running, *self._finished]
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
        try:
            await self.run_job(job)
        except Exception as error:  # one failing job must not stop the others
            incident = job.incident or new_incident()
            kept = await self._record(
                lambda repo, error=error: self._failed(repo, job, error, incident))
            _log(job, "retry" if kept else "taken over", _since(started), incident, error)
        except asyncio.CancelledError:
            _log(job, "stopped", _since(started))
            raise
        else:
            self._finished[job.id] = Ran(job, _since(started))

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


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _log(job: ClaimedJob, outcome: str, latency_ms: float, incident: str | None = None,
         error: Exception | None = None) -> None:
    level = logging.WARNING if error is not None else logging.INFO
    structured(log, "job", level, exc_info=error, kind=job.kind, job=job.id,
               workshop=job.workshop_id, channel=job.payload.get("channel"),
               attempt=job.attempts, outcome=outcome, incident=incident,
               latency_ms=latency_ms)
