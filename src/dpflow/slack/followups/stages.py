"""Posting and refreshing stage messages, acknowledging replies, stage summaries."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from dpflow.services import stages
from dpflow.services.jobs import Job
from dpflow.slack.blocks.stage import stage_message, summary_blocks, title, workshop_closed
from dpflow.slack.deps import Deps
from dpflow.slack.followups import handles
from dpflow.slack.followups.canvases import team_address
from dpflow.store.models import JobRow

ACK_REACTION = "white_check_mark"


@handles(Job.POST_STAGE)
async def post_stage(deps: Deps, job: JobRow) -> None:
    view = await stages.view(deps.uows, job.payload["run"])
    client = await deps.slack.for_team(view.workshop.team_id)
    message = stage_message(view.board, view.stage, view.run.id, view.run.deadline)
    posted = await client.chat_postMessage(channel=view.run.channel_id, **message)
    await stages.posted(deps.uows, view.run.id, posted["ts"])


@handles(Job.REFRESH_STAGE)
async def refresh_stage(deps: Deps, job: JobRow) -> None:
    view = await stages.view(deps.uows, job.payload["run"])
    if view.run.message_ts is None:
        return
    client = await deps.slack.for_team(view.workshop.team_id)
    message = stage_message(view.board, view.stage, view.run.id, view.run.deadline,
                            closed=view.run.closed_at is not None)
    await client.chat_update(channel=view.run.channel_id, ts=view.run.message_ts, **message)


@handles(Job.REACT)
async def react(deps: Deps, job: JobRow) -> None:
    client = await deps.slack.for_team(await _team(deps, job))
    try:
        await client.reactions_add(channel=job.payload["channel"], timestamp=job.payload["ts"],
                                   name=ACK_REACTION)
    except SlackApiError as e:
        if e.response.get("error") not in ("already_reacted", "message_not_found"):
            raise


@handles(Job.POST_SUMMARY)
async def post_summary(deps: Deps, job: JobRow) -> None:
    view, summary = await stages.summary(deps.uows, job.payload["run"])
    client = await deps.slack.for_team(view.workshop.team_id)
    link = await permalink(client, view.run.channel_id, view.run.message_ts)
    names = await deps.slack.names(view.workshop.team_id, list(summary.by_person))
    blocks = summary_blocks(summary, link, names)
    text = f"{title(view.stage)} — summary"
    if view.run.message_ts:
        await client.chat_update(channel=view.run.channel_id, ts=view.run.message_ts,
                                 **stage_message(view.board, view.stage, view.run.id,
                                                 view.run.deadline, closed=True))
        await client.chat_postMessage(channel=view.run.channel_id, text=text, blocks=blocks,
                                      thread_ts=view.run.message_ts, reply_broadcast=True)
    else:
        await client.chat_postMessage(channel=view.run.channel_id, text=text, blocks=blocks)


@handles(Job.WORKSHOP_SUMMARY)
async def workshop_summary(deps: Deps, job: JobRow) -> None:
    closing = await stages.closing(deps.uows, job.payload["workshop"])
    client = await deps.slack.for_team(closing.board.workshop.team_id)
    message = workshop_closed(closing, await team_address(client))
    await client.chat_postMessage(channel=closing.board.workshop.channel_id, **message)


async def permalink(client, channel: str, ts: str | None) -> str | None:
    if ts is None:
        return None
    return (await client.chat_getPermalink(channel=channel, message_ts=ts))["permalink"]


async def _team(deps: Deps, job: JobRow) -> str:
    return (await stages.workshop(deps.uows, job.workshop_id)).team_id
