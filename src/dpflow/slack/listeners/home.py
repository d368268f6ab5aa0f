"""The App Home tab."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from dpflow.services import home
from dpflow.slack.blocks.home import home_view
from dpflow.slack.deps import Deps


def register(app: AsyncApp, deps: Deps) -> None:
    @app.event("app_home_opened")
    async def home_opened(event: dict, body: dict, client) -> None:
        if event.get("tab", "home") != "home":
            return
        page = await home.page(deps.uows, body["team_id"], event["user"])
        await client.views_publish(user_id=event["user"], view=home_view(page))
