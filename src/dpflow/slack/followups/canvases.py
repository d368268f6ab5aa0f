"""Canvases (or, where Slack refuses them, summaries and Markdown files), pictures, exports."""

from __future__ import annotations

import asyncio
import hashlib
from typing import TYPE_CHECKING

from dpflow.render.board_picture import board_pngs
from dpflow.render.canvas import canvas_filename, canvas_title, render_canvas
from dpflow.render.index import BoardIndex
from dpflow.render.map_picture import map_pngs
from dpflow.render.report import people
from dpflow.render.text import file_stem, mentioned, readable
from dpflow.services import canvases, exports
from dpflow.services.canvases import Posted, Posting
from dpflow.services.jobs import Canvases, Export, Job, Payload
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
    await put_canvases(deps, job.workshop, job.products)


async def put_canvases(deps: Deps, workshop_id: str, refs: list[str] | None) -> None:
    """Each chosen product's canvas (all without refs), edited in place when posted before;
    mentions show as display names and links as their labels."""
    posting = await canvases.posting(deps.uows, workshop_id, refs)
    slack = await deps.slack.for_team(posting.board.workshop.team_id)
    board = readable(posting.board, await slack.names(mentioned(posting.board)))
    index = BoardIndex.of(board)
    team_url = await slack.team_address()
    explained = posting.explained
    for product in (index.products[p.ref] for p in posting.products):
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
        await canvases.record(deps.uows, workshop_id, product.ref, Posted(canvas_id, ts))


async def _post(slack: Slack, posting: Posting, ts: str | None, message: dict) -> str:
    channel = posting.board.workshop.channel_id
    if ts:
        await slack.update(channel, ts, message)
        return ts
    return await slack.post(channel, message, thread_ts=posting.thread_ts)


async def post_pictures(deps: Deps, job: Payload) -> None:
    place = await canvases.pictures_place(deps.uows, job.workshop)
    if place.board.workshop.active:  # once closed, the closing summary carries them
        await replace_pictures(deps, place, place.thread_ts)


async def replace_pictures(deps: Deps, place: canvases.PicturesPlace,
                           thread_ts: str | None) -> None:
    """Board and map drawn again and posted in the thread (or channel); the earlier ones are
    deleted, so they never pile up. The same pictures in the same place are not reposted."""
    board = place.board
    slack = await deps.slack.for_team(board.workshop.team_id)
    names = await slack.names(mentioned(board))
    boards, maps = await asyncio.gather(asyncio.to_thread(board_pngs, board, names),
                                        asyncio.to_thread(map_pngs, board, names))
    digest = _digest([*boards, *maps], thread_ts)
    if place.before and place.before.digest == digest:
        return
    channel, stem = board.workshop.channel_id, file_stem(board.workshop.name)
    comment = await slack.post(channel, {"text": pictures_comment(
        board.workshop.name, len(boards), len(maps))}, thread_ts=thread_ts)
    files = await slack.upload(channel, [*_named(f"{stem}-board", boards),
                                         *_named(f"{stem}-map", maps)], thread_ts=thread_ts)
    if place.before:
        await slack.delete_files(place.before.file_ids)
        await slack.delete(place.before.channel_id, place.before.comment_ts)
    await canvases.pictures_posted(deps.uows, board.workshop.id, canvases.Pictures(
        channel, thread_ts, comment, tuple(files), digest))


def _digest(pngs: list[bytes], thread_ts: str | None) -> str:
    digest = hashlib.sha256((thread_ts or "").encode())
    for png in pngs:
        digest.update(hashlib.sha256(png).digest())
    return digest.hexdigest()


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
