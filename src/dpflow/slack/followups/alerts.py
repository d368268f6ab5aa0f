"""The facilitators hear, once, about a job that has been failing for long."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dpflow.services import stages
from dpflow.services.jobs import Alert, Job
from dpflow.slack.blocks.alerts import job_failing
from dpflow.slack.deps import Deps

if TYPE_CHECKING:
    from dpflow.slack.followups import FollowUps


def register(followups: FollowUps) -> None:
    followups.register(Job.ALERT, alert)


async def alert(deps: Deps, job: Alert) -> None:
    who = await stages.facilitation(deps.uows, job.workshop)
    slack = await deps.slack.for_team(who.team_id)
    message = job_failing(job, who.name, who.channel_id)
    for facilitator in who.facilitators:
        await slack.post(await slack.open_dm(facilitator), message)
