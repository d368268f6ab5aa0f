"""The Web API methods the emulator answers. Each handler returns the fields of an ok answer
or raises ApiError, which becomes {"ok": false, "error": ...}."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from dpflow.slack.emulator import checks
from dpflow.slack.emulator.state import (
    Canvas,
    EmulatorState,
    Ephemeral,
    Mention,
    Reaction,
    UploadedFile,
)

Json = dict[str, Any]
Handler = Callable[[EmulatorState, Json], Json]

METHODS: dict[str, Handler] = {}
JSON_PARAMS = ("blocks", "attachments", "view", "metadata", "files", "changes", "document_content")


class ApiError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name] = handler
        return handler

    return register


def decode_params(params: Json) -> Json:
    """Form and query values arrive as strings; JSON-valued ones are decoded here (a value
    that is not JSON stays a string, and the method then rejects it)."""
    decoded = dict(params)
    for key in JSON_PARAMS:
        if isinstance(decoded.get(key), str):
            with contextlib.suppress(ValueError):
                decoded[key] = json.loads(decoded[key])
    return decoded


def check_blocks(state: EmulatorState, where: str, channel: str | None, params: Json) -> None:
    """Validate text and blocks like a strict Slack, and record the mentions they contain."""
    text, blocks = params.get("text"), params.get("blocks")
    errors = checks.message_errors(text, blocks)
    if errors:
        state.invalid.append(f"{where} in {channel}: {'; '.join(errors)}")
        raise ApiError("invalid_blocks", errors=errors)
    for mention in checks.find_mentions(text, blocks):
        state.mentions.append(Mention(where, channel, mention))


# ---- helpers ------------------------------------------------------------------------------


def _require(params: Json, key: str) -> Any:
    if params.get(key) in (None, ""):
        raise ApiError("invalid_arguments", errors=[f"missing required field: {key}"])
    return params[key]


def _objects(params: Json, key: str) -> list[Json]:
    value = _require(params, key)
    if not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
        raise ApiError("invalid_arguments", errors=[f"{key} must be an array of objects"])
    return value


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _ids(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [v.strip() for v in str(value or "").split(",") if v.strip()]


def _channel(state: EmulatorState, channel_id: Any) -> str:
    channel_id = str(channel_id or "")
    if channel_id.startswith(("U", "W")) and channel_id in state.users:
        return state.open_dm(channel_id)
    if state.channel(channel_id) is None:
        raise ApiError("channel_not_found")
    return channel_id


def _user(state: EmulatorState, user_id: Any) -> Json:
    if user_id not in state.users:
        raise ApiError("user_not_found")
    return state.users[user_id]


def _message(state: EmulatorState, channel: str, ts: Any) -> Json:
    message = state.message(channel, str(ts or ""))
    if message is None:
        raise ApiError("message_not_found")
    return message


def _thread(state: EmulatorState, channel: str, ts: Any) -> str | None:
    if not ts:
        return None
    root = state.thread_root(channel, str(ts))
    if root is None:
        raise ApiError("thread_not_found")
    return root


def _check_metadata(metadata: Any) -> None:
    if metadata is None:
        return
    if not (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and isinstance(metadata.get("event_payload"), dict)
    ):
        raise ApiError("invalid_metadata_format")


def _check_content(params: Json) -> None:
    if not params.get("text") and not params.get("blocks") and not params.get("attachments"):
        raise ApiError("no_text")
    _check_metadata(params.get("metadata"))


def _bot_message(state: EmulatorState, params: Json, thread_ts: str | None) -> Json:
    message = {
        "user": state.bot_user_id,
        "bot_id": state.bot_id,
        "app_id": state.app_id,
        "team": state.team_id,
        "text": params.get("text") or "",
        "blocks": params.get("blocks"),
        "attachments": params.get("attachments"),
        "metadata": params.get("metadata"),
        "thread_ts": thread_ts,
        "reply_broadcast": _truthy(params.get("reply_broadcast")) or None,
        "unfurl_links": params.get("unfurl_links"),
        "unfurl_media": params.get("unfurl_media"),
    }
    return {k: v for k, v in message.items() if v is not None}


def _own_message(state: EmulatorState, channel: str, ts: Any, error: str) -> Json:
    message = _message(state, channel, ts)
    if message.get("bot_id") != state.bot_id:
        raise ApiError(error)
    return message


def _permalink(channel: str, message: Json) -> str:
    link = f"https://example.slack.com/archives/{channel}/p{message['ts'].replace('.', '')}"
    thread_ts = message.get("thread_ts")
    if thread_ts and thread_ts != message["ts"]:
        link += f"?thread_ts={thread_ts}&cid={channel}"
    return link


# ---- auth, chat, reactions ----------------------------------------------------------------


@method("apps.connections.open")
def _connections_open(state: EmulatorState, params: Json) -> Json:
    return {"url": state.base_url.replace("http://", "ws://", 1) + "socket"}


@method("auth.test")
def auth_test(state: EmulatorState, params: Json) -> Json:
    return {
        "url": "https://example.slack.com/",
        "team": state.team,
        "user": state.users[state.bot_user_id]["name"],
        "team_id": state.team_id,
        "user_id": state.bot_user_id,
        "bot_id": state.bot_id,
        "is_enterprise_install": False,
    }


@method("chat.postMessage")
def chat_post_message(state: EmulatorState, params: Json) -> Json:
    channel = _channel(state, params.get("channel"))
    _check_content(params)
    check_blocks(state, "chat.postMessage", channel, params)
    thread_ts = _thread(state, channel, params.get("thread_ts"))
    message = state.add_message(channel, _bot_message(state, params, thread_ts))
    return {"channel": channel, "ts": message["ts"], "message": message}


@method("chat.update")
def chat_update(state: EmulatorState, params: Json) -> Json:
    channel = _channel(state, params.get("channel"))
    message = _own_message(state, channel, params.get("ts"), "cant_update_message")
    _check_metadata(params.get("metadata"))
    check_blocks(state, "chat.update", channel, params)
    for key in ("text", "blocks", "metadata", "attachments"):
        if key in params:
            message[key] = params[key]
    message["edited"] = {"user": state.bot_user_id, "ts": state.next_ts()}
    return {"channel": channel, "ts": message["ts"], "text": message["text"], "message": message}


@method("chat.delete")
def chat_delete(state: EmulatorState, params: Json) -> Json:
    channel = _channel(state, params.get("channel"))
    message = _own_message(state, channel, params.get("ts"), "cant_delete_message")
    state.remove_message(channel, message["ts"])
    return {"channel": channel, "ts": message["ts"]}


@method("chat.postEphemeral")
def chat_post_ephemeral(state: EmulatorState, params: Json) -> Json:
    channel = _channel(state, params.get("channel"))
    user = _user(state, params.get("user"))["id"]
    _check_content(params)
    check_blocks(state, "chat.postEphemeral", channel, params)
    thread_ts = params.get("thread_ts")
    thread_ts = (state.thread_root(channel, thread_ts) or thread_ts) if thread_ts else None
    ts = state.next_ts()
    state.ephemeral_messages.append(
        Ephemeral(channel, user, params.get("text"), params.get("blocks"), thread_ts, ts)
    )
    return {"message_ts": ts}


@method("chat.getPermalink")
def chat_get_permalink(state: EmulatorState, params: Json) -> Json:
    channel = _channel(state, params.get("channel"))
    message = _message(state, channel, params.get("message_ts"))
    return {"channel": channel, "permalink": _permalink(channel, message)}


@method("reactions.add")
def reactions_add(state: EmulatorState, params: Json) -> Json:
    channel = _channel(state, params.get("channel"))
    ts = _message(state, channel, params.get("timestamp"))["ts"]
    name = str(_require(params, "name")).strip(":")
    if name in state.reactions_on(channel, ts):
        raise ApiError("already_reacted")
    state.reactions.append(Reaction(channel, ts, name, state.bot_user_id))
    return {}


@method("reactions.remove")
def reactions_remove(state: EmulatorState, params: Json) -> Json:
    channel = _channel(state, params.get("channel"))
    ts = _message(state, channel, params.get("timestamp"))["ts"]
    name = str(_require(params, "name")).strip(":")
    mine = Reaction(channel, ts, name, state.bot_user_id)
    if mine not in state.reactions:
        raise ApiError("no_reaction")
    state.reactions.remove(mine)
    return {}


# ---- views --------------------------------------------------------------------------------


def _check_view(state: EmulatorState, where: str, view: Any) -> None:
    errors = checks.view_errors(view)
    if errors:
        state.invalid.append(f"{where}: {'; '.join(errors)}")
        raise ApiError("invalid_blocks", errors=errors)


def _store_view(state: EmulatorState, view: Json, user: str | None, view_id: str | None) -> Json:
    view_id = view_id or state.new_id("V")
    stored = {
        **view,
        "id": view_id,
        "team_id": state.team_id,
        "app_id": state.app_id,
        "bot_id": state.bot_id,
        "root_view_id": view_id,
        "state": {"values": {}},
        "hash": f"{state.next_ts()}.{view_id}",
    }
    state.views[view_id] = stored
    state.view_users[view_id] = user
    return stored


def _open_view(state: EmulatorState, where: str, params: Json) -> Json:
    trigger_id = _require(params, "trigger_id")
    _check_view(state, where, params.get("view"))
    return {"view": _store_view(state, params["view"], state.triggers.get(trigger_id), None)}


@method("views.open")
def views_open(state: EmulatorState, params: Json) -> Json:
    return _open_view(state, "views.open", params)


@method("views.push")
def views_push(state: EmulatorState, params: Json) -> Json:
    return _open_view(state, "views.push", params)


@method("views.update")
def views_update(state: EmulatorState, params: Json) -> Json:
    view_id = params.get("view_id") or next(
        (
            v["id"]
            for v in state.views.values()
            if v.get("external_id") == params.get("external_id")
        ),
        None,
    )
    if view_id not in state.views:
        raise ApiError("not_found")
    old = state.views[view_id]
    if params.get("hash") and params["hash"] != old["hash"]:
        raise ApiError("hash_conflict")
    _check_view(state, "views.update", params.get("view"))
    return {"view": _store_view(state, params["view"], state.view_users[view_id], view_id)}


@method("views.publish")
def views_publish(state: EmulatorState, params: Json) -> Json:
    user = _user(state, params.get("user_id"))["id"]
    _check_view(state, "views.publish", params.get("view"))
    if params["view"]["type"] != "home":
        raise ApiError("invalid_arguments", errors=["views.publish needs a home view"])
    stored = _store_view(state, params["view"], user, state.home_views.get(user))
    state.home_views[user] = stored["id"]
    return {"view": stored}


# ---- users and conversations --------------------------------------------------------------


@method("users.info")
def users_info(state: EmulatorState, params: Json) -> Json:
    return {"user": _user(state, params.get("user"))}


@method("conversations.info")
def conversations_info(state: EmulatorState, params: Json) -> Json:
    channel = state.channels[_channel(state, params.get("channel"))]
    return {"channel": {k: v for k, v in channel.items() if k != "members"}}


@method("conversations.open")
def conversations_open(state: EmulatorState, params: Json) -> Json:
    if params.get("channel"):
        return {"channel": {"id": _channel(state, params["channel"])}}
    users = _ids(params.get("users"))
    if len(users) != 1:
        raise ApiError("invalid_arguments", errors=["the emulator opens DMs with one user"])
    return {"channel": {"id": state.open_dm(_user(state, users[0])["id"])}}


@method("conversations.history")
def conversations_history(state: EmulatorState, params: Json) -> Json:
    """The channel's messages, newest first, without thread replies (unless also sent to
    the channel); the bot must be a member."""
    channel = _readable(state, params)
    latest, oldest = str(params.get("latest") or "9" * 12), str(params.get("oldest") or "0")
    return _page([m for m in reversed(state.messages(channel)) if oldest < m["ts"] < latest],
                 params)


@method("conversations.replies")
def conversations_replies(state: EmulatorState, params: Json) -> Json:
    """A thread, oldest first: its parent, then its replies."""
    channel = _readable(state, params)
    parent = _message(state, channel, _require(params, "ts"))
    return _page([parent, *state.messages(channel, parent["ts"])], params)


def _readable(state: EmulatorState, params: Json) -> str:
    channel = _channel(state, _require(params, "channel"))
    if state.bot_user_id not in state.members(channel):
        raise ApiError("not_in_channel")
    return channel


def _page(found: list[Json], params: Json) -> Json:
    limit = _limit(params.get("limit"), default=100, most=999)
    start = int(params.get("cursor") or 0)
    page = found[start:start + limit]
    more = start + limit < len(found)
    return {"messages": [{k: v for k, v in m.items() if k != "channel"} for m in page],
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""}}


def _limit(value: Any, default: int, most: int) -> int:
    try:
        limit = int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        raise ApiError("invalid_limit") from None
    if not 1 <= limit <= most:
        raise ApiError("invalid_limit")
    return limit


@method("conversations.members")
def conversations_members(state: EmulatorState, params: Json) -> Json:
    channel = _channel(state, params.get("channel"))
    return {"members": state.members(channel), "response_metadata": {"next_cursor": ""}}


# ---- canvases -----------------------------------------------------------------------------


def _markdown(document: Any) -> str:
    if not (isinstance(document, dict) and document.get("type") == "markdown"):
        raise ApiError("invalid_arguments", errors=["document_content must be markdown"])
    return str(document.get("markdown") or "")


def _canvas(state: EmulatorState, canvas_id: Any) -> Canvas:
    if canvas_id not in state.canvases:
        raise ApiError("canvas_not_found")
    return state.canvases[canvas_id]


@method("canvases.create")
def canvases_create(state: EmulatorState, params: Json) -> Json:
    markdown = _markdown(params.get("document_content") or {"type": "markdown"})
    channel = _channel(state, params["channel_id"]) if params.get("channel_id") else None
    canvas = Canvas(state.new_id("F"), params.get("title"), markdown, channel)
    state.canvases[canvas.id] = canvas
    return {"canvas_id": canvas.id}


@method("canvases.edit")
def canvases_edit(state: EmulatorState, params: Json) -> Json:
    canvas = _canvas(state, params.get("canvas_id"))
    changes = _objects(params, "changes")
    for change in changes:
        canvas.markdown = _apply_change(canvas.markdown, change)
    canvas.edits.append(changes)
    return {}


def _apply_change(markdown: str, change: Json) -> str:
    operation = change.get("operation")
    new = _markdown(change.get("document_content"))
    if operation == "replace" and not change.get("section_id"):
        return new
    if operation == "insert_at_end":
        return markdown + new
    if operation == "insert_at_start":
        return new + markdown
    raise ApiError("invalid_arguments", errors=[f"operation not emulated: {operation}"])


@method("canvases.access.set")
def canvases_access_set(state: EmulatorState, params: Json) -> Json:
    canvas = _canvas(state, params.get("canvas_id"))
    level = _require(params, "access_level")
    channels = [_channel(state, c) for c in _ids(params.get("channel_ids"))]
    users = [_user(state, u)["id"] for u in _ids(params.get("user_ids"))]
    canvas.access.append({"access_level": level, "channel_ids": channels, "user_ids": users})
    return {}


# ---- files --------------------------------------------------------------------------------


@method("files.getUploadURLExternal")
def files_get_upload_url(state: EmulatorState, params: Json) -> Json:
    file = UploadedFile(
        state.new_id("F"), str(_require(params, "filename")), int(_require(params, "length"))
    )
    state.files[file.id] = file
    return {"upload_url": f"{state.base_url}upload/{file.id}", "file_id": file.id}


@method("files.completeUploadExternal")
def files_complete_upload(state: EmulatorState, params: Json) -> Json:
    items = _objects(params, "files")
    if any(item.get("id") not in state.files for item in items):
        raise ApiError("file_not_found")
    channels = [
        _channel(state, c) for c in _ids(params.get("channel_id") or params.get("channels"))
    ]
    files = [state.files[item["id"]] for item in items]
    for file, item in zip(files, items, strict=True):
        file.title = item.get("title") or file.filename
    for channel in channels:
        _share_files(state, channel, files, params)
    return {"files": [state.file_json(f) for f in files]}


@method("files.info")
def files_info(state: EmulatorState, params: Json) -> Json:
    file_id = _require(params, "file")
    if file_id in state.deleted_files:
        raise ApiError("file_deleted")
    file = state.files.get(file_id)
    if file is None or not state.visible_to_bot(file):
        raise ApiError("file_not_found")
    return {"file": state.file_json(file), "comments": [],
            "response_metadata": {"next_cursor": ""}}


@method("files.delete")
def files_delete(state: EmulatorState, params: Json) -> Json:
    file_id = _require(params, "file")
    if file_id in state.deleted_files:
        raise ApiError("file_deleted")
    if file_id not in state.files:
        raise ApiError("file_not_found")
    state.delete_file(file_id)
    return {}


def _share_files(
    state: EmulatorState, channel: str, files: list[UploadedFile], params: Json
) -> None:
    comment = params.get("initial_comment") or ""
    thread_ts = _thread(state, channel, params.get("thread_ts"))
    check_blocks(state, "files.completeUploadExternal", channel, {"text": comment})
    for file in files:
        file.channels.append(channel)
        file.thread_ts, file.initial_comment = thread_ts, comment or None
    message = _bot_message(state, {"text": comment}, thread_ts)
    shared = [state.file_json(f) for f in files]
    state.add_message(channel, {**message, "upload": True, "files": shared})
