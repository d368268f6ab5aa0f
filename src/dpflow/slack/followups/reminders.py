"""Reminders before a deadline, DM nudges on the last day, the deadline itself, and the
on-demand stage summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dpflow.domain.deadlines import working_hours_nudge
from dpflow.services import deadlines, stages
from dpflow.services.jobs import Job, Nudge, OfRun, Reminder
from dpflow.slack.blocks.deadlines import deadline_message, nudge_message, reminder_message
from dpflow.slack.blocks.stage import summary_blocks, title
from dpflow.slack.client import Slack
from dpflow.slack.deps import Deps

if TYPE_CHECKING:
    from dpflow.slack.followups import FollowUps


def register(followups: FollowUps) -> None:
    followups.register(Job.REMINDER, remind)
    followups.register(Job.NUDGE, nudge)
    followups.register(Job.DEADLINE, deadline)
    followups.register(Job.STAGE_SUMMARY, stage_summary)


async def remind(deps: Deps, job: Reminder) -> None:
    now = deps.clock()
    r = await deadlines.reminder(deps.uows, job.run, now)
    if r is None or not (r.pinged or r.counted) or r.view.run.message_ts is None:
        return
    slack = await deps.slack.for_team(r.view.workshop.team_id)
    # the last reminder before the deadline is the one worth showing in the channel
    await slack.post(r.view.run.channel_id, reminder_message(r, now),
                     thread_ts=r.view.run.message_ts, broadcast=job.label == "1h")


async def nudge(deps: Deps, job: Nudge) -> None:
    """Without a user: plan one DM per missing participant in their working hours."""
    view, missing = await deadlines.to_nudge(deps.uows, job.run, job.user)
    if not missing:
        return
    slack = await deps.slack.for_team(view.workshop.team_id)
    if job.user is None:
        moments = {u: at for u in missing if (at := working_hours_nudge(
            view.run.deadline, deps.clock(), await slack.time_zone(u))) is not None}
        await deadlines.plan_nudges(deps.uows, view.run.id, moments)
        return
    link = await slack.permalink(view.run.channel_id, view.run.message_ts)
    await slack.post(await slack.open_dm(job.user), nudge_message(view, link))


async def deadline(deps: Deps, job: OfRun) -> None:
    view, summary = await stages.summary(deps.uows, job.run)
    if view.run.closed_at is not None or view.run.message_ts is None:
        return
    slack = await deps.slack.for_team(view.workshop.team_id)
    blocks = await _summary(slack, view, summary)
    await slack.post(view.run.channel_id, deadline_message(view, blocks),
                     thread_ts=view.run.message_ts, broadcast=True)


async def stage_summary(deps: Deps, job: OfRun) -> None:
    view, summary = await stages.summary(deps.uows, job.run)
    slack = await deps.slack.for_team(view.workshop.team_id)
    message = {"text": f"{title(view.stage)} — summary so far",
               "blocks": await _summary(slack, view, summary)}
    await slack.post(view.run.channel_id, message, thread_ts=view.run.message_ts)


async def _summary(slack: Slack, view, summary) -> list[dict]:
    link = await slack.permalink(view.run.channel_id, view.run.message_ts)
    return summary_blocks(summary, link, await slack.names(list(summary.by_person)))
