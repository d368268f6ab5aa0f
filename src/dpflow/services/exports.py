"""Exports of a workshop from the database: json (dpflow/v1), md (canvases), odps (YAML)."""

from __future__ import annotations

from dpflow.domain.errors import UserError
from dpflow.domain.model import Board
from dpflow.render.export import to_json, to_markdown, to_odps
from dpflow.store.db import make_engine, migrate, session_factory
from dpflow.store.uow import UnitOfWorkFactory

RENDER = {"json": to_json, "md": to_markdown, "odps": to_odps}


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
