"""Telling facilitators that work after the answer keeps failing."""

from __future__ import annotations

from dpflow.services.jobs import Alert, Job
from dpflow.slack.blocks.kit import section
from dpflow.slack.text import esc

WHAT = {
    Job.POST_STAGE: "post the stage message", Job.REFRESH_STAGE: "update the stage message",
    Job.REACT: "acknowledge a reply with a reaction", Job.POST_SUMMARY: "post a stage summary",
    Job.POST_FINDINGS: "post the review's findings", Job.POST_CANVASES: "post the canvases",
    Job.POST_PICTURES: "post the board pictures", Job.EXPORT: "send an export",
    Job.WORKSHOP_SUMMARY: "post the closing summary", Job.REMINDER: "post a deadline reminder",
    Job.NUDGE: "send a reminder by DM", Job.DEADLINE: "post the deadline message",
    Job.STAGE_SUMMARY: "post a stage summary", Job.ALERT: "warn the facilitators",
}


def job_failing(alert: Alert, workshop: str, channel_id: str) -> dict:
    """A DM to each facilitator: what keeps failing, since when, and the id to quote."""
    since = int(alert.since.timestamp())
    text = (f"dpflow has been trying to {WHAT[alert.failing]} for *{esc(workshop)}* in "
            f"<#{channel_id}> since <!date^{since}^{{date_short_pretty}} at {{time}}|"
            f"{alert.since:%Y-%m-%d %H:%M} UTC>, and Slack keeps refusing "
            f"(`{esc(alert.error)}`). It goes on trying, less often; nothing is lost. "
            f"Error id `{alert.incident}`: quote it to whoever runs dpflow.")
    return {"text": text, "blocks": [section(text)]}
