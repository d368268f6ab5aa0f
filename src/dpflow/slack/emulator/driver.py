"""Plays the people of the workspace: sends signed Slack requests to the app, and keeps the
emulator's state in step (a user's message exists in the emulator before its event is sent)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from dpflow.slack.emulator import payloads
from dpflow.slack.emulator.server import SlackEmulator
from dpflow.slack.emulator.state import Json, Reaction


@dataclass
class AppResponse:
    """The app's answer to one request. `ts` is the user message the request was about,
    `event_id` the event's id (to redeliver it as a retry)."""

    status: int
    text: str
    elapsed: float
    headers: dict[str, str]
    ts: str | None = None
    event_id: str | None = None

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            return None


class SlackDriver:
    def __init__(
        self, app_url: str, signing_secret: str, emulator: SlackEmulator, team: str = "T1"
    ) -> None:
        self.events_url = app_url.rstrip("/") + "/slack/events"
        self.signing_secret = signing_secret
        self.emulator = emulator
        self.state = emulator.state
        self.team = team
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SlackDriver:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(
        self, request: payloads.Request, headers: dict[str, str] | None = None
    ) -> AppResponse:
        """Sign and post one request built by `payloads`."""
        body, content_type = request
        all_headers = {"Content-Type": content_type, **payloads.sign(self.signing_secret, body)}
        self._session = self._session or aiohttp.ClientSession()
        started = time.monotonic()
        async with self._session.post(
            self.events_url, data=body, headers={**all_headers, **(headers or {})}
        ) as response:
            text = await response.text()
            elapsed = time.monotonic() - started
            return AppResponse(response.status, text, elapsed, dict(response.headers))

    def _trigger(self, user: str) -> str:
        trigger_id = payloads.new_trigger_id()
        self.state.triggers[trigger_id] = user
        return trigger_id

    # ---- what people do -------------------------------------------------------------------

    async def command(
        self, text: str, user: str, channel: str, command: str = "/dpflow"
    ) -> AppResponse:
        self.state.ensure_user(user)
        self.state.channel(channel)
        request = payloads.slash_command(
            text,
            user,
            channel,
            self.team,
            self.emulator.response_url(user, channel),
            command,
            self._trigger(user),
        )
        return await self.send(request)

    async def reply(
        self,
        channel: str,
        thread_ts: str | None,
        text: str,
        user: str,
        *,
        ts: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        event_id: str | None = None,
    ) -> AppResponse:
        """Post `text` as `user` in the thread (or in the channel when thread_ts is None).
        To redeliver the same event as Slack's retry, pass the first answer's `ts` and
        `event_id` with `retry_num`."""
        if ts is None:
            message = self.state.add_user_message(channel, user, text, thread_ts)
            ts, thread_ts = message["ts"], message.get("thread_ts")
        request = payloads.message_event(channel, user, text, ts, thread_ts, self.team, event_id)
        event_id = json.loads(request[0])["event_id"]
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        response = await self.send(request, headers)
        response.ts, response.event_id = ts, event_id
        return response

    async def share_file(self, channel: str, user: str, filename: str, content: bytes,
                         text: str = "") -> AppResponse:
        """`user` drops a file into `channel`; `ts` of the answer is the sharing message's."""
        _, message = self.state.share_file(channel, user, filename, content, text)
        return await self._about(payloads.file_shared(channel, message, self.team),
                                 message["ts"])

    async def edit(self, channel: str, ts: str, text: str, user: str) -> AppResponse:
        message = self._message(channel, ts)
        old_text, message["text"] = message["text"], text
        request = payloads.message_changed(
            channel, ts, message.get("thread_ts"), text, user, old_text, self.team
        )
        return await self._about(request, ts)

    async def delete(self, channel: str, ts: str, user: str) -> AppResponse:
        message = self._message(channel, ts)
        self.state.remove_message(channel, ts)
        request = payloads.message_deleted(
            channel, ts, message.get("thread_ts"), user, message["text"], self.team
        )
        return await self._about(request, ts)

    async def react(self, channel: str, ts: str, name: str, user: str) -> AppResponse:
        message = self._message(channel, ts)
        self.state.reactions.append(Reaction(channel, ts, name, user))
        request = payloads.reaction_added(user, channel, ts, name, message.get("user"), self.team)
        return await self._about(request, ts)

    async def click(
        self,
        user: str,
        action_id: str,
        *,
        channel: str | None = None,
        message_ts: str | None = None,
        value: str | None = None,
        view_id: str | None = None,
        block_id: str = "actions",
        action: Json | None = None,
    ) -> AppResponse:
        """Click a button (or use `action`) on message `message_ts` in `channel`, or in the
        view `view_id` the app opened or published."""
        self.state.ensure_user(user)
        message = self._message(channel, message_ts) if channel and message_ts else None
        response_url = self.emulator.response_url(user, channel, message_ts) if channel else None
        view = self.state.views[view_id] if view_id else None
        request = payloads.block_actions(
            user,
            channel,
            action_id,
            value,
            message_ts,
            view,
            self._trigger(user),
            response_url,
            block_id,
            self.team,
            message,
            action,
        )
        return await self.send(request)

    async def submit(
        self,
        user: str,
        values: Json,
        *,
        view_id: str | None = None,
        callback_id: str = "",
        private_metadata: str = "",
    ) -> AppResponse:
        """Submit a modal with Slack's state values {block_id: {action_id: {...}}}: the one
        the app opened (`view_id`, keeping its callback_id and private_metadata), or one
        described by callback_id and private_metadata."""
        self.state.ensure_user(user)
        view = self.state.views[view_id] if view_id else None
        request = payloads.view_submission(
            user, callback_id, values, private_metadata, view_id, self.team, view
        )
        return await self.send(request)

    async def shortcut(
        self,
        user: str,
        callback_id: str,
        *,
        channel: str | None = None,
        message_ts: str | None = None,
    ) -> AppResponse:
        """A message shortcut on `message_ts` in `channel`, or a global shortcut."""
        self.state.ensure_user(user)
        if channel and message_ts:
            request = payloads.message_shortcut(
                user,
                channel,
                callback_id,
                self._message(channel, message_ts),
                self._trigger(user),
                self.emulator.response_url(user, channel),
                self.team,
            )
        else:
            request = payloads.global_shortcut(user, callback_id, self._trigger(user), self.team)
        return await self.send(request)

    async def home_opened(self, user: str) -> AppResponse:
        self.state.ensure_user(user)
        return await self.send(payloads.app_home_opened(user, self.state.open_dm(user), self.team))

    async def _about(self, request: payloads.Request, ts: str) -> AppResponse:
        response = await self.send(request)
        response.ts = ts
        return response

    def _message(self, channel: str, ts: str) -> Json:
        message = self.state.message(channel, ts)
        if message is None:
            raise LookupError(f"no message {ts} in {channel} in the emulator")
        return message
