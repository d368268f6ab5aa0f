"""The App Home tab: published when opened, and again after Mute/Unmute."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from dpflow.services import home, workshops
from dpflow.slack.blocks.home import home_view
from dpflow.slack.client import Slack
from dpflow.slack.deps import Deps
from dpflow.slack.envelope import clicker
from dpflow.slack.ids import Action
from dpflow.slack.metadata import WorkshopValue


def register(app: AsyncApp, deps: Deps) -> None:
    @app.event("app_home_opened")
    async def home_opened(event: dict, body: dict, client) -> None:
        if event.get("tab", "home") == "home":
            await publish(deps, client, body["team_id"], event["user"])

    for action_id, muted in ((Action.MUTE, True), (Action.UNMUTE, False)):
        _mute_listener(app, deps, action_id, muted)


def _mute_listener(app: AsyncApp, deps: Deps, action_id: Action, muted: bool) -> None:
    @app.action(action_id)
    async def mute(ack, body: dict, action: dict, client) -> None:
        await ack()
        actor = clicker(body)
        await workshops.set_muted(deps.uows, actor, WorkshopValue.read(action["value"]).workshop,
                                  muted)
        await publish(deps, client, actor.team_id, actor.user_id)


async def publish(deps: Deps, client, team_id: str, user_id: str) -> None:
    page = await home.page(deps.uows, team_id, user_id)
    team_url = await Slack(client).team_address()
    await client.views_publish(user_id=user_id, view=home_view(page, team_url))
