"""Socket Mode, as Slack runs it: `apps.connections.open` hands out a WebSocket URL on the
emulator; requests arrive there as envelopes, and the app acknowledges each by its id."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from dpflow.slack.emulator.payloads import Request

Json = dict[str, Any]


class SocketHub:
    """The app's open connections, and the acknowledgements it owes."""

    def __init__(self) -> None:
        self.connections: list[web.WebSocketResponse] = []
        self._acks: dict[str, asyncio.Future] = {}

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": len(self.connections) + 1,
                            "connection_info": {"app_id": "AAPP"}})
        self.connections.append(ws)
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._acknowledged(json.loads(message.data))
        finally:
            self.connections.remove(ws)
        return ws

    async def deliver(self, request: Request, timeout: float = 10.0) -> Json:
        """Send one request (as built by `payloads`) as an envelope; the app's ack payload."""
        envelope_type, payload = _envelope(request)
        envelope_id = uuid.uuid4().hex
        future = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = future
        await self.connections[-1].send_json({
            "envelope_id": envelope_id, "type": envelope_type, "payload": payload,
            "accepts_response_payload": envelope_type != "events_api"})
        async with asyncio.timeout(timeout):
            return await future

    def _acknowledged(self, ack: Json) -> None:
        future = self._acks.pop(ack.get("envelope_id", ""), None)
        if future is not None and not future.done():
            future.set_result(ack.get("payload") or {})


def _envelope(request: Request) -> tuple[str, Json]:
    body, content_type = request
    if content_type.startswith("application/json"):
        return "events_api", json.loads(body)
    fields = dict(parse_qsl(body.decode()))
    if "payload" in fields:
        return "interactive", json.loads(fields["payload"])
    return "slash_commands", fields
