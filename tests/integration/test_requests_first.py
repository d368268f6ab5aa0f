"""Jobs let the requests being answered go first, for a moment, and never more than that."""

from __future__ import annotations

import asyncio
import time

from dpflow.scheduler import JOBS_NEXT, REQUESTS_FIRST, Scheduler
from dpflow.store.jobs import NewJob
from dpflow.store.models import utcnow
from dpflow.store.uow import opened


async def _ran_after(answered: asyncio.Event, jobs: int, seconds: float) -> list[float]:
    """Seconds after queueing at which each of `jobs` reactions ran, the scheduler polling
    for `seconds`."""
    ran: list[float] = []
    queued = 0.0

    async def run(job) -> None:
        ran.append(time.monotonic() - queued)

    async with opened("sqlite+aiosqlite://") as uows:
        scheduler = Scheduler(uows, run, 60, utcnow, requests_answered=answered)
        task = asyncio.create_task(scheduler.run_forever())
        await asyncio.sleep(0.1)  # its first pass found nothing to do
        async with uows() as uow:  # as a reply does: queued, then the scheduler woken
            await uow.repo.jobs.enqueue([NewJob("react", {"channel": "C1", "ts": str(i)}, None)
                                         for i in range(jobs)])
            await uow.commit()
        queued = time.monotonic()
        scheduler.wake()
        await asyncio.sleep(seconds)
        await scheduler.stop(1)
        task.cancel()
    return ran


async def test_jobs_wait_while_requests_are_answered():
    answered = asyncio.Event()  # a request under way
    ran = await _ran_after(answered, 1, REQUESTS_FIRST / 2)
    assert ran == []
    answered.set()
    assert len(await _ran_after(answered, 1, REQUESTS_FIRST / 2)) == 1


async def test_under_steady_requests_jobs_still_run():
    answered = asyncio.Event()  # never idle
    ran = await _ran_after(answered, 20, REQUESTS_FIRST + 1)
    assert len(ran) == 20
    assert min(ran) >= REQUESTS_FIRST and max(ran) < REQUESTS_FIRST + JOBS_NEXT
