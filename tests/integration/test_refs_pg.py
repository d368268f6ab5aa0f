"""Two app instances on one PostgreSQL database: first cards that arrive together in new
workshops all get stored, each with a reference of its own."""

from __future__ import annotations

import asyncio
import contextlib

from dpflow.server import running
from dpflow.slack.emulator import SlackEmulator
from dpflow.slack.emulator.driver import SlackDriver
from tests.conftest import FACILITATOR, SECRET, Clock, exported, settings_for

WORKSHOPS, REPLIES = 5, 8


async def test_simultaneous_first_replies_are_all_stored(fresh_database):
    async with SlackEmulator() as slack, contextlib.AsyncExitStack() as stack:
        settings = settings_for(slack, fresh_database)
        apps = await asyncio.gather(*(stack.enter_async_context(
            running(settings, clock=Clock(), background=False))
            for _ in range(2)))
        drivers = [await stack.enter_async_context(SlackDriver(app.url, SECRET, slack))
                   for app in apps]
        channels = [f"CRACE{i}" for i in range(WORKSHOPS)]
        for channel in channels:
            assert (await drivers[0].command("start Race", user=FACILITATOR,
                                             channel=channel)).status == 200
        await apps[0].scheduler.run_due()
        threads = [slack.state.find_message_with_metadata("dpflow_stage_opened", c)["ts"]
                   for c in channels]

        answers = await asyncio.gather(*(
            drivers[i % 2].reply(channel, thread, f"Thing {i} happened", user=f"U{i}")
            for channel, thread in zip(channels, threads, strict=True)
            for i in range(REPLIES)))

        assert [a.status for a in answers] == [200] * WORKSHOPS * REPLIES
        for channel in channels:
            document = await exported(fresh_database, channel)
            refs = sorted(e["ref"] for e in document["events"])
            assert refs == sorted(f"E{n}" for n in range(1, REPLIES + 1))
