"""The kinds of work left for after Slack's answer, what each one carries, and how they are
queued (in the transaction of the change that asks for them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from dpflow.domain.model import Stage
from dpflow.store.models import StageRunRow
from dpflow.store.repo import Repository

# Stage messages show counts; rewriting them on every reply would double the Web API calls
# per contribution, so one update absorbs all replies of this window.
REFRESH_DELAY = timedelta(seconds=20)
# Redrawn pictures cost two calls per picture (upload, then delete the one they replace):
# a longer window lets a whole round of canvas fields share one redraw.
PICTURES_DELAY = timedelta(minutes=2)


class Job(StrEnum):
    POST_STAGE = "post_stage"  # the stage message that opens a thread
    REFRESH_STAGE = "refresh_stage"  # its counts, debounced
    REACT = "react"  # a stored reply's acknowledgement
    POST_SUMMARY = "post_summary"  # when a stage closes
    POST_FINDINGS = "post_findings"  # on entering review
    POST_CANVASES = "post_canvases"  # on entering canvases, or /dpflow canvas
    POST_PICTURES = "post_pictures"  # board and map PNGs, replacing the earlier ones
    EXPORT = "export"  # /dpflow export: the file to the person who asked, or the channel
    WORKSHOP_SUMMARY = "workshop_summary"  # at close
    REMINDER = "reminder"  # 24 h / 1 h before a deadline
    NUDGE = "nudge"  # a DM in the person's working hours on the last day
    DEADLINE = "deadline"  # summary and a call to move on
    STAGE_SUMMARY = "stage_summary"  # /dpflow summary: in the thread, nothing closes
    ALERT = "alert"  # the facilitators learn that a job has been failing for long


REMINDER_JOBS = (Job.REMINDER, Job.NUDGE, Job.DEADLINE)
# Jobs that stand alone; the others of a workshop run one at a time, in the order queued
UNORDERED = (Job.REACT, Job.EXPORT, Job.NUDGE, Job.ALERT)


class Payload(BaseModel):
    """What a follow-up reads; every job belongs to a workshop."""

    model_config = ConfigDict(frozen=True)

    workshop: str


class OfRun(Payload):
    run: int


class React(Payload):
    channel: str
    ts: str
    run: int | None = None  # the stage whose message refreshes after the reaction


class Findings(OfRun):
    findings: list[int] | None = None  # None: every current finding


class Canvases(Payload):
    products: list[str] | None = None  # DP refs; None: every data product


class Export(Payload):
    format: str
    user: str
    channel: str | None  # None: a DM to `user`


class Reminder(OfRun):
    label: str  # "24h", "1h", "deadline"


class Nudge(OfRun):
    user: str | None = None  # None: plan one nudge per missing participant


class Alert(Payload):
    failing: Job
    incident: str
    since: datetime
    error: str


PAYLOADS: dict[Job, type[Payload]] = {
    Job.POST_STAGE: OfRun, Job.REFRESH_STAGE: OfRun, Job.REACT: React,
    Job.POST_SUMMARY: OfRun, Job.POST_FINDINGS: Findings, Job.POST_CANVASES: Canvases,
    Job.POST_PICTURES: Payload, Job.EXPORT: Export, Job.WORKSHOP_SUMMARY: Payload,
    Job.REMINDER: Reminder, Job.NUDGE: Nudge, Job.DEADLINE: OfRun, Job.STAGE_SUMMARY: OfRun,
    Job.ALERT: Alert,
}


def payload_of(kind: str, workshop_id: str | None, run_id: int | None,
               stored: dict) -> Payload:
    """The typed payload of a stored job (workshop and run live in their own columns)."""
    return PAYLOADS[Job(kind)].model_validate({"workshop": workshop_id, "run": run_id,
                                               **stored})


async def queue(repo: Repository, kind: Job, payload: Payload, *,
                due_at: datetime | None = None, key: str | None = None) -> None:
    if not isinstance(payload, PAYLOADS[kind]):
        raise TypeError(f"{kind} carries {PAYLOADS[kind].__name__}, not {payload!r}")
    await repo.jobs.enqueue(kind, payload.model_dump(mode="json", exclude={"workshop", "run"}),
                            workshop_id=payload.workshop, run_id=getattr(payload, "run", None),
                            due_at=due_at, key=key)


async def acknowledge(repo: Repository, workshop_id: str, run_id: int, channel_id: str,
                      ts: str) -> None:
    """A stored reply gets its reaction; the reaction's job then queues the stage message's
    refresh, so that replies arriving together never wait on each other for that one row."""
    await queue(repo, Job.REACT, React(workshop=workshop_id, channel=channel_id, ts=ts,
                                       run=run_id))


async def refresh_stage(repo: Repository, workshop_id: str, run_id: int, stage: Stage) -> None:
    """The stage message's counts, and in the canvases stage the pictures, which show the
    canvas fields (owners) people are filling in."""
    await queue(repo, Job.REFRESH_STAGE, OfRun(workshop=workshop_id, run=run_id),
                due_at=repo.now() + REFRESH_DELAY, key=f"refresh:{run_id}")
    if stage == Stage.CANVASES:
        await redraw_pictures(repo, workshop_id)


async def redraw_pictures(repo: Repository, workshop_id: str,
                          delay: timedelta = PICTURES_DELAY) -> None:
    """Board and map drawn again, replacing the ones posted before: one pending redraw per
    workshop absorbs every change of its window."""
    await queue(repo, Job.POST_PICTURES, Payload(workshop=workshop_id),
                due_at=repo.now() + delay, key=f"pictures:{workshop_id}")


async def post(repo: Repository, kind: Job, run: StageRunRow, **payload) -> None:
    await queue(repo, kind, PAYLOADS[kind](workshop=run.workshop_id, run=run.id, **payload))


async def drop(repo: Repository, run: StageRunRow, kinds: tuple[Job, ...]) -> None:
    await repo.jobs.drop(run.id, kinds)
