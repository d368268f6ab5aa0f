"""Two app instances on one PostgreSQL database: both migrate at start, and every job —
stage messages, reminders, DM nudges, the deadline — is sent exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import json

from dpflow.server import running
from dpflow.slack.emulator import SlackEmulator
from dpflow.slack.emulator.driver import SlackDriver
from tests.conftest import ALICE, BOB, CHANNEL, FACILITATOR, SECRET, Clock, seed, settings_for


async def test_two_instances_send_each_reminder_once(fresh_database):
    async with SlackEmulator() as slack, contextlib.AsyncExitStack() as stack:
        seed(slack)
        clock = Clock()
        settings = settings_for(slack, fresh_database)
        apps = await asyncio.gather(*(stack.enter_async_context(
            running(settings, clock=clock, background=False))
            for _ in range(2)))
        driver = await stack.enter_async_context(SlackDriver(apps[0].url, SECRET, slack))

        async def both_run(**advance) -> None:
            clock.advance(**advance)
            await asyncio.gather(*(app.scheduler.run_due() for app in apps))

        await driver.command("start Order fulfilment", user=FACILITATOR, channel=CHANNEL)
        await both_run()
        events = slack.state.find_message_with_metadata("dpflow_stage_opened", CHANNEL)
        await driver.reply(CHANNEL, events["ts"], "Order placed", user=ALICE)
        await driver.reply(CHANNEL, events["ts"], "Order paid", user=BOB)
        await driver.command("next", user=FACILITATOR, channel=CHANNEL)
        await both_run()
        flow = slack.state.find_message_with_metadata("dpflow_stage_opened", CHANNEL,
                                                      stage="flow")["ts"]
        due = await driver.command("due in 2d", user=FACILITATOR, channel=CHANNEL)
        assert due.status == 200
        for _ in range(49):
            await both_run(hours=1)

        posted = [json.dumps(m) for m in slack.state.messages(CHANNEL, flow)]
        assert sum("closes" in m for m in posted) == 2  # 24 h and 1 h before
        assert sum("deadline of this stage has passed" in m for m in posted) == 1
        assert len(slack.state.messages(slack.state.dms[ALICE])) == 1
        assert len(slack.state.messages(slack.state.dms[BOB])) == 1
        opened = [m for m in slack.state.messages(CHANNEL)
                  if (m.get("metadata") or {}).get("event_type") == "dpflow_stage_opened"]
        assert len(opened) == 2  # events and flow, each posted once


async def test_two_instances_run_jobs_side_by_side_each_once_and_a_workshops_in_order(
        fresh_database):
    """Three workshops, each with reactions and two stage changes queued, run by two
    instances at once: every job runs once, and within a workshop a stage's summary comes
    before the next stage's message."""
    channels = ["C0SHOPONE", "C0SHOPTWO", "C0SHOPTHREE"]
    async with SlackEmulator() as slack, contextlib.AsyncExitStack() as stack:
        seed(slack)
        settings = settings_for(slack, fresh_database)
        apps = await asyncio.gather(*(stack.enter_async_context(
            running(settings, background=False)) for _ in range(2)))
        driver = await stack.enter_async_context(SlackDriver(apps[0].url, SECRET, slack))

        async def both_run() -> None:
            await asyncio.gather(*(app.scheduler.run_due() for app in apps))

        for channel in channels:
            slack.state.add_channel(channel, channel.lower())
            await driver.command("start Order fulfilment", user=FACILITATOR, channel=channel)
        await both_run()
        replies = []
        for channel in channels:
            thread = slack.state.find_message_with_metadata("dpflow_stage_opened", channel)
            for text, user in (("Order placed", ALICE), ("Order paid", BOB)):
                replies.append((channel, (await driver.reply(channel, thread["ts"], text,
                                                             user=user)).ts))
            for _ in range(2):
                await driver.command("next", user=FACILITATOR, channel=channel)
        await both_run()

        assert len(slack.state.calls_to("reactions.add")) == len(replies)
        assert all(slack.state.reactions_on(c, ts) == ["white_check_mark"] for c, ts in replies)
        for channel in channels:
            stage = {name: slack.state.find_message_with_metadata(
                "dpflow_stage_opened", channel, stage=name)["ts"]
                for name in ("events", "flow", "aggregates")}
            summary = {name: next(m["ts"] for m in slack.state.messages(channel, stage[name])
                                  if "— summary" in (m.get("text") or ""))
                       for name in ("events", "flow")}
            when = [summary["events"], stage["flow"], summary["flow"], stage["aggregates"]]
            assert when == sorted(when, key=float)
            assert len([m for m in slack.state.messages(channel) if (m.get("metadata") or {})
                        .get("event_type") == "dpflow_stage_opened"]) == 3
