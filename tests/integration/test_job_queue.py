"""The job queue on the database (SQLite, and PostgreSQL when the tests have one): a claim
is a lease, one workshop's jobs wait for each other, and an instance that lost a job cannot
mark it done or failed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dpflow.store.jobs import LEASE, Failure, NewJob
from dpflow.store.models import WorkshopRow, utcnow
from dpflow.store.uow import opened

NOW = utcnow()


@pytest.fixture(params=["sqlite", "postgresql"])
def queue_url(request, database_url) -> str:
    return database_url if request.param == "sqlite" else \
        request.getfixturevalue("fresh_database")


@pytest.fixture
async def uows(queue_url):
    async with opened(queue_url) as uows:
        async with uows() as uow:
            for workshop in ("w1", "w2"):
                uow.repo.add(WorkshopRow(id=workshop, team_id="T1", channel_id=f"C{workshop}",
                                         name=workshop, stage="events", active=True,
                                         created_by="U1"))
            await uow.commit()
        yield uows


async def _queue(uows, *jobs: tuple[str, str], key: str | None = None) -> None:
    async with uows() as uow:
        for kind, workshop in jobs:
            await uow.repo.jobs.enqueue([NewJob(kind, {}, workshop, due_at=NOW, key=key)])
        await uow.commit()


async def _claim(uows, worker: str, at=NOW, limit: int = 10) -> list:
    async with uows() as uow:
        claimed = await uow.repo.jobs.claim(worker, at, limit, unordered=("react",))
        await uow.commit()
        return claimed


async def test_a_claim_is_a_lease_renewed_while_the_job_runs(uows):
    await _queue(uows, ("post_stage", "w1"))
    [job] = await _claim(uows, "a")
    assert await _claim(uows, "b", NOW + LEASE / 2) == []
    async with uows() as uow:
        assert await uow.repo.jobs.renew("a", [job.id], NOW + LEASE / 2) == {job.id}
        await uow.commit()
    assert await _claim(uows, "b", NOW + LEASE) == []  # renewed: still a's
    [taken] = await _claim(uows, "b", NOW + LEASE * 2)
    assert (taken.id, taken.attempts) == (job.id, 2)
    async with uows() as uow:
        assert await uow.repo.jobs.renew("a", [job.id], NOW + LEASE * 2) == set()
        assert await uow.repo.jobs.done([job.id], "a", NOW + LEASE * 2) == set()
        assert await uow.repo.jobs.done([job.id], "b", NOW + LEASE * 2) == {job.id}
        await uow.commit()


async def test_a_workshops_jobs_run_one_at_a_time_in_order_and_reactions_alongside(uows):
    await _queue(uows, ("post_summary", "w1"), ("post_stage", "w1"), ("react", "w1"),
                 ("react", "w1"), ("post_stage", "w2"))
    first = await _claim(uows, "a")
    assert sorted((j.kind, j.workshop_id) for j in first) == [
        ("post_stage", "w2"), ("post_summary", "w1"), ("react", "w1"), ("react", "w1")]
    assert await _claim(uows, "b") == []  # w1's stage message waits for its summary
    summary = next(j for j in first if j.kind == "post_summary")
    async with uows() as uow:
        await uow.repo.jobs.done([summary.id], "a", NOW)
        await uow.commit()
    assert [j.kind for j in await _claim(uows, "b")] == ["post_stage"]


async def test_a_failed_job_waits_its_pause_or_gives_way_to_a_pending_twin(uows):
    await _queue(uows, ("refresh_stage", "w1"), key="refresh:1")
    [job] = await _claim(uows, "a")
    await _queue(uows, ("refresh_stage", "w1"), key="refresh:1")  # queued while it ran
    failure = Failure(retry_at=NOW + timedelta(seconds=10), error="boom", failing_since=NOW,
                      incident="abcd1234", reported_at=None)
    async with uows() as uow:
        assert await uow.repo.jobs.failed(job.id, "a", failure)
        await uow.commit()
    [twin] = await _claim(uows, "a")
    assert twin.id != job.id and twin.incident is None
    async with uows() as uow:
        await uow.repo.jobs.done([twin.id], "a", NOW)
        await uow.commit()
    assert await _claim(uows, "a", NOW + timedelta(minutes=5)) == []  # the first was dropped


async def test_lapsed_and_due_jobs_are_claimed_together_oldest_first_up_to_the_limit(uows):
    await _queue(uows, ("react", "w2"))  # ran first, by an instance that died
    [lost] = await _claim(uows, "a")
    for n in range(3):
        async with uows() as uow:
            await uow.repo.jobs.enqueue([NewJob("react", {"n": n}, "w1",
                                                due_at=NOW + timedelta(seconds=n))])
            await uow.commit()
    later = NOW + LEASE * 2
    first = await _claim(uows, "b", later, limit=2)
    assert first[0].id == lost.id and [j.payload.get("n") for j in first] == [None, 0]
    rest = await _claim(uows, "b", later, limit=5)
    assert [j.payload["n"] for j in rest] == [1, 2]
