"""What the follow-ups need to post about a stage: its board, summary and people."""

from __future__ import annotations

from dataclasses import dataclass

from dpflow.domain.errors import UserError
from dpflow.domain.model import Board, CardKind, Stage, StageRun, Workshop
from dpflow.domain.summary import StageSummary, summarize
from dpflow.services.context import Actor, scoped
from dpflow.store.models import StageRunRow, WorkshopRow
from dpflow.store.repo import run_of
from dpflow.store.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class StageView:
    run: StageRun
    board: Board  # whole, or for the stage message only the first cards of each kind
    sizes: dict[CardKind, int]  # of the whole board

    @classmethod
    def of(cls, run: StageRunRow, board: Board) -> StageView:
        """A stage with its whole board."""
        return cls(run_of(run), board, board.sizes())

    @property
    def stage(self) -> Stage:
        return self.run.stage

    @property
    def workshop(self) -> Workshop:
        return self.board.workshop


async def view(uows: UnitOfWorkFactory, run_id: int) -> StageView:
    async with uows.read() as uow:
        run = await uow.repo.run(run_id)
        return await message_view(uow, run, await uow.repo.workshop(run.workshop_id))


async def message_view(uow: UnitOfWork, run: StageRunRow, workshop: WorkshopRow) -> StageView:
    """What a stage's messages show: how many cards of each kind, and an example from a few
    of them. A stage message is refreshed after every change and a reminder goes to each
    person: their cost must not grow with the board."""
    return StageView(run_of(run), await uow.boards.sample(workshop),
                     await uow.boards.sizes(workshop.id))


async def to_add(uows: UnitOfWorkFactory, actor: Actor, run_id: int) -> StageView:
    """The stage an Add button opens a form for, if it is still open and the person acts
    where its workshop lives."""
    async with uows.read() as uow:
        run = await uow.repo.run(run_id)
        workshop = await scoped(uow.repo, actor, run.workshop_id if run else "")
        if run.closed_at is not None or not workshop.active:
            raise UserError(f"The *{run.stage}* stage is closed; the workshop is at "
                            f"*{workshop.stage}*.", "/dpflow status")
        return StageView.of(run, (await uow.boards.whole(workshop, [])).board)


async def posted(uows: UnitOfWorkFactory, run_id: int, ts: str) -> None:
    """The stage message is in the channel: its thread now collects the stage."""
    async with uows() as uow:
        (await uow.repo.run(run_id)).message_ts = ts
        await uow.commit()


async def summary(uows: UnitOfWorkFactory, run_id: int) -> tuple[StageView, StageSummary]:
    async with uows.read() as uow:
        run = await uow.repo.run(run_id)
        workshop = await uow.repo.workshop(run.workshop_id)
        board = await uow.repo.board(workshop)
        contributed = await uow.repo.contributions(run)
        fixes = await uow.repo.fixes_applied(run)
        return StageView.of(run, board), summarize(board, Stage(run.stage), contributed,
                                                          fixes)


@dataclass(frozen=True)
class Closing:
    board: Board
    threads: dict[str, str]  # stage → message ts of its (last) thread
    canvases: dict[str, str]  # DP ref → canvas id


async def team_of(uows: UnitOfWorkFactory, workshop_id: str) -> str:
    """A workshop's team: it never changes, so each process reads it once."""
    if workshop_id not in uows.teams:
        async with uows.read() as uow:
            uows.teams[workshop_id] = (await uow.repo.workshop(workshop_id)).team_id
    return uows.teams[workshop_id]


async def closing(uows: UnitOfWorkFactory, workshop_id: str) -> Closing:
    async with uows.read() as uow:
        row = await uow.repo.workshop(workshop_id)
        board = await uow.repo.board(row)
        threads = {r.stage: r.message_ts for r in await uow.repo.runs(workshop_id)
                   if r.message_ts}
        canvases = await uow.repo.canvases_by_ref(workshop_id)
        return Closing(board, threads, canvases)


@dataclass(frozen=True)
class Facilitation:
    name: str
    team_id: str
    channel_id: str
    facilitators: list[str]


async def facilitation(uows: UnitOfWorkFactory, workshop_id: str) -> Facilitation:
    """Who runs a workshop, to tell them what only they can act on."""
    async with uows() as uow:
        row = await uow.repo.workshop(workshop_id)
        return Facilitation(row.name, row.team_id, row.channel_id,
                            await uow.repo.facilitators(workshop_id))
