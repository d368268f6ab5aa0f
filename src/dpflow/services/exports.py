"""Exports of a workshop from the database: json (dpflow/v1), md (canvases), odps (YAML)."""

from __future__ import annotations

from dataclasses import dataclass

from dpflow.domain.errors import UserError
from dpflow.domain.model import Board
from dpflow.render.export import to_json, to_markdown, to_odps
from dpflow.render.text import file_stem
from dpflow.services import jobs
from dpflow.services.context import Actor
from dpflow.services.jobs import Job
from dpflow.store.db import make_engine, migrate, session_factory
from dpflow.store.uow import UnitOfWorkFactory

RENDER = {"json": to_json, "md": to_markdown, "odps": to_odps}
SUFFIX = {"json": ".json", "md": "-canvases.md", "odps": "-odps.yaml"}
FORM = "/dpflow export json|md|odps [channel]"


@dataclass(frozen=True)
class ExportFile:
    board: Board
    filename: str
    text: str


def render(board: Board, fmt: str) -> str:
    return RENDER[fmt](board)


async def board_of_channel(uows: UnitOfWorkFactory, channel_id: str,
                           team_id: str | None) -> Board:
    """The board of the workshop that is, or was last, active in the channel."""
    async with uows() as uow:
        workshop = await uow.repo.latest_workshop(channel_id, team_id)
        if workshop is None:
            raise UserError(f"No workshop has run in channel {channel_id}.")
        return await uow.repo.board(workshop)


async def request(uows: UnitOfWorkFactory, actor: Actor, fmt: str, to_channel: bool) -> str:
    """`/dpflow export <format> [channel]`: queue the upload; the workshop's name."""
    if fmt not in RENDER:
        said = f"There is no export format `{fmt[:20]}`" if fmt else "Say which format"
        raise UserError(f"{said}: json (dpflow/v1), md (the canvases) or odps (Open Data "
                        "Product Standard YAML).", FORM)
    async with uows() as uow:
        workshop = await uow.repo.latest_workshop(actor.channel_id, actor.team_id)
        if workshop is None:
            raise UserError("No workshop has run in this channel yet.",
                            "/dpflow start <name> [domain: <domain>]")
        await jobs.queue(uow.repo, Job.EXPORT, jobs.Export(
            workshop=workshop.id, format=fmt, user=actor.user_id,
            channel=actor.channel_id if to_channel else None))
        await uow.commit()
        return workshop.name


async def export_file(uows: UnitOfWorkFactory, workshop_id: str, fmt: str) -> ExportFile:
    async with uows() as uow:
        board = await uow.repo.board(await uow.repo.workshop(workshop_id))
    return ExportFile(board, file_stem(board.workshop.name) + SUFFIX[fmt], render(board, fmt))


async def export_channel(database_url: str, channel_id: str, team_id: str | None,
                         fmt: str) -> str:
    """`dpflow export`: straight from the database, no Slack needed."""
    engine = make_engine(database_url)
    try:
        await migrate(engine)
        board = await board_of_channel(UnitOfWorkFactory(session_factory(engine)),
                                       channel_id, team_id)
        return render(board, fmt)
    finally:
        await engine.dispose()
