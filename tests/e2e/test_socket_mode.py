"""With SLACK_APP_TOKEN set, dpflow takes Slack's requests over Socket Mode."""

from __future__ import annotations

import asyncio
import contextlib

from dpflow.config import Settings
from dpflow.server import serve
from dpflow.slack.emulator import SlackEmulator, payloads
from tests.conftest import ALICE, CHANNEL, FACILITATOR


async def test_commands_and_replies_arrive_over_socket_mode(database_url):
    async with SlackEmulator() as slack:
        for user in (FACILITATOR, ALICE):
            slack.state.add_user(user)
        settings = Settings(slack_bot_token="xoxb-test", slack_app_token="xapp-test",
                            slack_api_url=slack.api_url, database_url=database_url)
        app = asyncio.create_task(serve(settings))
        try:
            await slack.wait_for(lambda s: slack.sockets.connections, timeout=20)
            answer = await slack.sockets.deliver(payloads.slash_command(
                "start Order fulfilment", FACILITATOR, CHANNEL))
            assert "Started" in answer["text"]
            stage = await slack.wait_for(
                lambda s: s.find_message_with_metadata("dpflow_stage_opened", CHANNEL))
            ts = slack.state.add_user_message(CHANNEL, ALICE, "Order placed",
                                              thread_ts=stage["ts"])["ts"]
            await slack.sockets.deliver(payloads.message_event(
                CHANNEL, ALICE, "Order placed", ts, thread_ts=stage["ts"]))
            await slack.wait_for(lambda s: s.reactions_on(CHANNEL, ts))
        finally:
            app.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await app
        assert slack.state.invalid == []
