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

from sqlalchemy import and_, bindparam, exists, func, or_, select, text, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from dpflow.store.db import Transaction
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
    def __init__(self, tx: Transaction, now=utcnow):
        self.tx, self.now = tx, now

    async def enqueue(self, jobs: list[NewJob]) -> None:
        """Queue work in one statement; a pending job with the same key absorbs a new one."""
        await self.tx.execute(_enqueue(self.tx.dialect.name), [
            {"kind": job.kind, "payload": job.payload, "workshop_id": job.workshop_id,
             "stage_run_id": job.run_id, "due_at": job.due_at or self.now(), "key": job.key,
             "status": PENDING, "attempts": 0} for job in jobs])

    async def hurry(self, key: str) -> None:
        """The pending job of that key falls due now."""
        await self.tx.execute(update(JOBS).where(JOBS.c.key == key, JOBS.c.status == PENDING)
                              .values(due_at=self.now()))

    async def drop(self, run_id: int, kinds: tuple[str, ...]) -> None:
        """Pending jobs of a stage run that no longer apply (closed early, deadline moved)."""
        await self.tx.execute(update(JOBS).where(
            JOBS.c.stage_run_id == run_id, JOBS.c.status == PENDING, JOBS.c.kind.in_(kinds))
            .values(status=DROPPED, done_at=self.now()))

    async def claim(self, worker: str, now: datetime, limit: int,
                    unordered: tuple[str, ...] = ()) -> list[ClaimedJob]:
        """Take up to `limit` due jobs: two instances never hold the same one, and a
        workshop's ordered jobs run one at a time, oldest first."""
        rows = await self.tx.execute(_claim(self.tx.dialect.name, tuple(unordered)), {
            "worker": worker, "now": now, "stale": now - LEASE, "limit": limit})
        return [_claimed(row) for row in sorted(rows, key=lambda r: (r.due_at, r.id))]

    async def renew(self, worker: str, job_ids: list[int], now: datetime) -> set[int]:
        """Extend the lease of jobs still running here; returns the ids still held."""
        if not job_ids:
            return set()
        held = await self.tx.execute(_RENEW, {"ids": job_ids, "worker": worker, "now": now})
        return set(held.scalars())

    async def next_due(self) -> datetime | None:
        """When the earliest pending job falls due or the oldest lease lapses."""
        due, claimed = (await self.tx.execute(_NEXT_DUE)).one()
        lapses = claimed + LEASE if claimed is not None else None
        return min((t for t in (due, lapses) if t is not None), default=None)

    async def done(self, job_ids: list[int], worker: str, now: datetime) -> set[int]:
        """The jobs finished here, in one statement; returns those still held (a job taken
        over meanwhile is not: this run's work stands anyway)."""
        if not job_ids:
            return set()
        kept = await self.tx.execute(_DONE, {"ids": job_ids, "worker": worker, "now": now})
        return set(kept.scalars())

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
        twin = JOBS.alias("twin")
        no_twin = or_(JOBS.c.key.is_(None), ~exists(select(twin.c.id).where(
            twin.c.key == JOBS.c.key, twin.c.status == PENDING)))
        if await self._settle(job_id, worker, no_twin, status=PENDING, **values):
            return True
        return await self._settle(job_id, worker, status=DROPPED, done_at=self.now())

    async def _settle(self, job_id: int, worker: str, *where, **values) -> bool:
        result = await self.tx.execute(
            update(JOBS).where(JOBS.c.id == job_id, _HELD, *where).values(**values),
            {"worker": worker})
        return result.rowcount == 1


# The scheduler's statements, built once: it runs them for every few jobs.
JOBS = JobRow.__table__
_HELD = and_(JOBS.c.claimed_by == bindparam("worker"), JOBS.c.status == RUNNING)
_IDS = JOBS.c.id.in_(bindparam("ids", expanding=True))
_RENEW = update(JOBS).where(_IDS, _HELD).values(claimed_at=bindparam("now")) \
    .returning(JOBS.c.id)
_DONE = update(JOBS).where(_IDS, _HELD).values(
    status=DONE, done_at=bindparam("now"), error=None, failing_since=None).returning(JOBS.c.id)
_NEXT_DUE = select(
    select(func.min(JOBS.c.due_at)).where(JOBS.c.status == PENDING).scalar_subquery(),
    select(func.min(JOBS.c.claimed_at)).where(JOBS.c.status == RUNNING).scalar_subquery())
_CLAIMED = [JOBS.c[name] for name in ("id", "kind", "workshop_id", "stage_run_id", "payload",
                                      "attempts", "failing_since", "incident", "reported_at",
                                      "due_at")]


@functools.cache
def _claim(dialect: str, unordered: tuple[str, ...]):
    """Pending jobs that are due and running ones whose lease lapsed, each searched in the
    order of its index and only as far as the limit; a workshop's earlier jobs are looked
    for among its pending and running ones, never its done ones. A claim costs the same with
    ten jobs waiting or thousands, and after a workshop's thousands of reactions."""
    job, other = JOBS.alias("job"), JOBS.alias("other")
    earlier = or_(other.c.due_at < job.c.due_at,
                  and_(other.c.due_at == job.c.due_at, other.c.id < job.c.id))
    waits_for = select(other.c.id).where(
        other.c.workshop_id == job.c.workshop_id, other.c.status.in_([RUNNING, PENDING]),
        other.c.id != job.c.id, other.c.kind.not_in(unordered),
        or_(and_(other.c.status == RUNNING, other.c.claimed_at >= bindparam("stale")),
            and_(_due(other), earlier)))
    free = or_(job.c.kind.in_(unordered), job.c.workshop_id.is_(None), ~exists(waits_for))

    def earliest(*due):
        pick = (select(job.c.id, job.c.due_at).where(*due, free)
                .order_by(job.c.due_at, job.c.id).limit(bindparam("limit")))
        if dialect == "postgresql":
            pick = pick.with_for_update(skip_locked=True, of=job)
        return select(pick.subquery())

    both = union_all(earliest(job.c.status == PENDING, job.c.due_at <= bindparam("now")),
                     earliest(job.c.status == RUNNING, job.c.claimed_at < bindparam("stale")))
    ids = both.subquery()
    pick = select(ids.c.id).order_by(ids.c.due_at, ids.c.id).limit(bindparam("limit"))
    return (update(JOBS).where(JOBS.c.id.in_(pick.scalar_subquery()))
            .values(status=RUNNING, claimed_by=bindparam("worker"),
                    claimed_at=bindparam("now"), attempts=JOBS.c.attempts + 1)
            .returning(*_CLAIMED))


@functools.cache
def _enqueue(dialect: str):
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(JOBS) \
        .on_conflict_do_nothing(index_elements=[JOBS.c.key],
                                index_where=text(f"status = '{PENDING}'"))


def _due(job):
    """Pending and due, or running under a lease that lapsed."""
    return or_(and_(job.c.status == PENDING, job.c.due_at <= bindparam("now")),
               and_(job.c.status == RUNNING, job.c.claimed_at < bindparam("stale")))


def _claimed(row) -> ClaimedJob:
    return ClaimedJob(id=row.id, kind=row.kind, workshop_id=row.workshop_id,
                      run_id=row.stage_run_id, payload=dict(row.payload or {}),
                      attempts=row.attempts, failing_since=row.failing_since,
                      incident=row.incident, reported=row.reported_at is not None)
