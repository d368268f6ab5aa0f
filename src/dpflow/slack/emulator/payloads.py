"""What Slack sends to the app, in Slack's shapes, and the request signature.

Every builder returns `(body, content_type)`, ready to be signed with `sign` and posted to
the app's /slack/events."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

Json = dict[str, Any]
Request = tuple[bytes, str]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
APP_ID = "AAPP"
BOT_USER = "UBOT"
VERIFICATION_TOKEN = "legacy-verification-token"


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack adds to every request: timestamp and v0 HMAC-SHA256 signature."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    base = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def now_ts() -> str:
    return f"{time.time():.6f}"


def new_trigger_id() -> str:
    return f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex}"


# ---- slash commands -----------------------------------------------------------------------


def slash_command(
    text: str,
    user: str,
    channel: str,
    team: str = "T1",
    response_url: str = "",
    command: str = "/dpflow",
    trigger_id: str | None = None,
) -> Request:
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team,
        "team_domain": "example",
        "channel_id": channel,
        "channel_name": channel.lower(),
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    return urlencode(fields).encode(), FORM


# ---- events -------------------------------------------------------------------------------


def event_callback(event: Json, team: str = "T1", event_id: str | None = None) -> Request:
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team,
                "user_id": BOT_USER,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{uuid.uuid4().hex}",
    }
    return json.dumps(envelope).encode(), JSON


def _channel_type(channel: str) -> str:
    return {"D": "im", "G": "group"}.get(channel[:1], "channel")


def _user_message(user: str | None, text: str, ts: str, thread_ts: str | None, team: str) -> Json:
    message = {"type": "message", "user": user, "text": text, "ts": ts, "team": team}
    if thread_ts:
        message["thread_ts"] = thread_ts
    return message


def message_event(
    channel: str,
    user: str,
    text: str,
    ts: str,
    thread_ts: str | None = None,
    team: str = "T1",
    event_id: str | None = None,
) -> Request:
    event = {
        **_user_message(user, text, ts, thread_ts, team),
        "client_msg_id": str(uuid.uuid4()),
        "channel": channel,
        "event_ts": ts,
        "channel_type": _channel_type(channel),
    }
    return event_callback(event, team, event_id)


def file_shared(channel: str, message: Json, team: str = "T1") -> Request:
    """The message event of a file someone dropped into a channel."""
    event = {
        **{k: v for k, v in message.items() if k != "channel"},
        "subtype": "file_share",
        "channel": channel,
        "event_ts": message["ts"],
        "channel_type": _channel_type(channel),
    }
    return event_callback(event, team)


def message_changed(
    channel: str,
    ts: str,
    thread_ts: str | None,
    new_text: str,
    user: str,
    old_text: str = "",
    team: str = "T1",
) -> Request:
    event_ts = now_ts()
    message = _user_message(user, new_text, ts, thread_ts, team)
    event = {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": channel,
        "channel_type": _channel_type(channel),
        "ts": event_ts,
        "event_ts": event_ts,
        "message": {**message, "edited": {"user": user, "ts": event_ts}},
        "previous_message": _user_message(user, old_text, ts, thread_ts, team),
    }
    return event_callback(event, team)


def message_deleted(
    channel: str,
    ts: str,
    thread_ts: str | None,
    user: str | None = None,
    old_text: str = "",
    team: str = "T1",
) -> Request:
    event_ts = now_ts()
    event = {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": channel,
        "channel_type": _channel_type(channel),
        "ts": event_ts,
        "event_ts": event_ts,
        "deleted_ts": ts,
        "previous_message": _user_message(user, old_text, ts, thread_ts, team),
    }
    return event_callback(event, team)


def reaction_added(
    user: str, channel: str, ts: str, name: str, item_user: str | None = None, team: str = "T1"
) -> Request:
    event = {
        "type": "reaction_added",
        "user": user,
        "reaction": name,
        "item_user": item_user,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": now_ts(),
    }
    return event_callback(event, team)


def app_home_opened(user: str, channel: str = "D0", team: str = "T1") -> Request:
    event = {
        "type": "app_home_opened",
        "user": user,
        "channel": channel,
        "tab": "home",
        "event_ts": now_ts(),
    }
    return event_callback(event, team)


# ---- interactivity ------------------------------------------------------------------------


def interaction(payload: Json) -> Request:
    return urlencode({"payload": json.dumps(payload)}).encode(), FORM


def _who(user: str, team: str) -> Json:
    return {
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
        "team": {"id": team, "domain": "example"},
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "is_enterprise_install": False,
        "enterprise": None,
    }


def block_actions(
    user: str,
    channel: str | None,
    action_id: str,
    value: str | None = None,
    message_ts: str | None = None,
    view: Json | None = None,
    trigger_id: str | None = None,
    response_url: str | None = None,
    block_id: str = "actions",
    team: str = "T1",
    message: Json | None = None,
    action: Json | None = None,
) -> Request:
    """A click: on a message (message_ts, optionally the full `message`) or in a view.
    `action` replaces the default button action (e.g. a static_select with selected_option)."""
    payload = {
        "type": "block_actions",
        **_who(user, team),
        "trigger_id": trigger_id or new_trigger_id(),
        "actions": [action or _button(action_id, block_id, value)],
        "state": {"values": {}},
    }
    if channel:
        payload["channel"] = {"id": channel, "name": channel.lower()}
    if message_ts:
        message = message or {"type": "message", "ts": message_ts, "text": ""}
        payload["message"] = message
        payload["container"] = _message_container(channel, message)
        payload["response_url"] = response_url
    if view is not None:
        payload["view"] = view
        payload["container"] = {"type": "view", "view_id": view.get("id")}
    return interaction(payload)


def _button(action_id: str, block_id: str, value: str | None) -> Json:
    return {
        "type": "button",
        "action_id": action_id,
        "block_id": block_id,
        "text": {"type": "plain_text", "text": action_id},
        "value": value,
        "action_ts": now_ts(),
    }


def _message_container(channel: str | None, message: Json) -> Json:
    container = {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": channel,
        "is_ephemeral": False,
    }
    if message.get("thread_ts"):
        container["thread_ts"] = message["thread_ts"]
    return container


def modal_view(
    callback_id: str,
    state_values: Json,
    private_metadata: str = "",
    view_id: str | None = None,
    team: str = "T1",
    blocks: list[Json] | None = None,
) -> Json:
    """The `view` object of a view_submission (or of a block action inside a modal)."""
    view_id = view_id or f"V{uuid.uuid4().hex[:10].upper()}"
    return {
        "id": view_id,
        "team_id": team,
        "type": "modal",
        "blocks": blocks or [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": state_values},
        "hash": f"{int(time.time())}.{uuid.uuid4().hex[:8]}",
        "title": {"type": "plain_text", "text": "dpflow"},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": None,
        "submit": {"type": "plain_text", "text": "Submit"},
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": APP_ID,
        "external_id": "",
        "app_installed_team_id": team,
        "bot_id": "BBOT",
    }


def view_submission(
    user: str,
    callback_id: str,
    state_values: Json,
    private_metadata: str = "",
    view_id: str | None = None,
    team: str = "T1",
    view: Json | None = None,
) -> Request:
    """`state_values` is Slack's view.state.values: {block_id: {action_id: {type, value…}}}.
    A given `view` (e.g. the one the app opened) is used as is, with these state values."""
    view = view or modal_view(callback_id, state_values, private_metadata, view_id, team)
    payload = {
        "type": "view_submission",
        **_who(user, team),
        "trigger_id": new_trigger_id(),
        "view": {**view, "state": {"values": state_values}},
        "response_urls": [],
    }
    return interaction(payload)


def message_shortcut(
    user: str,
    channel: str,
    callback_id: str,
    message: Json,
    trigger_id: str | None = None,
    response_url: str = "",
    team: str = "T1",
) -> Request:
    payload = {
        "type": "message_action",
        **_who(user, team),
        "callback_id": callback_id,
        "trigger_id": trigger_id or new_trigger_id(),
        "action_ts": now_ts(),
        "channel": {"id": channel, "name": channel.lower()},
        "message_ts": message["ts"],
        "message": message,
        "response_url": response_url,
    }
    return interaction(payload)


def global_shortcut(
    user: str, callback_id: str, trigger_id: str | None = None, team: str = "T1"
) -> Request:
    payload = {
        "type": "shortcut",
        **_who(user, team),
        "callback_id": callback_id,
        "trigger_id": trigger_id or new_trigger_id(),
        "action_ts": now_ts(),
    }
    return interaction(payload)
