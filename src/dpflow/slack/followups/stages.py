"""Posting and refreshing stage messages, acknowledging replies, stage summaries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dpflow.services import canvases, stages
from dpflow.services.jobs import Job, OfRun, Payload, React
from dpflow.slack.blocks.stage import stage_message, summary_blocks, title, workshop_closed
from dpflow.slack.deps import Deps
from dpflow.slack.followups.canvases import put_canvases, replace_pictures

if TYPE_CHECKING:
    from dpflow.slack.followups import FollowUps


def register(followups: FollowUps) -> None:
    followups.register(Job.POST_STAGE, post_stage)
    followups.register(Job.REFRESH_STAGE, refresh_stage)
    followups.register(Job.REACT, react)
    followups.register(Job.POST_SUMMARY, post_summary)
    followups.register(Job.WORKSHOP_SUMMARY, workshop_summary)


async def post_stage(deps: Deps, job: OfRun) -> None:
    view = await stages.view(deps.uows, job.run)
    slack = await deps.slack.for_team(view.workshop.team_id)
    message = stage_message(view)
    ts = await slack.post(view.run.channel_id, message)
    await stages.posted(deps.uows, view.run.id, ts)


async def refresh_stage(deps: Deps, job: OfRun) -> None:
    view = await stages.view(deps.uows, job.run)
    if view.run.message_ts is None:
        return
    slack = await deps.slack.for_team(view.workshop.team_id)
    message = stage_message(view, closed=view.run.closed_at is not None)
    await slack.update(view.run.channel_id, view.run.message_ts, message)


async def react(deps: Deps, job: React) -> None:
    slack = await deps.slack.for_team(await stages.team_of(deps.uows, job.workshop))
    await slack.acknowledge(job.channel, job.ts)


async def post_summary(deps: Deps, job: OfRun) -> None:
    view, summary = await stages.summary(deps.uows, job.run)
    slack = await deps.slack.for_team(view.workshop.team_id)
    link = await slack.permalink(view.run.channel_id, view.run.message_ts)
    names = await slack.names(list(summary.by_person))
    message = {"text": f"{title(view.stage)} — summary",
               "blocks": summary_blocks(summary, link, names)}
    if view.run.message_ts:
        await slack.update(view.run.channel_id, view.run.message_ts,
                           stage_message(view, closed=True))
        await slack.post(view.run.channel_id, message, thread_ts=view.run.message_ts,
                         broadcast=True)
    else:
        await slack.post(view.run.channel_id, message)


async def workshop_summary(deps: Deps, job: Payload) -> None:
    """The closing message with the final canvases, and the final pictures in its thread."""
    await put_canvases(deps, job.workshop, None)
    closing = await stages.closing(deps.uows, job.workshop)
    slack = await deps.slack.for_team(closing.board.workshop.team_id)
    message = workshop_closed(closing, await slack.team_address())
    ts = await slack.post(closing.board.workshop.channel_id, message)
    await replace_pictures(deps, await canvases.pictures_place(deps.uows, job.workshop), ts)
