"""What every use case gets to know about who asks, and where."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from dpflow.domain.changes import Changes, Numbering, new_cards
from dpflow.domain.errors import NotAllowed, UserError
from dpflow.store.boards import Stored
from dpflow.store.models import StageRunRow, WorkshopRow
from dpflow.store.repo import Repository
from dpflow.store.uow import UnitOfWork

T = TypeVar("T")


@dataclass(frozen=True)
class Actor:
    team_id: str
    channel_id: str
    user_id: str


async def active_workshop(repo: Repository, actor: Actor) -> WorkshopRow:
    workshop = await repo.active_workshop(actor.team_id, actor.channel_id)
    if workshop is None:
        raise UserError("There is no workshop running in this channel.",
                        "/dpflow start <name> [domain: <domain>]")
    return workshop


async def scoped(repo: Repository, actor: Actor, workshop_id: str) -> WorkshopRow:
    """The workshop a button or form names, if the person acts where it lives: in its team
    and its channel, or (from the Home tab or a direct message, which have no channel of
    the workshop) as one of its members. What Slack signed decides, not what the payload
    names."""
    workshop = await repo.workshop(workshop_id)
    if workshop is None or workshop.team_id != actor.team_id:
        raise NotAllowed("That workshop is not in this workspace.", "/dpflow status")
    if actor.channel_id and actor.channel_id != workshop.channel_id:
        raise NotAllowed("That button belongs to a workshop in another channel.",
                         "/dpflow status")
    if not actor.channel_id and await repo.member(workshop.id, actor.user_id) is None:
        raise NotAllowed(f"You do not take part in *{workshop.name}*: join it from its "
                         "channel first.")
    return workshop


async def current_run(repo: Repository, workshop: WorkshopRow) -> StageRunRow:
    run = await repo.current_run(workshop.id)
    if run is None:  # only between `close` and nothing: a closed workshop is not active
        raise UserError("This workshop has no open stage.", "/dpflow stage <name>")
    return run


async def require_facilitator(repo: Repository, workshop: WorkshopRow, user_id: str,
                              what: str) -> None:
    facilitators = await repo.facilitators(workshop.id)
    if user_id not in facilitators:
        who = ", ".join(f"<@{u}>" for u in facilitators)
        raise NotAllowed(f"Only facilitators can {what}. The facilitators here: {who}.",
                         "ask one of them, or ask to be added: /dpflow facilitator add @you",
                         people=tuple(facilitators))


async def change_board(uow: UnitOfWork, stored: Stored, author: str,
                       work: Callable[[Changes], T]) -> tuple[Changes, T]:
    """Run `work` on the board with references for the cards it makes: counted on a copy,
    reserved in the store, then given out in order."""
    counts = new_cards(stored.board, author, work)
    bases = await uow.boards.take_refs(stored.board.workshop.id, counts)
    changes = Changes(stored.board, author, Numbering(bases))
    return changes, work(changes)
