"""Modal submissions: the same service as replies, errors shown inline."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from dpflow.services import contributions
from dpflow.services.context import Actor
from dpflow.slack.deps import Deps
from dpflow.slack.forms import FormContext, submitted_lines
from dpflow.slack.ids import Callback


def register(app: AsyncApp, deps: Deps) -> None:
    @app.view(Callback.ADD_FORM)
    async def add_submitted(ack, body: dict, view: dict) -> None:
        ctx = FormContext.model_validate_json(view["private_metadata"])
        actor = Actor(ctx.team, ctx.channel, body["user"]["id"])
        await contributions.add(deps.uows, actor, submitted_lines(view),
                                delivery=f"view:{view['id']}", stage=ctx.stage)
        await ack()
        deps.jobs_queued()
