"""The kinds of work left for after Slack's answer, and how they are queued."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from dpflow.store.models import StageRunRow, utcnow
from dpflow.store.repo import Repository

# Stage messages show counts; rewriting them on every reply would double the Web API calls
# per contribution, so one update absorbs all replies of this window.
REFRESH_DELAY = timedelta(seconds=20)


class Job(StrEnum):
    POST_STAGE = "post_stage"  # the stage message that opens a thread
    REFRESH_STAGE = "refresh_stage"  # its counts, debounced
    REACT = "react"  # a stored reply's acknowledgement
    POST_SUMMARY = "post_summary"  # when a stage closes
    POST_FINDINGS = "post_findings"  # on entering review
    POST_CANVASES = "post_canvases"  # on entering canvases, or /dpflow canvas
    POST_PICTURES = "post_pictures"  # board and map PNGs
    EXPORT = "export"  # /dpflow export: the file to the person who asked, or the channel
    WORKSHOP_SUMMARY = "workshop_summary"  # at close
    REMINDER = "reminder"  # 24 h / 1 h before a deadline
    NUDGE = "nudge"  # a DM in the person's working hours on the last day
    DEADLINE = "deadline"  # summary and a call to move on
    STAGE_SUMMARY = "stage_summary"  # /dpflow summary: in the thread, nothing closes


REMINDER_JOBS = (Job.REMINDER, Job.NUDGE, Job.DEADLINE)


async def acknowledge(repo: Repository, run: StageRunRow, channel_id: str, ts: str) -> None:
    await repo.enqueue(Job.REACT, {"channel": channel_id, "ts": ts},
                       workshop_id=run.workshop_id, run_id=run.id)
    await refresh_stage(repo, run)


async def refresh_stage(repo: Repository, run: StageRunRow) -> None:
    await repo.enqueue(Job.REFRESH_STAGE, {"run": run.id}, workshop_id=run.workshop_id,
                       run_id=run.id, due_at=utcnow() + REFRESH_DELAY, key=f"refresh:{run.id}")


async def post(repo: Repository, kind: Job, run: StageRunRow, **payload) -> None:
    await repo.enqueue(kind, {"run": run.id, **payload}, workshop_id=run.workshop_id,
                       run_id=run.id)
