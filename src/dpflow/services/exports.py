"""Exports of a workshop from the database, in every format of `render.formats`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dpflow.domain.errors import UserError
from dpflow.domain.model import Board
from dpflow.render.formats import NAMES, Files, Format, format_named, zipped
from dpflow.render.text import file_stem
from dpflow.services import jobs
from dpflow.services.context import Actor
from dpflow.services.jobs import Job
from dpflow.store.uow import UnitOfWorkFactory

FORM = f"/dpflow export {NAMES} [channel]"


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: str | bytes


def chosen(name: str) -> Format:
    """The format a person asked for, or why there is none by that name."""
    fmt = format_named(name)
    if fmt is None:
        said = f"There is no export format `{name[:20]}`" if name else "Say which format"
        raise UserError(f"{said}: json (dpflow/v1), md (the canvases), odps (Open Data "
                        "Product Standard), odcs (a data contract per output port), "
                        "eventcatalog (a folder for EventCatalog) or html (a one-page report).",
                        FORM)
    return fmt


def exportable(board: Board, fmt: Format) -> Board:
    """The board, unless this format would come out empty (then a clear answer)."""
    reason = fmt.needs(board)
    if reason:
        raise UserError(reason)
    return board


async def board_of_channel(uows: UnitOfWorkFactory, channel_id: str,
                           team_id: str | None) -> Board:
    """The board of the workshop that is, or was last, active in the channel."""
    async with uows.read() as uow:
        workshop = await uow.repo.latest_workshop(channel_id, team_id)
        if workshop is None:
            raise UserError(f"No workshop has run in channel {channel_id}.")
        return await uow.repo.board(workshop)


async def board_of_workshop(uows: UnitOfWorkFactory, workshop_id: str) -> Board:
    async with uows.read() as uow:
        return await uow.repo.board(await uow.repo.workshop(workshop_id))


async def request(uows: UnitOfWorkFactory, actor: Actor, name: str,
                  to_channel: bool) -> tuple[str, Format]:
    """`/dpflow export <format> [channel]`: queue the upload; the workshop's name and the
    format."""
    fmt = chosen(name)
    async with uows() as uow:
        workshop = await uow.repo.latest_workshop(actor.channel_id, actor.team_id)
        if workshop is None:
            raise UserError("No workshop has run in this channel yet.",
                            "/dpflow start <name> [domain: <domain>]")
        exportable(await uow.repo.board(workshop), fmt)
        await jobs.queue(uow.repo, Job.EXPORT, jobs.Export(
            workshop=workshop.id, format=fmt.name, user=actor.user_id,
            channel=actor.channel_id if to_channel else None))
        await uow.commit()
        return workshop.name, fmt


def packaged(board: Board, fmt: Format, names: Mapping[str, str]) -> ExportFile:
    """One file to upload: the export itself, or a folder format as a zip."""
    stem = file_stem(board.workshop.name) + fmt.suffix
    rendered = fmt.render(board, names)
    if fmt.folder:
        return ExportFile(f"{stem}.zip", zipped(rendered, stem))
    return ExportFile(stem, rendered)


def write(rendered: str | Files, path: Path) -> None:
    """A text to its file, or a folder format's files under the folder."""
    if isinstance(rendered, str):
        path.write_text(rendered, encoding="utf-8")
        return
    for relative, text in rendered.items():
        (path / relative).parent.mkdir(parents=True, exist_ok=True)
        (path / relative).write_text(text, encoding="utf-8")
