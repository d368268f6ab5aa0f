"""Web API work done after Slack has its answer: one handler per job kind.

Feature modules register their handlers with `@handles(Job.X)`; `run` dispatches."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from dpflow.services.jobs import Job
from dpflow.slack.deps import Deps
from dpflow.store.models import JobRow

Handler = Callable[[Deps, JobRow], Awaitable[None]]
HANDLERS: dict[Job, Handler] = {}


def handles(kind: Job) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[kind] = handler
        return handler
    return register


def runner(deps: Deps) -> Callable[[JobRow], Awaitable[None]]:
    from dpflow.slack.followups import (  # noqa: F401 — registers handlers
        canvases,
        reminders,
        review,
        stages,
    )

    async def run(job: JobRow) -> None:
        await HANDLERS[Job(job.kind)](deps, job)
    return run
