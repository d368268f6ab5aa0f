"""Replies in stage threads, and their edits and deletes."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from dpflow.services import contributions
from dpflow.services.context import Actor
from dpflow.services.contributions import Message
from dpflow.slack.deps import Deps

# a reply that is also sent to the channel, or carries a file, is still a reply
REPLY_SUBTYPES = {None, "thread_broadcast", "file_share"}


def register(app: AsyncApp, deps: Deps) -> None:
    @app.event("message")
    async def on_message(event: dict, body: dict) -> None:
        match event.get("subtype"):
            case "message_changed":
                await _changed(deps, body, event)
            case "message_deleted":
                await _deleted(deps, body, event)
            case subtype if subtype in REPLY_SUBTYPES and _is_reply(event):
                actor = _actor(body, event, event)
                message = Message(event["ts"], event.get("text", ""), event["thread_ts"])
                # stored with the message's ts: a retry never makes a second card
                await contributions.reply(deps.uows, actor, message)
        deps.jobs_queued()


async def _changed(deps: Deps, body: dict, event: dict) -> None:
    new, old = event.get("message", {}), event.get("previous_message", {})
    if not _is_reply(new) or new.get("text") == old.get("text"):
        return
    message = Message(new["ts"], new.get("text", ""), new["thread_ts"])
    await contributions.edited(deps.uows, _actor(body, event, new), message)


async def _deleted(deps: Deps, body: dict, event: dict) -> None:
    old = event.get("previous_message", {})
    await contributions.deleted(deps.uows, _actor(body, event, old), event["deleted_ts"])


def _is_reply(message: dict) -> bool:
    thread = message.get("thread_ts")
    return bool(thread) and thread != message.get("ts") and not message.get("bot_id") \
        and bool(message.get("user"))


def _actor(body: dict, event: dict, message: dict) -> Actor:
    return Actor(body.get("team_id") or event.get("team", ""), event["channel"],
                 message.get("user", ""))
