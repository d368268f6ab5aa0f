"""Reading the board, and changing single cards by reference."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dpflow.domain import rules
from dpflow.domain.errors import NotAllowed, UserError
from dpflow.domain.model import Board, CardKind, Stage
from dpflow.services import jobs
from dpflow.services.cards import remove
from dpflow.services.context import Actor, active_workshop
from dpflow.store.models import CardRow, WorkshopRow
from dpflow.store.repo import Repository
from dpflow.store.uow import UnitOfWorkFactory


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
    async with uows() as uow:
        return await uow.repo.board(await active_workshop(uow.repo, actor))


async def status(uows: UnitOfWorkFactory, actor: Actor) -> Status:
    async with uows() as uow:
        workshop = await active_workshop(uow.repo, actor)
        run = await uow.repo.current_run(workshop.id)
        return Status(await uow.repo.board(workshop), Stage(workshop.stage),
                      run.deadline if run else None, len(await uow.repo.members(workshop.id)))


async def edit_card(uows: UnitOfWorkFactory, actor: Actor, ref: str, text: str) -> str:
    async with uows() as uow:
        workshop, card = await _own_card(uow.repo, actor, ref, "edit")
        card.text = text[:300]
        await _refresh(uow.repo, workshop)
        await uow.commit()
        return f"{card.ref} {card.text}"


async def delete_card(uows: UnitOfWorkFactory, actor: Actor, ref: str,
                      confirmed: bool) -> Deletion:
    """Deletes at once, unless other cards depend on it and nobody confirmed yet."""
    async with uows() as uow:
        workshop, card = await _own_card(uow.repo, actor, ref, "delete")
        dependents = rules.dependents(await uow.repo.board(workshop), card.ref)
        if dependents and not confirmed:
            return Deletion(card.ref, [], dependents)
        removed = await remove(uow.repo, card)
        await _refresh(uow.repo, workshop)
        await uow.commit()
        return Deletion(card.ref, removed, dependents)


async def move_event(uows: UnitOfWorkFactory, actor: Actor, ref: str, where: str,
                     anchor: str) -> list[str]:
    """`move E5 after E2`: the timeline in its new order."""
    async with uows() as uow:
        workshop, card = await _own_card(uow.repo, actor, ref, "move")
        target = await _card(uow.repo, workshop, anchor)
        if CardKind.EVENT not in (card.kind, target.kind) or card.kind != target.kind:
            raise UserError("Only events move on the timeline.", "/dpflow move E5 after E2")
        if target.id == card.id:
            raise UserError(f"{card.ref} cannot move {where} itself.", "/dpflow move E5 after E2")
        events = [c for c in await uow.repo.cards(workshop.id) if c.kind == CardKind.EVENT]
        order = [c for c in events if c.id != card.id]
        at = order.index(target) + (1 if where == "after" else 0)
        order.insert(at, card)
        await uow.repo.renumber_events([c.id for c in order])
        await _refresh(uow.repo, workshop)
        await uow.commit()
        return [c.ref for c in order]


async def _own_card(repo: Repository, actor: Actor, ref: str,
                    verb: str) -> tuple[WorkshopRow, CardRow]:
    workshop = await active_workshop(repo, actor)
    card = await _card(repo, workshop, ref)
    facilitators = await repo.facilitators(workshop.id)
    if not rules.can_change(card.author, actor.user_id, facilitators):
        raise NotAllowed(f"{card.ref} was added by <@{card.author}>; only its author or a "
                         f"facilitator can {verb} it.", "/dpflow list")
    return workshop, card


async def _card(repo: Repository, workshop: WorkshopRow, ref: str) -> CardRow:
    card = await repo.card(workshop.id, ref.strip())
    if card is None:
        raise UserError(f"There is no {ref.strip()[:20]} on this board.", "/dpflow list")
    return card


async def _refresh(repo: Repository, workshop: WorkshopRow) -> None:
    run = await repo.current_run(workshop.id)
    if run is not None:
        await jobs.refresh_stage(repo, run)
