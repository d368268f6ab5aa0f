"""In-memory state of the Slack emulator: what the app posted, and who is in the workspace."""

from __future__ import annotations

import itertools
import mimetypes
import time
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]


@dataclass
class Call:
    method: str
    params: Json
    ok: bool
    error: str | None = None


@dataclass
class Ephemeral:
    channel: str
    user: str
    text: str | None
    blocks: list[Json] | None
    thread_ts: str | None
    message_ts: str


@dataclass
class Reaction:
    channel: str
    ts: str
    name: str
    user: str


@dataclass
class Canvas:
    id: str
    title: str | None
    markdown: str
    channel_id: str | None = None
    access: list[Json] = field(default_factory=list)
    edits: list[list[Json]] = field(default_factory=list)


@dataclass
class UploadedFile:
    id: str
    filename: str
    length: int
    title: str | None = None
    content: bytes | None = None
    channels: list[str] = field(default_factory=list)
    thread_ts: str | None = None
    initial_comment: str | None = None
    user: str = "UBOT"  # who uploaded it
    created: int = field(default_factory=lambda: int(time.time()))


@dataclass
class Mention:
    method: str
    channel: str | None
    mention: str


@dataclass
class ResponseUrlPost:
    user: str
    channel: str
    payload: Json


@dataclass
class ResponseTarget:
    user: str
    channel: str
    message_ts: str | None


class EmulatorState:
    """Everything the emulated workspace knows. Messages are stored in Slack's own shape."""

    def __init__(self, team_id: str = "T1", team: str = "dpflow-test") -> None:
        self.team_id = team_id
        self.team = team
        # the bot token file downloads must carry (any xoxb- token while None)
        self.bot_token: str | None = None
        self.bot_user_id = "UBOT"
        self.bot_id = "BBOT"
        self.app_id = "AAPP"
        self.base_url = ""
        self.channels: dict[str, Json] = {}
        self.users: dict[str, Json] = {}
        self.channel_messages: dict[str, list[Json]] = {}
        self.ephemeral_messages: list[Ephemeral] = []
        self.reactions: list[Reaction] = []
        self.views: dict[str, Json] = {}
        self.view_users: dict[str, str | None] = {}
        self.home_views: dict[str, str] = {}
        self.canvases: dict[str, Canvas] = {}
        self.files: dict[str, UploadedFile] = {}
        self.deleted_files: set[str] = set()
        self.dms: dict[str, str] = {}
        self.triggers: dict[str, str] = {}
        self.response_targets: dict[str, ResponseTarget] = {}
        self.responses: list[ResponseUrlPost] = []
        self.calls: list[Call] = []
        self.invalid: list[str] = []
        self.mentions: list[Mention] = []
        self._ids = itertools.count(1)
        self._last_ts_us = 0
        self.add_user(self.bot_user_id, "dpflow", real_name="dpflow", is_bot=True)

    # ---- seeding -------------------------------------------------------------------------

    def add_user(
        self,
        id: str,
        name: str | None = None,
        *,
        real_name: str | None = None,
        tz: str = "UTC",
        tz_offset: int = 0,
        is_bot: bool = False,
    ) -> Json:
        user = {
            "id": id,
            "team_id": self.team_id,
            "name": name or id.lower(),
            "real_name": real_name or name or id,
            "tz": tz,
            "tz_offset": tz_offset,
            "is_bot": is_bot,
            "deleted": False,
            "profile": {"real_name": real_name or name or id, "display_name": name or id},
        }
        self.users[id] = user
        return user

    def ensure_user(self, id: str) -> Json:
        return self.users.get(id) or self.add_user(id)

    def add_channel(
        self, id: str, name: str | None = None, members: list[str] | None = None
    ) -> Json:
        """Add a channel; `members=None` means every user of the workspace is a member."""
        channel = {
            "id": id,
            "name": name or id.lower(),
            "is_channel": id.startswith("C"),
            "is_private": id.startswith("G"),
            "is_im": id.startswith("D"),
            "members": members,
        }
        self.channels[id] = channel
        self.channel_messages.setdefault(id, [])
        return channel

    def channel(self, id: str) -> Json | None:
        """A known channel; public/private channel ids (C…, G…) are created on first use."""
        if id not in self.channels and id[:1] in ("C", "G"):
            self.add_channel(id)
        return self.channels.get(id)

    def members(self, channel_id: str) -> list[str]:
        members = self.channels[channel_id]["members"]
        return list(self.users) if members is None else list(members)

    def open_dm(self, user: str) -> str:
        if user not in self.dms:
            self.dms[user] = self.new_id("D")
            self.add_channel(self.dms[user], user, members=[user, self.bot_user_id])
        return self.dms[user]

    # ---- ids and timestamps --------------------------------------------------------------

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08X}"

    def next_ts(self) -> str:
        """A unique, increasing message ts near the current time, e.g. "1700000000.000100"."""
        self._last_ts_us = max(int(time.time() * 1_000_000), self._last_ts_us + 1)
        return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    # ---- messages ------------------------------------------------------------------------

    def add_message(self, channel: str, message: Json) -> Json:
        """Store a message (Slack's shape plus a "channel" key); gives it a ts if it has none."""
        message = {"type": "message", "channel": channel, "ts": self.next_ts(), **message}
        self.channel_messages.setdefault(channel, []).append(message)
        return message

    def add_user_message(
        self, channel: str, user: str, text: str, thread_ts: str | None = None
    ) -> Json:
        self.ensure_user(user)
        self.channel(channel)
        message = {"user": user, "text": text, "team": self.team_id}
        if thread_ts:
            message["thread_ts"] = self.thread_root(channel, thread_ts) or thread_ts
        return self.add_message(channel, message)

    def message(self, channel: str, ts: str) -> Json | None:
        return next((m for m in self.channel_messages.get(channel, []) if m["ts"] == ts), None)

    def thread_root(self, channel: str, ts: str) -> str | None:
        """The ts of the thread that a reply to message `ts` joins; marks the parent as such."""
        parent = self.message(channel, ts)
        if parent is None:
            return None
        root = self.message(channel, parent.get("thread_ts") or ts) or parent
        root["thread_ts"] = root["ts"]
        return root["ts"]

    def share_file(self, channel: str, user: str, filename: str, content: bytes,
                   text: str = "") -> tuple[UploadedFile, Json]:
        """`user` drops a file into `channel`: the file, and the message that shares it."""
        self.ensure_user(user)
        self.channel(channel)
        file = UploadedFile(self.new_id("F"), filename, len(content), filename, content,
                            [channel], user=user)
        self.files[file.id] = file
        message = {"user": user, "text": text, "team": self.team_id, "upload": True,
                   "display_as_bot": False, "files": [self.file_json(file)]}
        return file, self.add_message(channel, message)

    def file_json(self, file: UploadedFile) -> Json:
        """A file as the Web API describes it, with the URLs that serve its content."""
        url = f"{self.base_url}files-pri/{self.team_id}-{file.id}/"
        mimetype = mimetypes.guess_type(file.filename)[0] or "application/octet-stream"
        return {
            "id": file.id,
            "created": file.created,
            "name": file.filename,
            "title": file.title,
            "mimetype": mimetype,
            "filetype": file.filename.rsplit(".", 1)[-1].lower() if "." in file.filename else "",
            "user": file.user,
            "size": file.length,
            "mode": "hosted",
            "channels": list(file.channels),
            "url_private": url + file.filename,
            "url_private_download": f"{url}download/{file.filename}",
            "permalink": f"https://example.slack.com/files/{file.user}/{file.id}/{file.filename}",
        }

    def visible_to_bot(self, file: UploadedFile) -> bool:
        """The bot sees the files it uploaded and those shared where it is a member."""
        return file.user == self.bot_user_id or any(
            self.bot_user_id in self.members(c) for c in file.channels if c in self.channels)

    def delete_file(self, file_id: str) -> None:
        """Gone from the workspace and from the messages that shared it; a message that
        only shared files goes when its last file does."""
        del self.files[file_id]
        self.deleted_files.add(file_id)
        for channel, messages in self.channel_messages.items():
            for message in messages:
                message["files"] = [f for f in message.get("files", []) if f["id"] != file_id]
            self.channel_messages[channel] = [
                m for m in messages if not (m.get("upload") and not m["files"] and not m["text"])]

    def remove_message(self, channel: str, ts: str) -> None:
        self.channel_messages[channel] = [
            m for m in self.channel_messages.get(channel, []) if m["ts"] != ts
        ]

    # ---- queries for tests ---------------------------------------------------------------

    def messages(self, channel: str, thread_ts: str | None = None) -> list[Json]:
        """Without thread_ts: what shows in the channel (top-level and broadcast replies).
        With thread_ts: the replies in that thread, without the parent."""
        found = self.channel_messages.get(channel, [])
        if thread_ts is None:
            return [m for m in found if _in_channel_view(m)]
        return [m for m in found if m.get("thread_ts") == thread_ts and m["ts"] != thread_ts]

    def ephemerals(self, user: str | None = None) -> list[Ephemeral]:
        return [e for e in self.ephemeral_messages if user is None or e.user == user]

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def find_message_with_metadata(
        self, event_type: str, channel: str | None = None, **payload: Any
    ) -> Json | None:
        """The latest message whose metadata has this event_type and these payload values."""
        for message in reversed(self._all_messages(channel)):
            metadata = message.get("metadata") or {}
            values = metadata.get("event_payload") or {}
            if metadata.get("event_type") == event_type and all(
                values.get(k) == v for k, v in payload.items()
            ):
                return message
        return None

    def views_for(self, user: str) -> list[Json]:
        """The modals opened (or pushed) for this user, oldest first, as last updated."""
        return [
            v
            for v in self.views.values()
            if self.view_users.get(v["id"]) == user and v.get("type") == "modal"
        ]

    def home_view(self, user: str) -> Json | None:
        view_id = self.home_views.get(user)
        return self.views[view_id] if view_id else None

    def reactions_on(self, channel: str, ts: str) -> list[str]:
        return [r.name for r in self.reactions if r.channel == channel and r.ts == ts]

    def _all_messages(self, channel: str | None) -> list[Json]:
        if channel is not None:
            return self.channel_messages.get(channel, [])
        every = [m for messages in self.channel_messages.values() for m in messages]
        return sorted(every, key=lambda m: m["ts"])


def _in_channel_view(message: Json) -> bool:
    thread_ts = message.get("thread_ts")
    return thread_ts is None or thread_ts == message["ts"] or bool(message.get("reply_broadcast"))
