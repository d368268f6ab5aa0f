"""Canvases (or, where Slack refuses them, summaries and Markdown files), pictures, exports."""

from __future__ import annotations

import asyncio

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from dpflow.domain.model import Board, DataProduct
from dpflow.render.canvas import canvas_filename, canvas_title, render_canvas
from dpflow.render.index import BoardIndex
from dpflow.render.pictures import board_pngs, map_pngs
from dpflow.render.text import file_stem
from dpflow.services import canvases, exports, stages
from dpflow.services.canvases import Posted, Posting
from dpflow.services.jobs import Job
from dpflow.slack.blocks.canvases import (
    canvas_summary,
    canvas_url,
    canvases_refused,
    export_comment,
    pictures_comment,
)
from dpflow.slack.deps import Deps
from dpflow.slack.followups import handles
from dpflow.store.models import JobRow

FILES_PER_UPLOAD = 10  # files.completeUploadExternal takes a handful of files per call


class Refused(Exception):
    """Slack will not make canvases here (plan, token type, scope)."""

    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


@handles(Job.POST_CANVASES)
async def post_canvases(deps: Deps, job: JobRow) -> None:
    posting = await canvases.posting(deps.uows, job.workshop_id, job.payload.get("products"))
    client = await deps.slack.for_team(posting.board.workshop.team_id)
    index = BoardIndex.of(posting.board)
    team_url = await team_address(client)
    explained = posting.explained
    for product in posting.products:
        before = posting.posted.get(product.ref, Posted(None, None))
        markdown = render_canvas(posting.board, product.ref, index)
        try:
            canvas_id = await _put_canvas(client, posting.board, product, markdown,
                                          before.canvas_id)
        except Refused as refused:
            canvas_id = None
            if not explained:
                await _post(client, posting, None, canvases_refused(refused.error))
                explained = True
        link = canvas_url(team_url, posting.board.workshop.team_id, canvas_id) \
            if canvas_id else None
        ts = await _post(client, posting, before.message_ts,
                         canvas_summary(index, product, link))
        if canvas_id is None:
            await client.files_upload_v2(
                channel=posting.board.workshop.channel_id, thread_ts=posting.thread_ts,
                content=markdown, filename=canvas_filename(product),
                title=canvas_title(posting.board, product.ref))
        await canvases.record(deps.uows, job.workshop_id, product.ref, Posted(canvas_id, ts))


async def _put_canvas(client: AsyncWebClient, board: Board, product: DataProduct,
                      markdown: str, canvas_id: str | None) -> str:
    """Edit the canvas posted before, or create one the channel can read."""
    content = {"type": "markdown", "markdown": markdown}
    try:
        if canvas_id:
            await client.canvases_edit(canvas_id=canvas_id, changes=[
                {"operation": "replace", "document_content": content}])
            return canvas_id
        created = await client.canvases_create(title=canvas_title(board, product.ref),
                                               document_content=content)
        await client.canvases_access_set(canvas_id=created["canvas_id"], access_level="read",
                                         channel_ids=[board.workshop.channel_id])
        return created["canvas_id"]
    except SlackApiError as e:
        raise Refused(e.response.get("error") or "unknown_error") from e


async def _post(client: AsyncWebClient, posting: Posting, ts: str | None,
                message: dict) -> str:
    channel = posting.board.workshop.channel_id
    if ts:
        await client.chat_update(channel=channel, ts=ts, **message)
        return ts
    return (await client.chat_postMessage(channel=channel, thread_ts=posting.thread_ts,
                                          **message))["ts"]


async def team_address(client: AsyncWebClient) -> str:
    """https://<team domain>.slack.com/, where Slack serves the workspace's canvases."""
    return (await client.auth_test())["url"]


@handles(Job.POST_PICTURES)
async def post_pictures(deps: Deps, job: JobRow) -> None:
    view = await stages.view(deps.uows, job.payload["run"])
    board = view.board
    boards, maps = await asyncio.gather(asyncio.to_thread(board_pngs, board),
                                        asyncio.to_thread(map_pngs, board))
    stem = file_stem(board.workshop.name)
    uploads = [*_named(f"{stem}-board", boards), *_named(f"{stem}-map", maps)]
    client = await deps.slack.for_team(board.workshop.team_id)
    for start in range(0, len(uploads), FILES_PER_UPLOAD):
        await client.files_upload_v2(
            channel=view.run.channel_id, thread_ts=view.run.message_ts,
            file_uploads=uploads[start:start + FILES_PER_UPLOAD],
            initial_comment=pictures_comment(board.workshop.name, len(boards), len(maps))
            if start == 0 else None)


def _named(stem: str, pngs: list[bytes]) -> list[dict]:
    return [{"content": png, "title": stem.replace("-", " "),
             "filename": f"{stem}{f'-{i}' if len(pngs) > 1 else ''}.png"}
            for i, png in enumerate(pngs, 1)]


@handles(Job.EXPORT)
async def export(deps: Deps, job: JobRow) -> None:
    fmt, user, channel = job.payload["format"], job.payload["user"], job.payload["channel"]
    exported = await exports.export_file(deps.uows, job.workshop_id, fmt)
    client = await deps.slack.for_team(exported.board.workshop.team_id)
    if channel is None:
        channel = (await client.conversations_open(users=user))["channel"]["id"]
    await client.files_upload_v2(channel=channel, content=exported.text,
                                 filename=exported.filename, title=exported.filename,
                                 initial_comment=export_comment(exported.board.workshop.name,
                                                                fmt))
