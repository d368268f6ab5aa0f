"""Add modal submissions: the same service as replies; input errors shown inline."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from dpflow.services import contributions
from dpflow.services.context import Actor
from dpflow.slack.deps import Deps
from dpflow.slack.forms import read_form
from dpflow.slack.ids import Callback


def register(app: AsyncApp, deps: Deps) -> None:
    @app.view(Callback.ADD_FORM)
    async def add_submitted(ack, body: dict, view: dict) -> None:
        form = read_form(view)
        if form.errors:
            await ack(response_action="errors", errors=form.errors)
            return
        actor = Actor(form.ctx.team, form.ctx.channel, body["user"]["id"])
        await contributions.add(deps.uows, actor, form.text, delivery=f"view:{view['id']}",
                                stage=form.ctx.stage)
        await ack()
        deps.jobs_queued()
