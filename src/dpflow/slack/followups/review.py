"""Posting the review's findings in the review stage's thread, and keeping their messages
true as the board changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dpflow.services import canvases, review, stages
from dpflow.services.jobs import Findings, Job, Recheck
from dpflow.slack.blocks.review import findings_message, findings_messages, nothing_found
from dpflow.slack.deps import Deps
from dpflow.slack.followups.canvases import put_canvases

if TYPE_CHECKING:
    from dpflow.slack.followups import FollowUps


def register(followups: FollowUps) -> None:
    followups.register(Job.POST_FINDINGS, post_findings)
    followups.register(Job.RECHECK, recheck)


async def post_findings(deps: Deps, job: Findings) -> None:
    posting = await review.to_post(deps.uows, job.run, job.findings)
    if posting.thread_ts is None:  # the stage message failed: retried after it
        raise LookupError("the review stage message is not posted yet")
    slack = await deps.slack.for_team(posting.team_id)
    if not posting.findings and posting.everything:
        await slack.post(posting.channel_id, nothing_found(), thread_ts=posting.thread_ts)
    for chunk in findings_messages(posting.findings):
        ts = await slack.post(posting.channel_id, findings_message(chunk),
                              thread_ts=posting.thread_ts)
        await review.posted(deps.uows, [card.id for card in chunk], ts)


async def recheck(deps: Deps, job: Recheck) -> None:
    """Findings whose status changed are shown so in their messages and in the canvases
    posted so far (their Review section)."""
    shown = await review.recheck(deps.uows, job.workshop, job.by)
    if shown:
        slack = await deps.slack.for_team(await stages.team_of(deps.uows, job.workshop))
        for message in shown:
            await slack.update(message.channel_id, message.ts, findings_message(message.findings))
        if posted := await canvases.posted_refs(deps.uows, job.workshop):
            await put_canvases(deps, job.workshop, posted)
