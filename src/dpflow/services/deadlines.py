"""Stage deadlines and what they set going: reminders in the thread, DM nudges on the last
day, and at the deadline the summary and a call to move on (SPEC §7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dpflow.domain.deadlines import parse_when, reminder_times
from dpflow.domain.model import Stage
from dpflow.services import jobs
from dpflow.services.context import Actor, active_workshop, current_run, require_facilitator
from dpflow.services.jobs import Job
from dpflow.services.stages import StageView, message_view
from dpflow.store.models import StageRunRow
from dpflow.store.repo import Repository
from dpflow.store.uow import UnitOfWorkFactory

LAST_DAY = timedelta(hours=24)


@dataclass(frozen=True)
class Due:
    stage: Stage
    deadline: datetime | None  # None: removed
    tz: str  # the asker's, to show it back


@dataclass(frozen=True)
class Reminder:
    view: StageView
    pinged: list[str]  # mentioned now
    counted: list[str]  # still missing, but already mentioned for this stage today


async def set_due(uows: UnitOfWorkFactory, actor: Actor, text: str, now: datetime,
                  tz: str) -> Due:
    """`/dpflow due <when>`: (re)plans the stage's reminders, or drops them for `off`."""
    async with uows() as uow:
        workshop = await active_workshop(uow.repo, actor)
        await require_facilitator(uow.repo, workshop, actor.user_id, "set the stage deadline")
        run = await current_run(uow.repo, workshop)
        deadline = parse_when(text, now, tz)
        run.deadline, run.deadline_set_by = deadline, actor.user_id
        await jobs.drop(uow.repo, run, jobs.REMINDER_JOBS)
        if deadline is not None:
            await _plan(uow.repo, run, deadline, now)
        await jobs.refresh_stage(uow.repo, workshop.id, run.id, Stage(run.stage))
        await uow.commit()
        return Due(Stage(run.stage), deadline, tz)


async def _plan(repo: Repository, run: StageRunRow, deadline: datetime, now: datetime) -> None:
    for label, at in reminder_times(deadline, now):
        kind = Job.DEADLINE if label == "deadline" else Job.REMINDER
        await _at(repo, kind, run, at, label=label)
    # who gets a DM, and when, is settled on the last day: people join and contribute
    await _at(repo, Job.NUDGE, run, max(now, deadline - LAST_DAY))


async def _at(repo: Repository, kind: Job, run: StageRunRow, at: datetime, **payload) -> None:
    await jobs.queue(repo, kind, jobs.PAYLOADS[kind](workshop=run.workshop_id, run=run.id,
                                                     **payload), due_at=at)


async def request_summary(uows: UnitOfWorkFactory, actor: Actor) -> None:
    """`/dpflow summary`: the current stage's summary goes to its thread."""
    async with uows() as uow:
        run = await current_run(uow.repo, await active_workshop(uow.repo, actor))
        await jobs.post(uow.repo, Job.STAGE_SUMMARY, run)
        await uow.commit()


async def reminder(uows: UnitOfWorkFactory, run_id: int, now: datetime) -> Reminder | None:
    """Who a reminder names: participants with nothing in this stage yet, each mentioned at
    most once per stage and day. None when the stage has closed or lost its deadline."""
    async with uows() as uow:
        repo = uow.repo
        run = await repo.run(run_id)
        if run.closed_at is not None or run.deadline is None:
            return None
        pinged, counted = [], []
        for user in await _missing(repo, run):
            fresh = await repo.mention_once(run.workshop_id, run.stage, user,
                                            now.date().isoformat())
            (pinged if fresh else counted).append(user)
        workshop = await repo.workshop(run.workshop_id)
        view = await message_view(uow, run, workshop)
        await uow.commit()
        return Reminder(view, pinged, counted)


async def to_nudge(uows: UnitOfWorkFactory, run_id: int,
                   user: str | None = None) -> tuple[StageView | None, list[str]]:
    """Participants (or just `user`) still missing from an open stage, DMs not muted."""
    async with uows.read() as uow:
        repo = uow.repo
        run = await repo.run(run_id)
        if run.closed_at is not None or run.deadline is None:
            return None, []
        muted = {m.user_id for m in await repo.members(run.workshop_id) if m.muted}
        users = [u for u in await _missing(repo, run)
                 if u not in muted and user in (None, u)]
        workshop = await repo.workshop(run.workshop_id)
        return await message_view(uow, run, workshop), users


async def plan_nudges(uows: UnitOfWorkFactory, run_id: int,
                      moments: dict[str, datetime]) -> None:
    """One DM job per person, at a moment inside their own working hours, and once per
    deadline: a planner run again (its instance died after this commit) plans nobody twice."""
    async with uows() as uow:
        run = await uow.repo.run(run_id)
        deadline = str(int(run.deadline.timestamp()))  # fits the mentions' `day`
        for user, at in moments.items():
            if await uow.repo.mention_once(run.workshop_id, f"{run.stage}:dm", user, deadline):
                await _at(uow.repo, Job.NUDGE, run, at, user=user)
        await uow.commit()


async def _missing(repo: Repository, run: StageRunRow) -> list[str]:
    """Participants — people who contributed to the workshop or pressed Join; a facilitator
    who only facilitates is not one — without a contribution to this stage run. Nobody
    contributes to the review: the facilitators decide its fixes."""
    if run.stage == Stage.REVIEW:
        return []
    contributed = {author for author, _ in await repo.contributions(run)}
    missing = []
    for member in await repo.members(run.workshop_id):
        if member.user_id in contributed:
            continue
        if member.facilitator and not await repo.contribution_count(run.workshop_id,
                                                                    member.user_id):
            continue
        missing.append(member.user_id)
    return missing
