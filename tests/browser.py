"""Headless Chromium from Debian's packages, driven over the DevTools protocol: open a page,
collect console errors, exceptions and every request it makes, evaluate JavaScript."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", "--remote-allow-origins=*")

needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason="Chromium is not installed (apt-get install chromium)")


@dataclass
class Page:
    """One tab: what it logged and requested, and a way to ask it things."""

    ws: aiohttp.ClientWebSocketResponse
    session: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    loaded: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _waiting: dict[int, asyncio.Future] = field(default_factory=dict)

    async def send(self, method: str, session: str | None = "", **params) -> dict:
        message_id = next(self._ids)
        message = {"id": message_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session or self.session
        reply = self._waiting[message_id] = asyncio.get_running_loop().create_future()
        await self.ws.send_str(json.dumps(message))
        try:
            reply = await asyncio.wait_for(reply, 60)
        finally:
            del self._waiting[message_id]
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def evaluate(self, expression: str):
        result = await self.send("Runtime.evaluate", expression=expression, awaitPromise=True,
                                 returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(json.dumps(result["exceptionDetails"])[:2000])
        return result["result"].get("value")

    def receive(self, message: dict) -> None:
        if "id" in message and message["id"] in self._waiting:
            self._waiting[message["id"]].set_result(message)
            return
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            self.errors.append(json.dumps(params["exceptionDetails"])[:500])
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            self.errors.append(json.dumps(params["args"])[:500])
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.errors.append(params["entry"]["text"])
        elif method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Page.loadEventFired":
            self.loaded.set()


@contextlib.asynccontextmanager
async def opened(url: str) -> AsyncIterator[Page]:
    """A fresh Chromium (own profile) with one tab that has loaded `url`."""
    with tempfile.TemporaryDirectory(prefix="dpflow-chromium-") as profile:
        process = await asyncio.create_subprocess_exec(
            CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        try:
            endpoint = await asyncio.wait_for(_devtools_endpoint(process), 60)
            async with aiohttp.ClientSession() as http, http.ws_connect(
                    endpoint, max_msg_size=0) as ws:
                page = Page(ws, "")
                reader = asyncio.create_task(_read(ws, page))
                try:
                    target = await page.send("Target.createTarget", session=None,
                                             url="about:blank")
                    attached = await page.send("Target.attachToTarget", session=None,
                                               targetId=target["targetId"], flatten=True)
                    page.session = attached["sessionId"]
                    for domain in ("Runtime", "Log", "Network", "Page"):
                        await page.send(f"{domain}.enable")
                    await page.send("Page.navigate", url=url)
                    await asyncio.wait_for(page.loaded.wait(), 60)
                    yield page
                finally:
                    reader.cancel()
        finally:
            process.kill()
            await process.wait()


async def _devtools_endpoint(process) -> str:
    while line := await process.stderr.readline():
        found = re.search(rb"DevTools listening on (ws://\S+)", line)
        if found:
            asyncio.get_running_loop().create_task(_drain(process.stderr))
            return found[1].decode()
    raise RuntimeError("Chromium exited before it listened for DevTools")


async def _drain(stream) -> None:
    while await stream.readline():
        pass


async def _read(ws: aiohttp.ClientWebSocketResponse, page: Page) -> None:
    async for message in ws:
        if message.type == aiohttp.WSMsgType.TEXT:
            page.receive(json.loads(message.data))
