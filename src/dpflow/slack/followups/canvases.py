"""Canvases (or, where Slack refuses them, summaries and Markdown files), pictures, exports."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from dpflow.render.canvas import canvas_filename, canvas_title, render_canvas
from dpflow.render.index import BoardIndex
from dpflow.render.pictures import board_pngs, map_pngs
from dpflow.render.report import people
from dpflow.render.text import file_stem
from dpflow.services import canvases, exports, stages
from dpflow.services.canvases import Posted, Posting
from dpflow.services.jobs import Canvases, Export, Job, OfRun
from dpflow.slack.blocks.canvases import (
    canvas_summary,
    canvas_url,
    canvases_refused,
    export_comment,
    pictures_comment,
)
from dpflow.slack.client import CanvasRefused, Slack
from dpflow.slack.deps import Deps

if TYPE_CHECKING:
    from dpflow.slack.followups import FollowUps


def register(followups: FollowUps) -> None:
    followups.register(Job.POST_CANVASES, post_canvases)
    followups.register(Job.POST_PICTURES, post_pictures)
    followups.register(Job.EXPORT, export)


async def post_canvases(deps: Deps, job: Canvases) -> None:
    posting = await canvases.posting(deps.uows, job.workshop, job.products)
    board = posting.board
    slack = await deps.slack.for_team(board.workshop.team_id)
    index = BoardIndex.of(board)
    team_url = await slack.team_address()
    explained = posting.explained
    for product in posting.products:
        before = posting.posted.get(product.ref, Posted(None, None))
        markdown = render_canvas(board, product.ref, index)
        try:
            canvas_id = await slack.put_canvas(canvas_title(board, product.ref), markdown,
                                               board.workshop.channel_id, before.canvas_id)
        except CanvasRefused as refused:
            canvas_id = None
            if not explained:
                await _post(slack, posting, None, canvases_refused(refused.error))
                explained = True
        link = canvas_url(team_url, board.workshop.team_id, canvas_id) if canvas_id else None
        ts = await _post(slack, posting, before.message_ts,
                         canvas_summary(index, product, link))
        if canvas_id is None:
            await slack.upload(board.workshop.channel_id, [{
                "content": markdown, "filename": canvas_filename(product),
                "title": canvas_title(board, product.ref)}], thread_ts=posting.thread_ts)
        await canvases.record(deps.uows, job.workshop, product.ref, Posted(canvas_id, ts))


async def _post(slack: Slack, posting: Posting, ts: str | None, message: dict) -> str:
    channel = posting.board.workshop.channel_id
    if ts:
        await slack.update(channel, ts, message)
        return ts
    return await slack.post(channel, message, thread_ts=posting.thread_ts)


async def post_pictures(deps: Deps, job: OfRun) -> None:
    view = await stages.view(deps.uows, job.run)
    board = view.board
    boards, maps = await asyncio.gather(asyncio.to_thread(board_pngs, board),
                                        asyncio.to_thread(map_pngs, board))
    stem = file_stem(board.workshop.name)
    slack = await deps.slack.for_team(board.workshop.team_id)
    await slack.upload(view.run.channel_id,
                       [*_named(f"{stem}-board", boards), *_named(f"{stem}-map", maps)],
                       thread_ts=view.run.message_ts,
                       comment=pictures_comment(board.workshop.name, len(boards), len(maps)))


def _named(stem: str, pngs: list[bytes]) -> list[dict]:
    return [{"content": png, "title": stem.replace("-", " "),
             "filename": f"{stem}{f'-{i}' if len(pngs) > 1 else ''}.png"}
            for i, png in enumerate(pngs, 1)]


async def export(deps: Deps, job: Export) -> None:
    fmt = exports.chosen(job.format)
    board = await exports.board_of_workshop(deps.uows, job.workshop)
    slack = await deps.slack.for_team(board.workshop.team_id)
    names = await slack.names(people(board)) if fmt.name == "html" else {}
    exported = await asyncio.to_thread(exports.packaged, board, fmt, names)
    channel = job.channel or await slack.open_dm(job.user)
    await slack.upload(channel, [{"content": exported.content, "filename": exported.filename,
                                  "title": exported.filename}],
                       comment=export_comment(board.workshop.name, fmt.title))
