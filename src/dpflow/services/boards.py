"""Reading the board, and changing single cards by reference."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dpflow.domain import rules
from dpflow.domain.changes import Changes, Needs, needs, needs_to_edit
from dpflow.domain.errors import NotAllowed, UserError
from dpflow.domain.model import Board, Stage
from dpflow.services import jobs
from dpflow.services.context import Actor, active_workshop
from dpflow.store.boards import Stored
from dpflow.store.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class Status:
    board: Board
    stage: Stage
    deadline: datetime | None
    participants: int


@dataclass(frozen=True)
class Deletion:
    ref: str
    removed: list[str]  # empty until confirmed when others depend on the card
    dependents: list[str]


async def current_board(uows: UnitOfWorkFactory, actor: Actor) -> Board:
    async with uows.read() as uow:
        return await uow.repo.board(await active_workshop(uow.repo, actor))


async def to_choose_from(uows: UnitOfWorkFactory, actor: Actor) -> Board:
    """The board's cards and links without its findings (after the review, checking them
    again costs as much as reading the board): what a form's selects offer."""
    async with uows.read() as uow:
        return (await uow.boards.whole(await active_workshop(uow.repo, actor), [])).board


async def status(uows: UnitOfWorkFactory, actor: Actor) -> Status:
    async with uows.read() as uow:
        workshop = await active_workshop(uow.repo, actor)
        run = await uow.repo.current_run(workshop.id)
        return Status(await uow.repo.board(workshop), Stage(workshop.stage),
                      run.deadline if run else None, len(await uow.repo.members(workshop.id)))


async def edit_card(uows: UnitOfWorkFactory, actor: Actor, ref: str, text: str) -> str:
    async with uows() as uow:
        stored, changes = await _own_card(uow, actor, ref, "edit",
                                          needs_to_edit(_ref(ref), text[:300]))
        card = changes.edit(ref, text[:300])
        await _save(uow, stored, changes)
        return f"{card.ref} {text[:300]}"


async def delete_card(uows: UnitOfWorkFactory, actor: Actor, ref: str,
                      confirmed: bool) -> Deletion:
    """Deletes at once, unless other cards depend on it and nobody confirmed yet."""
    async with uows() as uow:
        stored, changes = await _own_card(uow, actor, ref, "delete",
                                          needs([], removing=[_ref(ref)]))
        card = stored.board.card(ref.strip())
        dependents = rules.dependents(stored.board, card.ref)
        if dependents and not confirmed:
            return Deletion(card.ref, [], dependents)
        removed = changes.remove(card.ref)
        await _save(uow, stored, changes)
        return Deletion(card.ref, removed, dependents)


async def move_event(uows: UnitOfWorkFactory, actor: Actor, ref: str, where: str,
                     anchor: str) -> list[str]:
    """`move E5 after E2`: the timeline in its new order."""
    async with uows() as uow:
        stored, changes = await _own_card(uow, actor, ref, "move")
        order = changes.move_event(ref, where, anchor)
        await _save(uow, stored, changes)
        return order


async def _own_card(uow: UnitOfWork, actor: Actor, ref: str, verb: str,
                    needed: Needs | None = None) -> tuple[Stored, Changes]:
    """The board (or the slice of it that `needed` names), for changing card `ref`, which
    the actor must have added or facilitate."""
    workshop = await active_workshop(uow.repo, actor)
    facilitators = await uow.repo.facilitators(workshop.id)
    if needed is None:
        stored = await uow.boards.whole(workshop, facilitators)
    else:
        stored = await uow.boards.slice(workshop, needed, linked=True,
                                        facilitators=facilitators)
    card = stored.board.card(ref.strip())
    if card is None:
        raise UserError(f"There is no {ref.strip()[:20]} on this board.", "/dpflow list")
    if not rules.can_change(card.author, actor.user_id, stored.board.workshop.facilitators):
        raise NotAllowed(f"{card.ref} was added by <@{card.author}>; only its author or a "
                         f"facilitator can {verb} it.", "/dpflow list", people=(card.author,))
    return stored, Changes(stored.board, actor.user_id, refs=None)


def _ref(ref: str) -> str:
    return ref.strip().upper()


async def _save(uow: UnitOfWork, stored: Stored, changes: Changes) -> None:
    workshop = stored.board.workshop
    await uow.boards.save(stored, changes.change, workshop.stage)
    run = await uow.repo.current_run(workshop.id)
    if run is not None:
        await jobs.refresh_stage(uow.repo, workshop.id, run.id, Stage(run.stage),
                                 changes.author)
    await uow.commit()
