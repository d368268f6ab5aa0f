"""The kinds of work left for after Slack's answer, what each one carries, and how they are
queued (in the transaction of the change that asks for them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from dpflow.domain.model import Stage
from dpflow.store.jobs import NewJob
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
    RECHECK = "recheck_findings"  # after the review, findings follow the board's changes


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


class Recheck(Payload):
    by: str | None = None  # who changed the board (a finding it resolves is theirs)


PAYLOADS: dict[Job, type[Payload]] = {
    Job.POST_STAGE: OfRun, Job.REFRESH_STAGE: OfRun, Job.REACT: React,
    Job.POST_SUMMARY: OfRun, Job.POST_FINDINGS: Findings, Job.POST_CANVASES: Canvases,
    Job.POST_PICTURES: Payload, Job.EXPORT: Export, Job.WORKSHOP_SUMMARY: Payload,
    Job.REMINDER: Reminder, Job.NUDGE: Nudge, Job.DEADLINE: OfRun, Job.STAGE_SUMMARY: OfRun,
    Job.ALERT: Alert, Job.RECHECK: Recheck,
}


def payload_of(kind: str, workshop_id: str | None, run_id: int | None,
               stored: dict) -> Payload:
    """The typed payload of a stored job (workshop and run live in their own columns)."""
    return PAYLOADS[Job(kind)].model_validate({"workshop": workshop_id, "run": run_id,
                                               **stored})


async def queue(repo: Repository, kind: Job, payload: Payload, *,
                due_at: datetime | None = None, key: str | None = None) -> None:
    await repo.jobs.enqueue([_new(kind, payload, due_at, key)])


async def acknowledge(repo: Repository, workshop_id: str, run_id: int, stage: Stage,
                      channel_id: str, ts: str, by: str) -> None:
    """A stored reply gets its reaction, and the stage message its refresh: one statement."""
    await repo.jobs.enqueue([
        _new(Job.REACT, React(workshop=workshop_id, channel=channel_id, ts=ts)),
        *_refreshes(repo, workshop_id, run_id, stage, by)])


async def refresh_stage(repo: Repository, workshop_id: str, run_id: int, stage: Stage,
                        by: str | None = None) -> None:
    """After a change by `by`: the stage message's counts; from the review on, the
    findings; in the canvases stage the pictures, which show the canvas fields (owners)."""
    await repo.jobs.enqueue(_refreshes(repo, workshop_id, run_id, stage, by))


def _refreshes(repo: Repository, workshop_id: str, run_id: int, stage: Stage,
               by: str | None) -> list[NewJob]:
    later = repo.now() + REFRESH_DELAY
    refreshes = [_new(Job.REFRESH_STAGE, OfRun(workshop=workshop_id, run=run_id), later,
                      f"refresh:{run_id}")]
    if stage.number >= Stage.REVIEW.number:
        refreshes.append(_new(Job.RECHECK, Recheck(workshop=workshop_id, by=by), later,
                              _recheck_key(workshop_id)))
    if stage == Stage.CANVASES:
        refreshes.append(_redraw(repo, workshop_id, PICTURES_DELAY))
    return refreshes


async def recheck_now(repo: Repository, workshop_id: str) -> None:
    """A recheck waiting for more changes runs at once: before the closing summary, which
    shows who resolved what."""
    await repo.jobs.hurry(_recheck_key(workshop_id))


def _recheck_key(workshop_id: str) -> str:
    return f"recheck:{workshop_id}"


async def redraw_pictures(repo: Repository, workshop_id: str,
                          delay: timedelta = PICTURES_DELAY) -> None:
    """Board and map drawn again, replacing the ones posted before: one pending redraw per
    workshop absorbs every change of its window."""
    await repo.jobs.enqueue([_redraw(repo, workshop_id, delay)])


def _redraw(repo: Repository, workshop_id: str, delay: timedelta) -> NewJob:
    return _new(Job.POST_PICTURES, Payload(workshop=workshop_id), repo.now() + delay,
                f"pictures:{workshop_id}")


def _new(kind: Job, payload: Payload, due_at: datetime | None = None,
         key: str | None = None) -> NewJob:
    if not isinstance(payload, PAYLOADS[kind]):
        raise TypeError(f"{kind} carries {PAYLOADS[kind].__name__}, not {payload!r}")
    return NewJob(kind, payload.model_dump(mode="json", exclude={"workshop", "run"}),
                  payload.workshop, getattr(payload, "run", None), due_at, key)


async def post(repo: Repository, kind: Job, run: StageRunRow, **payload) -> None:
    await queue(repo, kind, PAYLOADS[kind](workshop=run.workshop_id, run=run.id, **payload))


async def drop(repo: Repository, run: StageRunRow, kinds: tuple[Job, ...]) -> None:
    await repo.jobs.drop(run.id, kinds)
