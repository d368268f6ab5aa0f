"""Importing a board from a room workshop into the channel's workshop, or into a new one it
starts: every sticky that can be placed, in one transaction with its sources and the stage
message's refresh, or nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dpflow.domain import importing
from dpflow.domain.errors import UserError
from dpflow.domain.grammar import format_line
from dpflow.domain.importing import Imported, Kind
from dpflow.domain.model import Stage, Workshop
from dpflow.domain.stickies import Sticky
from dpflow.services import jobs, workshops
from dpflow.services.context import Actor, change_board, current_run, require_facilitator
from dpflow.store.boards import Source, workshop_of
from dpflow.store.models import WorkshopRow
from dpflow.store.repo import Repository
from dpflow.store.uow import UnitOfWorkFactory

# An import fills the timeline and its flow: what a room workshop stormed
STAGES = (Stage.EVENTS, Stage.FLOW)


@dataclass(frozen=True)
class FromForm:
    """An import sent from the form: once per form, into the workshop it was opened for."""

    view_id: str
    workshop: str | None  # None: the form was opened to start one


@dataclass(frozen=True)
class Outcome:
    workshop: Workshop
    started: bool  # the import started the workshop
    imported: Imported


async def target(uows: UnitOfWorkFactory, actor: Actor) -> Workshop | None:
    """The workshop an import by `actor` would fill; None where none runs (the import starts
    one, facilitated by the actor). Refused for anyone but its facilitators, and once the
    workshop is past the flow."""
    async with uows.read() as uow:
        workshop = await uow.repo.active_workshop(actor.team_id, actor.channel_id)
        if workshop is not None:
            await _may_import(uow.repo, workshop, actor)
        return workshop_of(workshop) if workshop else None


async def run(uows: UnitOfWorkFactory, actor: Actor, stickies: list[Sticky],
              mapping: Mapping[str, Kind], *, name: str, domain: str | None = None,
              form: FromForm | None = None, dry_run: bool = False) -> Outcome | None:
    """Import `stickies` read with `mapping`; None when this form was handled before.
    `name` and `domain` are the new workshop's, where none runs."""
    plan = importing.plan(stickies, mapping)
    async with uows() as uow:
        if form is not None and not await uow.repo.first_delivery(f"view:{form.view_id}"):
            return None
        workshop = await uow.repo.active_workshop(actor.team_id, actor.channel_id)
        if form is not None and (workshop.id if workshop else None) != form.workshop:
            raise UserError("The channel's workshop changed while the form was open; nothing "
                            "was stored. Run `/dpflow import` again.")
        started = workshop is None
        if started:
            workshop = await workshops.create(uow.repo, actor, name, domain)
        else:
            await _may_import(uow.repo, workshop, actor)
        stored = await uow.boards.whole(workshop, [])
        changes, imported = await change_board(uow, stored, actor.user_id,
                                               lambda board: importing.apply(board, plan))
        sources = [Source(actor.channel_id, None, i, format_line(line), actor.user_id, done)
                   for i, (line, done) in enumerate(imported.done, 1)]
        await uow.boards.save(stored, changes.change, Stage(workshop.stage), sources)
        if not started:  # a new workshop's stage message is posted with the board as it is
            stage_run = await current_run(uow.repo, workshop)
            await jobs.refresh_stage(uow.repo, workshop.id, stage_run.id, Stage(stage_run.stage))
        if not dry_run:
            await uow.commit()
        return Outcome(workshop_of(workshop), started, imported)


async def shell_actor(uows: UnitOfWorkFactory, channel_id: str, team_id: str | None,
                      user_id: str | None) -> Actor:
    """Who `dpflow import` acts as: the person named, else whoever started the channel's
    latest workshop, in its workspace."""
    async with uows.read() as uow:
        latest = await uow.repo.latest_workshop(channel_id, team_id)
    team = team_id or (latest.team_id if latest else None)
    user = user_id or (latest.created_by if latest else None)
    if not (team and user):
        raise UserError(f"No workshop has run in {channel_id} yet: say which workspace and who "
                        "facilitates the one the import starts, with --team T123 "
                        "--facilitator U123 (their Slack member ID).")
    return Actor(team, channel_id, user)


async def _may_import(repo: Repository, workshop: WorkshopRow, actor: Actor) -> None:
    await require_facilitator(repo, workshop, actor.user_id, "import a board")
    if Stage(workshop.stage) not in STAGES:
        raise UserError(f"*{workshop.name}* is at *{workshop.stage}*. An import fills the "
                        "events and their flow, so it goes in while the workshop is at "
                        "events or flow; go back there first if you need it.",
                        "/dpflow stage flow")
