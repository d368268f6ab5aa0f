"""A slash command or interaction replayed within Slack's five-minute window is answered
without acting (events need no guard: a reply is keyed by its message)."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from dpflow.services import replays
from dpflow.slack.deps import Deps

log = logging.getLogger("dpflow")

ACTING = {"block_actions", "view_submission", "shortcut", "message_action"}


def register(app: AsyncApp, deps: Deps) -> None:
    @app.middleware
    async def once(request: AsyncBoltRequest, body: dict, next_) -> BoltResponse | None:
        signature = (request.headers.get("x-slack-signature") or [""])[0]
        acts = "command" in body or body.get("type") in ACTING
        # Socket Mode requests carry no signature: the WebSocket is not replayable
        if acts and signature and not await replays.first_time(deps.uows, signature):
            log.warning("refused a replayed %s", body.get("command") or body.get("type"))
            return BoltResponse(status=200, body="")
        return await next_()
