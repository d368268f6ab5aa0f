"""Web API work done after Slack has its answer: one handler per job kind, each taking the
job's typed payload. Feature modules say which kinds they handle in `register(followups)`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from dpflow.services.jobs import Job, payload_of
from dpflow.slack.client import posting_for
from dpflow.slack.deps import Deps
from dpflow.slack.followups import alerts, canvases, reminders, review, stages
from dpflow.store.jobs import ClaimedJob

Handler = Callable[[Deps, Any], Awaitable[None]]


class FollowUps:
    def __init__(self, deps: Deps):
        self.deps = deps
        self._handlers: dict[Job, Handler] = {}

    def register(self, kind: Job, handler: Handler) -> None:
        self._handlers[kind] = handler

    async def run(self, job: ClaimedJob) -> None:
        payload = payload_of(job.kind, job.workshop_id, job.run_id, job.payload)
        with posting_for(job.id, job.attempts):
            await self._handlers[Job(job.kind)](self.deps, payload)


def follow_ups(deps: Deps) -> FollowUps:
    """The handler of every job kind."""
    followups = FollowUps(deps)
    for module in (stages, reminders, review, canvases, alerts):
        module.register(followups)
    return followups
