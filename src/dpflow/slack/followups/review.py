"""Posting the review's findings in the review stage's thread."""

from __future__ import annotations

from dpflow.services import review
from dpflow.services.jobs import Job
from dpflow.slack.blocks.review import findings_message, findings_messages, nothing_found
from dpflow.slack.deps import Deps
from dpflow.slack.followups import handles
from dpflow.store.models import JobRow


@handles(Job.POST_FINDINGS)
async def post_findings(deps: Deps, job: JobRow) -> None:
    posting = await review.to_post(deps.uows, job.payload["run"], job.payload.get("findings"))
    if posting.thread_ts is None:  # the stage message failed: retried after it
        raise LookupError("the review stage message is not posted yet")
    client = await deps.slack.for_team(posting.team_id)
    if not posting.findings and posting.everything:
        await client.chat_postMessage(channel=posting.channel_id, thread_ts=posting.thread_ts,
                                      **nothing_found())
    for chunk in findings_messages(posting.findings):
        posted = await client.chat_postMessage(channel=posting.channel_id,
                                               thread_ts=posting.thread_ts,
                                               **findings_message(chunk))
        await review.posted(deps.uows, [card.id for card in chunk], posted["ts"])
