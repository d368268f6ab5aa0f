"""The job queue: work for after Slack's answer, written in the transaction that asks for
it and claimed by one instance at a time.

A claim is a lease: the instance running a job renews it (`renew`) every few seconds, so a
claim left unrenewed for `LEASE` belongs to an instance that died and is taken over. The
jobs of one workshop run in the order they were queued (a stage's summary before the next
stage's message), except the kinds the caller names as unordered (reactions, files)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from dpflow.store.models import JobRow, utcnow

LEASE = timedelta(seconds=20)
PENDING, RUNNING, DONE, DROPPED = "pending", "running", "done", "dropped"


@dataclass(frozen=True)
class NewJob:
    kind: str
    payload: dict
    workshop_id: str | None = None
    run_id: int | None = None
    due_at: datetime | None = None  # None: now
    key: str | None = None  # at most one pending job per key


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    workshop_id: str | None
    run_id: int | None
    payload: dict
    attempts: int  # this run included
    failing_since: datetime | None
    incident: str | None
    reported: bool


@dataclass(frozen=True)
class Failure:
    """How a failed job goes on: when it runs again, and what people were told."""

    retry_at: datetime
    error: str
    failing_since: datetime
    incident: str
    reported_at: datetime | None  # now, when this failure is the one reported


class JobQueue:
    def __init__(self, session: AsyncSession, now=utcnow):
        self.s, self.now = session, now

    async def enqueue(self, jobs: list[NewJob]) -> None:
        """Queue work in one statement; a pending job with the same key absorbs a new one."""
        await self.s.execute(_enqueue(self.s.bind.dialect.name), [
            {"kind": job.kind, "payload": job.payload, "workshop_id": job.workshop_id,
             "stage_run_id": job.run_id, "due_at": job.due_at or self.now(), "key": job.key,
             "status": PENDING, "attempts": 0} for job in jobs])

    async def drop(self, run_id: int, kinds: tuple[str, ...]) -> None:
        """Pending jobs of a stage run that no longer apply (closed early, deadline moved)."""
        await self.s.execute(update(JobRow).where(
            JobRow.stage_run_id == run_id, JobRow.status == PENDING, JobRow.kind.in_(kinds))
            .values(status=DROPPED, done_at=self.now()))

    async def claim(self, worker: str, now: datetime, limit: int,
                    unordered: tuple[str, ...] = ()) -> list[ClaimedJob]:
        """Take up to `limit` due jobs: two instances never hold the same one, and a
        workshop's ordered jobs run one at a time, oldest first."""
        job, other = aliased(JobRow), aliased(JobRow)
        stale = now - LEASE
        earlier = or_(other.due_at < job.due_at,
                      and_(other.due_at == job.due_at, other.id < job.id))
        waits_for = select(other.id).where(
            other.workshop_id == job.workshop_id, other.id != job.id,
            other.kind.not_in(unordered),
            or_(and_(other.status == RUNNING, other.claimed_at >= stale),
                and_(_due(other, now, stale), earlier)))
        pick = (select(job.id).where(_due(job, now, stale), or_(
            job.kind.in_(unordered), job.workshop_id.is_(None), ~exists(waits_for)))
            .order_by(job.due_at, job.id).limit(limit))
        if self.s.bind.dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True, of=job)
        rows = await self.s.scalars(
            update(JobRow).where(JobRow.id.in_(pick.scalar_subquery()))
            .values(status=RUNNING, claimed_by=worker, claimed_at=now,
                    attempts=JobRow.attempts + 1)
            .returning(JobRow).execution_options(synchronize_session=False))
        return [_claimed(row) for row in sorted(rows.all(), key=lambda r: (r.due_at, r.id))]

    async def renew(self, worker: str, job_ids: list[int], now: datetime) -> set[int]:
        """Extend the lease of jobs still running here; returns the ids still held."""
        if not job_ids:
            return set()
        held = await self.s.scalars(
            update(JobRow).where(JobRow.id.in_(job_ids), JobRow.claimed_by == worker,
                                 JobRow.status == RUNNING)
            .values(claimed_at=now).returning(JobRow.id)
            .execution_options(synchronize_session=False))
        return set(held.all())

    async def next_due(self) -> datetime | None:
        """When the earliest pending job falls due or the oldest lease lapses."""
        due = await self.s.scalar(select(func.min(JobRow.due_at)).where(
            JobRow.status == PENDING))
        claimed = await self.s.scalar(select(func.min(JobRow.claimed_at)).where(
            JobRow.status == RUNNING))
        lapses = claimed + LEASE if claimed is not None else None
        return min((t for t in (due, lapses) if t is not None), default=None)

    async def done(self, job_id: int, worker: str, now: datetime) -> bool:
        """False when the job was taken over meanwhile (this run's work stands anyway)."""
        return await self._settle(job_id, worker, status=DONE, done_at=now, error=None,
                                  failing_since=None)

    async def failed(self, job_id: int, worker: str, failure: Failure) -> bool:
        """Back to pending at `failure.retry_at`, unless a pending job with the same key
        will do the same work (then this one is dropped)."""
        values = {"due_at": failure.retry_at, "error": failure.error,
                  "failing_since": failure.failing_since, "incident": failure.incident,
                  "claimed_by": None}
        if failure.reported_at is not None:
            values["reported_at"] = failure.reported_at
        return await self._back_to_pending(job_id, worker, values)

    async def release(self, worker: str, job_ids: list[int]) -> None:
        """Jobs this instance claimed but will not finish (it is stopping): due again now."""
        for job_id in job_ids:
            await self._back_to_pending(job_id, worker, {"claimed_by": None})

    async def _back_to_pending(self, job_id: int, worker: str, values: dict) -> bool:
        twin = aliased(JobRow)
        no_twin = or_(JobRow.key.is_(None), ~exists(select(twin.id).where(
            twin.key == JobRow.key, twin.status == PENDING)))
        if await self._settle(job_id, worker, no_twin, status=PENDING, **values):
            return True
        return await self._settle(job_id, worker, status=DROPPED, done_at=self.now())

    async def _settle(self, job_id: int, worker: str, *where, **values) -> bool:
        result = await self.s.execute(
            update(JobRow).where(JobRow.id == job_id, JobRow.claimed_by == worker,
                                 JobRow.status == RUNNING, *where).values(**values)
            .execution_options(synchronize_session=False))
        return result.rowcount == 1


@functools.cache
def _enqueue(dialect: str):
    table = JobRow.__table__
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table) \
        .on_conflict_do_nothing(index_elements=[table.c.key],
                                index_where=text(f"status = '{PENDING}'"))


def _due(job, now: datetime, stale: datetime):
    """Pending and due, or running under a lease that lapsed."""
    return or_(and_(job.status == PENDING, job.due_at <= now),
               and_(job.status == RUNNING, job.claimed_at < stale))


def _claimed(row: JobRow) -> ClaimedJob:
    return ClaimedJob(id=row.id, kind=row.kind, workshop_id=row.workshop_id,
                      run_id=row.stage_run_id, payload=dict(row.payload or {}),
                      attempts=row.attempts, failing_since=row.failing_since,
                      incident=row.incident, reported=row.reported_at is not None)
