"""The one wrapper of the Slack Web API: tokens per workspace, retries on 429, and every
call dpflow makes after an answer, with its errors and batching."""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

FILES_PER_UPLOAD = 10  # files.completeUploadExternal takes a handful of files per call
HISTORY = 100  # the channel's latest messages searched for a file someone shared
ACK_REACTION = "white_check_mark"
MARK = "dpflow_post"  # the key, in a message's metadata payload, of the job post it is
PAGE, PAGES = 200, 10  # a job's earlier post is looked for among this many messages
# Slack's own failures, answered with HTTP 200: worth trying again later, never a "no"
SLACK_FAILED = ("internal_error", "fatal_error", "service_unavailable", "request_timeout",
                "ratelimited")


def retry_handlers() -> list:
    """A 429 waits its Retry-After inside the call (the scheduler runs other jobs meanwhile),
    so a call that worked is never sent again by a job's retry."""
    return [AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2)]


def web_client(api_url: str, token: str | None = None,
               session: aiohttp.ClientSession | None = None) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=api_url, retry_handlers=retry_handlers(),
                          session=session)


@dataclass
class Posting:
    """The job whose posts these are. Each post is marked with the job and its place in
    the job's run; a run again (the instance that ran it died, or it failed, after Slack
    had posted) finds its earlier posts in Slack instead of posting them twice."""

    job: int
    again: bool
    posts: int = 0

    def next_mark(self) -> str:
        self.posts += 1
        return f"{self.job}.{self.posts}"


POSTING: ContextVar[Posting | None] = ContextVar("dpflow_posting", default=None)


@contextlib.contextmanager
def posting_for(job: int, attempt: int):
    """Posts made inside are this job's (its `attempt`th run)."""
    token = POSTING.set(Posting(job, again=attempt > 1))
    try:
        yield
    finally:
        POSTING.reset(token)


def _error(e: SlackApiError) -> str:
    return e.response.get("error") or "unknown_error"


def _marked(message: dict, mark: str) -> dict:
    metadata = message.get("metadata") or {"event_type": MARK, "event_payload": {}}
    return {**message, "metadata": {**metadata, "event_payload": {
        **metadata["event_payload"], MARK: mark}}}


class CanvasRefused(Exception):
    """Slack will not make canvases here (plan, token type, scope). Slack's own failures
    (`SLACK_FAILED`) are no refusal: they raise as they are, and the job runs again."""

    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


class FileRefused(Exception):
    """Slack did not hand over a file's content."""


class Slack:
    """The calls dpflow makes in one workspace."""

    def __init__(self, api: AsyncWebClient, names: dict[str, str] | None = None):
        self.api = api
        self._names = {} if names is None else names  # user id → display name

    async def post(self, channel: str, message: dict, *, thread_ts: str | None = None,
                   broadcast: bool = False) -> str:
        """Posts a message (in a thread, also shown in the channel when `broadcast`); its ts.
        A job's post is posted once, however often the job runs."""
        posting = POSTING.get()
        if posting is not None:
            mark = posting.next_mark()
            if posting.again and (ts := await self._posted(channel, thread_ts, mark)):
                return ts
            message = _marked(message, mark)
        posted = await self.api.chat_postMessage(channel=channel, thread_ts=thread_ts,
                                                 reply_broadcast=broadcast or None, **message)
        return posted["ts"]

    async def _posted(self, channel: str, thread_ts: str | None, mark: str) -> str | None:
        """The message marked `mark` among the thread's replies or the channel's latest."""
        cursor = None
        for _ in range(PAGES):
            ask = {"channel": channel, "include_all_metadata": True, "limit": PAGE,
                   "cursor": cursor}
            page = await (self.api.conversations_replies(ts=thread_ts, **ask) if thread_ts
                          else self.api.conversations_history(**ask))
            for message in page["messages"]:
                if ((message.get("metadata") or {}).get("event_payload") or {}).get(
                        MARK) == mark:
                    return message["ts"]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None

    async def update(self, channel: str, ts: str, message: dict) -> None:
        await self.api.chat_update(channel=channel, ts=ts, **message)

    async def acknowledge(self, channel: str, ts: str) -> None:
        """The reaction on a stored reply; one that is there already, or a reply deleted
        since, counts as done."""
        try:
            await self.api.reactions_add(channel=channel, timestamp=ts, name=ACK_REACTION)
        except SlackApiError as e:
            if _error(e) not in ("already_reacted", "message_not_found"):
                raise

    async def open_view(self, trigger_id: str, view: dict) -> None:
        await self.api.views_open(trigger_id=trigger_id, view=view)

    async def open_dm(self, user: str) -> str:
        return (await self.api.conversations_open(users=user))["channel"]["id"]

    async def permalink(self, channel: str, ts: str | None) -> str | None:
        if ts is None:
            return None
        return (await self.api.chat_getPermalink(channel=channel, message_ts=ts))["permalink"]

    async def team_address(self) -> str:
        """https://<team domain>.slack.com/, where Slack serves the workspace's canvases."""
        return (await self.api.auth_test())["url"]

    async def time_zone(self, user: str) -> str:
        """The person's Slack `tz` (e.g. Europe/Rome); UTC when Slack does not say."""
        return (await self.api.users_info(user=user))["user"].get("tz") or "UTC"

    async def names(self, users: list[str]) -> dict[str, str]:
        """Display names, to credit people in summaries without notifying them."""
        for user in users:
            if user not in self._names:
                self._names[user] = await self._name(user)
        return {user: self._names[user] for user in users}

    async def _name(self, user: str) -> str:
        try:
            profile = (await self.api.users_info(user=user))["user"]
        except SlackApiError as e:
            # anyone can type `<@U…>` of someone Slack does not know or does not show
            if _error(e) in ("user_not_found", "user_not_visible"):
                return user
            raise
        return (profile.get("profile", {}).get("display_name") or profile.get("real_name")
                or profile.get("name") or user)

    async def put_canvas(self, title: str, markdown: str, channel: str,
                         canvas_id: str | None = None) -> str:
        """Edits the canvas posted before, or (none yet, or deleted in Slack since) creates
        one the channel can read; its id."""
        content = {"type": "markdown", "markdown": markdown}
        try:
            if canvas_id and await self._edited(canvas_id, content):
                return canvas_id
            created = await self.api.canvases_create(title=title, document_content=content)
            await self.api.canvases_access_set(canvas_id=created["canvas_id"],
                                               access_level="read", channel_ids=[channel])
            return created["canvas_id"]
        except SlackApiError as e:
            if _error(e) in SLACK_FAILED:
                raise
            raise CanvasRefused(_error(e)) from e

    async def _edited(self, canvas_id: str, content: dict) -> bool:
        try:
            await self.api.canvases_edit(canvas_id=canvas_id, changes=[
                {"operation": "replace", "document_content": content}])
        except SlackApiError as e:
            if _error(e) == "canvas_not_found":
                return False
            raise
        return True

    async def upload(self, channel: str, files: list[dict], *, thread_ts: str | None = None,
                     comment: str | None = None) -> list[str]:
        """Files (`content`, `filename`, `title` each) in as few calls as Slack takes; the
        comment goes with the first batch. Their ids."""
        ids = []
        for start in range(0, len(files), FILES_PER_UPLOAD):
            uploaded = await self.api.files_upload_v2(
                channel=channel, thread_ts=thread_ts,
                file_uploads=files[start:start + FILES_PER_UPLOAD],
                initial_comment=comment if start == 0 else None)
            ids += [f["id"] for f in uploaded["files"]]
        return ids

    async def shared_file(self, channel: str, user: str, name: str = "") -> dict | None:
        """The newest file `user` shared in `channel` (called `name`, when given) among its
        latest messages."""
        history = await self.api.conversations_history(channel=channel, limit=HISTORY)
        for message in history["messages"]:
            if message.get("user") != user:
                continue
            for file in message.get("files") or []:
                if not name or file.get("name", "").casefold() == name.casefold():
                    return file
        return None

    async def file(self, file_id: str) -> dict | None:
        """A file's details, None when it is gone."""
        try:
            return (await self.api.files_info(file=file_id))["file"]
        except SlackApiError as e:
            if _error(e) in ("file_not_found", "file_deleted"):
                return None
            raise

    async def download(self, file: dict, limit: int) -> bytes:
        """A file's bytes, up to one more than `limit`. Slack wants the bot token here too:
        without it, it answers with its sign-in page."""
        headers = {"Authorization": f"Bearer {self.api.token}"}
        async with aiohttp.ClientSession() as session, \
                session.get(file["url_private_download"], headers=headers) as response:
            if response.status != 200 or response.content_type == "text/html":
                raise FileRefused(f"HTTP {response.status} {response.content_type}")
            data = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                data += chunk
                if len(data) > limit:
                    break
            return bytes(data)

    async def delete_files(self, file_ids: tuple[str, ...]) -> None:
        """Files posted before; one deleted already counts as done."""
        for file_id in file_ids:
            try:
                await self.api.files_delete(file=file_id)
            except SlackApiError as e:
                if _error(e) not in ("file_not_found", "file_deleted"):
                    raise

    async def delete(self, channel: str, ts: str) -> None:
        """A message of dpflow's; one deleted already counts as done."""
        try:
            await self.api.chat_delete(channel=channel, ts=ts)
        except SlackApiError as e:
            if _error(e) != "message_not_found":
                raise


class SlackClients:
    """The Web API of a workspace: the bot token, or the stored installation's."""

    def __init__(self, api_url: str, bot_token: str | None = None,
                 installations: AsyncInstallationStore | None = None):
        self.api_url = api_url
        self._bot_token = bot_token
        self._installations = installations
        self._clients: dict[str, AsyncWebClient] = {}
        self._names: dict[str, dict[str, str]] = {}  # team → user → display name
        # one connection pool for every call: a session per call would open a connection
        # per reaction
        self._session: aiohttp.ClientSession | None = None

    async def for_team(self, team_id: str) -> Slack:
        token = self._bot_token or await self._installed_token(team_id)
        if token not in self._clients:
            self._session = self._session or aiohttp.ClientSession()
            self._clients[token] = web_client(self.api_url, token, self._session)
        return Slack(self._clients[token], self._names.setdefault(team_id, {}))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _installed_token(self, team_id: str) -> str:
        bot = await self._installations.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:
            raise LookupError(f"dpflow is not installed in workspace {team_id}")
        return bot.bot_token
