"""Starting, moving through and closing a workshop; its people."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from dpflow.domain.errors import UserError
from dpflow.domain.model import STAGES, Stage, Workshop
from dpflow.services import jobs
from dpflow.services.context import (
    Actor,
    active_workshop,
    current_run,
    require_facilitator,
    scoped,
)
from dpflow.services.jobs import Job
from dpflow.services.review import run_review
from dpflow.store.boards import workshop_of
from dpflow.store.models import StageRunRow, WorkshopRow
from dpflow.store.repo import Repository
from dpflow.store.uow import UnitOfWorkFactory

USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class Moved:
    workshop: Workshop
    closed: str | None  # the stage that closed
    opened: str | None  # the stage that opened


async def start(uows: UnitOfWorkFactory, actor: Actor, name: str,
                domain: str | None) -> Workshop:
    async with uows() as uow:
        workshop = await create(uow.repo, actor, name, domain)
        await uow.commit()
        return workshop_of(workshop)


async def create(repo: Repository, actor: Actor, name: str, domain: str | None) -> WorkshopRow:
    """A new workshop in the actor's channel, at its first stage, facilitated by the actor."""
    running = await repo.active_workshop(actor.team_id, actor.channel_id)
    if running is not None:
        raise UserError(
            f"*{running.name}* is already running in this channel (stage {running.stage})."
            " One channel holds one workshop at a time: close it first, or start the new "
            "one in another channel.", "/dpflow close")
    workshop = WorkshopRow(id=uuid.uuid4().hex[:12], team_id=actor.team_id,
                           channel_id=actor.channel_id, name=name, domain=domain,
                           stage=Stage.EVENTS.value, active=True, created_by=actor.user_id)
    repo.add(workshop)
    await repo.flush()
    await repo.join(workshop.id, actor.user_id, facilitator=True)
    await _open(repo, workshop, Stage.EVENTS, actor.user_id)
    return workshop


async def next_stage(uows: UnitOfWorkFactory, actor: Actor, after: str | None = None) -> Moved:
    """`after`: the stage a button was pressed in; the workshop may have moved on since."""
    async with uows() as uow:
        workshop = await active_workshop(uow.repo, actor)
        await require_facilitator(uow.repo, workshop, actor.user_id,
                                  "move the workshop to the next stage")
        if after and after != workshop.stage:
            raise UserError(f"The workshop has already moved on from *{after}*: it is at "
                            f"*{workshop.stage}*.", "/dpflow status")
        following = Stage(workshop.stage).next
        if following is None:
            raise UserError("This is the last stage. When the canvases are done, close the "
                            "workshop.", "/dpflow close")
        moved = await _move(uow.repo, workshop, following, actor.user_id)
        await uow.commit()
        return moved


async def go_to(uows: UnitOfWorkFactory, actor: Actor, name: str) -> Moved:
    async with uows() as uow:
        workshop = await active_workshop(uow.repo, actor)
        await require_facilitator(uow.repo, workshop, actor.user_id, "change the stage")
        stage = parse_stage(name)
        if stage == Stage(workshop.stage) and stage != Stage.REVIEW:
            raise UserError(f"The workshop is already at *{stage}*.", "/dpflow next")
        moved = await _move(uow.repo, workshop, stage, actor.user_id)
        await uow.commit()
        return moved


async def close(uows: UnitOfWorkFactory, actor: Actor) -> Workshop:
    async with uows() as uow:
        workshop = await active_workshop(uow.repo, actor)
        await require_facilitator(uow.repo, workshop, actor.user_id, "close the workshop")
        run = await uow.repo.current_run(workshop.id)
        if run is not None:
            await _close(uow.repo, run)
        workshop.active, workshop.closed_at = False, uow.now()
        await jobs.recheck_now(uow.repo, workshop.id)
        await jobs.queue(uow.repo, Job.WORKSHOP_SUMMARY, jobs.Payload(workshop=workshop.id))
        await uow.commit()
        return workshop_of(workshop)


async def add_facilitator(uows: UnitOfWorkFactory, actor: Actor, text: str) -> str:
    users = USER_MENTION.findall(text)
    if not users:
        raise UserError("Name the person with an @-mention.", "/dpflow facilitator add @user")
    async with uows() as uow:
        workshop = await active_workshop(uow.repo, actor)
        await require_facilitator(uow.repo, workshop, actor.user_id, "add facilitators")
        for user in users:
            await uow.repo.join(workshop.id, user, facilitator=True)
        await uow.commit()
    return ", ".join(f"<@{u}>" for u in users)


async def join(uows: UnitOfWorkFactory, actor: Actor, workshop_id: str) -> Workshop:
    async with uows() as uow:
        workshop = await scoped(uow.repo, actor, workshop_id)
        await uow.repo.join(workshop.id, actor.user_id)
        await uow.commit()
        return workshop_of(workshop)


async def set_muted(uows: UnitOfWorkFactory, actor: Actor, workshop_id: str,
                    muted: bool) -> None:
    async with uows() as uow:
        workshop = await scoped(uow.repo, actor, workshop_id)
        (await uow.repo.join(workshop.id, actor.user_id)).muted = muted
        await uow.commit()


def parse_stage(name: str) -> Stage:
    text = name.strip().lower()
    if text.isdigit() and 1 <= int(text) <= len(STAGES):
        return STAGES[int(text) - 1]
    try:
        return Stage(text)
    except ValueError:
        raise UserError(f"There is no stage called `{name.strip()}`. The stages, in order: "
                        + ", ".join(STAGES) + ".", "/dpflow stage flow") from None


async def _move(repo: Repository, workshop: WorkshopRow, stage: Stage, user: str) -> Moved:
    run = await current_run(repo, workshop)
    await _close(repo, run)
    await _open(repo, workshop, stage, user)
    return Moved(workshop_of(workshop), run.stage, stage.value)


async def _open(repo: Repository, workshop: WorkshopRow, stage: Stage, user: str) -> None:
    workshop.stage = stage.value
    run = StageRunRow(workshop_id=workshop.id, stage=stage.value,
                      channel_id=workshop.channel_id, opened_by=user, opened_at=repo.now())
    repo.add(run)
    await repo.flush()
    await jobs.post(repo, Job.POST_STAGE, run)
    if stage == Stage.REVIEW:
        await run_review(repo, workshop)
        await jobs.post(repo, Job.POST_FINDINGS, run)
    if stage == Stage.CANVASES:
        await jobs.post(repo, Job.POST_CANVASES, run)
        await jobs.redraw_pictures(repo, workshop.id, delay=timedelta(0))


async def _close(repo: Repository, run: StageRunRow) -> None:
    run.closed_at = repo.now()
    await jobs.drop(repo, run, (*jobs.REMINDER_JOBS, Job.REFRESH_STAGE))
    await jobs.post(repo, Job.POST_SUMMARY, run)
