"""Reminders before a deadline, DM nudges on the last day, the deadline itself, and the
on-demand stage summary."""

from __future__ import annotations

from dpflow.domain.deadlines import working_hours_nudge
from dpflow.services import deadlines, stages
from dpflow.services.jobs import Job
from dpflow.slack.blocks.deadlines import deadline_message, nudge_message, reminder_message
from dpflow.slack.blocks.stage import summary_blocks, title
from dpflow.slack.deps import Deps
from dpflow.slack.followups import handles
from dpflow.slack.followups.stages import permalink
from dpflow.slack.people import time_zone
from dpflow.store.models import JobRow


@handles(Job.REMINDER)
async def remind(deps: Deps, job: JobRow) -> None:
    now = deps.clock()
    r = await deadlines.reminder(deps.uows, job.payload["run"], now)
    if r is None or not (r.pinged or r.counted) or r.view.run.message_ts is None:
        return
    client = await deps.slack.for_team(r.view.workshop.team_id)
    # the last reminder before the deadline is the one worth showing in the channel
    await client.chat_postMessage(channel=r.view.run.channel_id, thread_ts=r.view.run.message_ts,
                                  reply_broadcast=job.payload.get("label") == "1h",
                                  **reminder_message(r, now))


@handles(Job.NUDGE)
async def nudge(deps: Deps, job: JobRow) -> None:
    """Without a user: plan one DM per missing participant in their working hours."""
    user = job.payload.get("user")
    view, missing = await deadlines.to_nudge(deps.uows, job.payload["run"], user)
    if not missing:
        return
    client = await deps.slack.for_team(view.workshop.team_id)
    if user is None:
        moments = {u: at for u in missing if (at := working_hours_nudge(
            view.run.deadline, deps.clock(), await time_zone(client, u))) is not None}
        await deadlines.plan_nudges(deps.uows, view.run.id, moments)
        return
    dm = (await client.conversations_open(users=user))["channel"]["id"]
    link = await permalink(client, view.run.channel_id, view.run.message_ts)
    await client.chat_postMessage(channel=dm, **nudge_message(view, link))


@handles(Job.DEADLINE)
async def deadline(deps: Deps, job: JobRow) -> None:
    view, summary = await stages.summary(deps.uows, job.payload["run"])
    if view.run.closed_at is not None or view.run.message_ts is None:
        return
    client = await deps.slack.for_team(view.workshop.team_id)
    blocks = await _summary(deps, client, view, summary)
    await client.chat_postMessage(channel=view.run.channel_id, thread_ts=view.run.message_ts,
                                  reply_broadcast=True, **deadline_message(view, blocks))


@handles(Job.STAGE_SUMMARY)
async def stage_summary(deps: Deps, job: JobRow) -> None:
    view, summary = await stages.summary(deps.uows, job.payload["run"])
    client = await deps.slack.for_team(view.workshop.team_id)
    blocks = await _summary(deps, client, view, summary)
    await client.chat_postMessage(channel=view.run.channel_id, thread_ts=view.run.message_ts,
                                  text=f"{title(view.stage)} — summary so far", blocks=blocks)


async def _summary(deps: Deps, client, view, summary) -> list[dict]:
    link = await permalink(client, view.run.channel_id, view.run.message_ts)
    names = await deps.slack.names(view.workshop.team_id, list(summary.by_person))
    return summary_blocks(summary, link, names)

