"""Showing a refusal or a failure where the person will see it."""

from __future__ import annotations

import contextlib
import json

from slack_bolt.response import BoltResponse

from dpflow.slack.blocks.kit import reply
from dpflow.slack.ids import Block
from dpflow.slack.text import plain, said

LAST_RETRY = 3  # Slack resends a failed event three times


async def show(message: str, body: dict, client, respond,
               people: tuple[str, ...] = ()) -> BoltResponse:
    """The surface follows the request: command → its answer, modal → inline error,
    thread reply → ephemeral in the thread, button → ephemeral via response_url. The
    message is shown literally but for the mentions of `people`."""
    kind = body.get("type")
    if kind == "view_submission":  # plain text, where Slack decodes no &lt;
        return _json({"response_action": "errors",
                      "errors": {_error_block(body.get("view") or {}): plain(message)[:2000]}})
    message = said(message, people)
    if "command" in body:
        return _json(reply(message))
    if kind == "event_callback":
        await _ephemeral_in_thread(client, body["event"], message)
    elif body.get("response_url") or body.get("response_urls"):
        await respond(**reply(message), replace_original=False)
    elif body.get("trigger_id"):
        await client.views_open(trigger_id=body["trigger_id"], view=notice_view(message))
    return BoltResponse(status=200, body="")


async def failed(incident: str, body: dict, retry: int, client, respond) -> BoltResponse:
    """An unexpected failure, answered so that nothing is lost. Slack resends events (the
    dedupe keys make that safe), so an event gets a 500 and its author hears of it only
    after Slack's last try. A command is never resent: its answer carries the incident id.
    A form stays open with the id, to submit again. A button shows the id, and Slack marks
    the click as failed."""
    message = (f"Something went wrong on dpflow's side (error id `{incident}`). If what you "
               "did does not show, try it again in a moment; if this keeps happening, give "
               "the id to whoever runs dpflow.")
    if "command" in body or body.get("type") == "view_submission":
        return await show(message, body, client, respond)
    if body.get("type") != "event_callback" or retry >= LAST_RETRY:
        with contextlib.suppress(Exception):  # telling may fail too: the logs have the id
            await show(message, body, client, respond)
    return BoltResponse(status=500, body="")


def notice_view(message: str) -> dict:
    return {"type": "modal", "title": {"type": "plain_text", "text": "dpflow"},
            "close": {"type": "plain_text", "text": "OK"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": message[:3000]}}]}


async def _ephemeral_in_thread(client, event: dict, message: str) -> None:
    inner = event.get("message") or event
    user, channel = inner.get("user") or event.get("user"), event.get("channel")
    if user and channel:
        await client.chat_postEphemeral(channel=channel, user=user, text=message,
                                        thread_ts=inner.get("thread_ts"))


def _error_block(view: dict) -> str:
    """The free-text input where a form has one, else its first input."""
    inputs = [b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"]
    return Block.LINE if Block.LINE in inputs or not inputs else inputs[0]


def _json(payload: dict) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(payload),
                        headers={"content-type": ["application/json;charset=utf-8"]})
