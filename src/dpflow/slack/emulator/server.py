"""The emulator's HTTP side: Slack's Web API at /api/{method}, the file upload URLs and the
response_url endpoints, served by aiohttp on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web

from dpflow.slack.emulator.methods import METHODS, ApiError, check_blocks, decode_params
from dpflow.slack.emulator.socket import SocketHub
from dpflow.slack.emulator.state import (
    Call,
    EmulatorState,
    Ephemeral,
    ResponseTarget,
    ResponseUrlPost,
)

Json = dict[str, Any]
T = TypeVar("T")


class SlackEmulator:
    """A fake Slack workspace. `async with SlackEmulator() as slack:` then point
    `AsyncWebClient(base_url=slack.api_url)` at it and read `slack.state`."""

    def __init__(self, state: EmulatorState | None = None, latency: float = 0.0) -> None:
        self.state = state or EmulatorState()
        self.latency = latency
        self.canvas_error: str | None = None
        self._rate_limits: dict[str, list[int]] = {}
        self._failures: dict[str, Failure] = {}
        self._slow: dict[str, Failure] = {}
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.sockets = SocketHub()

    @property
    def api_url(self) -> str:
        return f"{self.url}api/"

    async def start(self, port: int = 0) -> SlackEmulator:
        self._runner = web.AppRunner(create_app(self))
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        bound_port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{bound_port}/"
        self.state.base_url = self.url
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SlackEmulator:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def wait_for(self, condition: Callable[[EmulatorState], T], timeout: float = 5.0) -> T:
        """Poll until `condition(state)` is truthy and return it (apps answer Slack first and
        act afterwards); TimeoutError after `timeout` seconds."""
        async with asyncio.timeout(timeout):
            while not (result := condition(self.state)):
                await asyncio.sleep(0.01)
        return result

    # ---- switches for tests ------------------------------------------------------------

    def fail_with_429(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next `times` calls of `method` with HTTP 429 and Retry-After."""
        self._rate_limits[method] = [times, retry_after]

    def fail(self, method: str, error: str = "internal_error", times: int = 1,
             delay: float = 0.0) -> None:
        """Answer the next `times` calls of `method` with `error`, each after `delay` seconds
        (a call that hangs, then fails); `times=0` stops failing."""
        self._failures[method] = Failure(error, times, delay)

    def slow(self, method: str, delay: float, times: int = 1) -> None:
        """Do the next `times` calls of `method` at once, but answer each only after `delay`
        seconds (the message is in the channel before the app learns its ts)."""
        self._slow[method] = Failure("", times, delay)

    def refuse_canvases(self, error: str | None = "not_allowed_token_type") -> None:
        """Make every canvases.* call fail with `error`; None accepts them again."""
        self.canvas_error = error

    def response_url(self, user: str, channel: str, message_ts: str | None = None) -> str:
        """A fresh response_url; `message_ts` is the message replace/delete_original act on."""
        token = self.state.new_id("R")
        self.state.response_targets[token] = ResponseTarget(user, channel, message_ts)
        return f"{self.url}response/{token}"

    # ---- request handling ---------------------------------------------------------------

    def failure(self, method: str) -> Failure | None:
        """The failure switched on for the next call of `method`, if any (it counts)."""
        return _taken(self._failures.get(method))

    def slowness(self, method: str) -> Failure | None:
        return _taken(self._slow.get(method))

    def refusal(self, method: str) -> tuple[int, Json, dict[str, str]] | None:
        """An answer that a switched-on failure mode gives instead of the method's own."""
        limit = self._rate_limits.get(method)
        if limit and limit[0] > 0:
            limit[0] -= 1
            body = {"ok": False, "error": "ratelimited"}
            return 429, body, {"Retry-After": str(limit[1])}
        if self.canvas_error and method.startswith("canvases."):
            return 200, {"ok": False, "error": self.canvas_error}, {}
        return None


def _taken(failure: Failure | None) -> Failure | None:
    return failure if failure is not None and failure.take() else None


@dataclass
class Failure:
    error: str
    times: int
    delay: float

    def take(self) -> bool:
        self.times -= 1
        return self.times >= 0


EMULATOR = web.AppKey("emulator", SlackEmulator)


def create_app(emulator: SlackEmulator) -> web.Application:
    app = web.Application(client_max_size=1024**3)
    app[EMULATOR] = emulator
    app.router.add_route("*", "/api/{method}", _api)
    app.router.add_post("/upload/{file_id}", _upload)
    app.router.add_get("/files-pri/{team}-{file_id}/{name}", _download)
    app.router.add_get("/files-pri/{team}-{file_id}/download/{name}", _download)
    app.router.add_post("/response/{token}", _response)
    app.router.add_get("/socket", emulator.sockets.handle)
    return app


async def _api(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR]
    await asyncio.sleep(emulator.latency)
    method = request.match_info["method"]
    params = decode_params(await _raw_params(request))
    failure = emulator.failure(method)
    if failure is not None:
        await asyncio.sleep(failure.delay)
        status, body, headers = 200, {"ok": False, "error": failure.error}, {}
    else:
        status, body, headers = _answer(emulator, method, params, request.headers)
        if (slow := emulator.slowness(method)) is not None:
            await asyncio.sleep(slow.delay)
    emulator.state.calls.append(Call(method, params, body["ok"], body.get("error")))
    return web.json_response(body, status=status, headers=headers)


def _answer(
    emulator: SlackEmulator, method: str, params: Json, headers: Any
) -> tuple[int, Json, dict[str, str]]:
    refused = emulator.refusal(method)
    if refused:
        return refused
    if not (headers.get("Authorization", "").startswith("Bearer ") or params.get("token")):
        return 200, {"ok": False, "error": "not_authed"}, {}
    if method not in METHODS:
        return 200, {"ok": False, "error": "unknown_method"}, {}
    try:
        return 200, {"ok": True, **METHODS[method](emulator.state, params)}, {}
    except ApiError as error:
        return 200, {"ok": False, "error": error.error, **error.extra}, {}


async def _raw_params(request: web.Request) -> Json:
    params: Json = dict(request.query)
    if request.content_type == "application/json":
        params.update(await request.json())
    elif request.can_read_body:
        params.update(dict(await request.post()))
    return params


async def _upload(request: web.Request) -> web.Response:
    state = request.app[EMULATOR].state
    file = state.files.get(request.match_info["file_id"])
    if file is None:
        return web.Response(status=404, text="file_not_found")
    file.content = await _uploaded_bytes(request)
    file.length = len(file.content)
    return web.Response(text=f"OK - {file.length}")


async def _uploaded_bytes(request: web.Request) -> bytes:
    if request.content_type != "multipart/form-data":
        return await request.read()
    reader = await request.multipart()
    async for part in reader:
        if getattr(part, "filename", None):
            return await part.read()
    return b""


SIGN_IN = "<!DOCTYPE html><html><head><title>Sign in | Slack</title></head><body></body></html>"


async def _download(request: web.Request) -> web.Response:
    """A file's content, as files.slack.com serves url_private: to a token that may see it.
    Without one, Slack answers 200 with its sign-in page, and so does the emulator."""
    state = request.app[EMULATOR].state
    file = state.files.get(request.match_info["file_id"])
    if file is None or request.match_info["team"] != state.team_id:
        return web.Response(status=404, text="file_not_found")
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    allowed = token == state.bot_token if state.bot_token else token.startswith("xoxb-")
    state.calls.append(Call("files.download", {"file": file.id}, allowed))
    if not allowed or not state.visible_to_bot(file):
        return web.Response(text=SIGN_IN, content_type="text/html")
    return web.Response(body=file.content or b"", content_type="application/octet-stream")


async def _response(request: web.Request) -> web.Response:
    state = request.app[EMULATOR].state
    target = state.response_targets.get(request.match_info["token"])
    if target is None:
        return web.Response(status=404, text="no_service")
    payload = await request.json()
    try:
        check_blocks(state, "response_url", target.channel, payload)
    except ApiError as error:
        return web.Response(status=400, text=error.error)
    state.responses.append(ResponseUrlPost(target.user, target.channel, payload))
    _apply_response(state, target, payload)
    return web.Response(text="ok")


def _apply_response(state: EmulatorState, target: ResponseTarget, payload: Json) -> None:
    """What Slack shows after a response_url post: an edit, a deletion, or a new message."""
    original = state.message(target.channel, target.message_ts or "")
    if original and payload.get("delete_original"):
        state.remove_message(target.channel, original["ts"])
    elif original and payload.get("replace_original"):
        original.update({k: payload[k] for k in ("text", "blocks") if k in payload})
    elif payload.get("response_type") == "in_channel":
        message = {"user": state.bot_user_id, "bot_id": state.bot_id, "text": payload.get("text")}
        state.add_message(target.channel, {**message, "blocks": payload.get("blocks")})
    else:
        thread_ts = payload.get("thread_ts")
        state.ephemeral_messages.append(
            Ephemeral(
                target.channel,
                target.user,
                payload.get("text"),
                payload.get("blocks"),
                thread_ts,
                state.next_ts(),
            )
        )
