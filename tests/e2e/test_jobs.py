"""Jobs that always land: a call waiting out a rate limit does not hold up the others, a
job whose instance died is taken over within seconds, and a job that keeps failing keeps
being retried while the facilitators are told once."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from dpflow.server import running
from dpflow.slack.emulator import SlackEmulator
from dpflow.slack.emulator.driver import SlackDriver
from dpflow.store.jobs import LEASE
from tests.conftest import ALICE, BOB, CHANNEL, FACILITATOR, SECRET, seed, settings_for
from tests.e2e.test_deadlines import _free_port, _serve, _until

OTHER = "C0OTHERSHOP"


async def test_a_rate_limited_call_does_not_hold_up_other_jobs(workspace):
    w = workspace
    w.state.add_channel(OTHER, "other-shop")
    await w.command("start Order fulfilment")
    await w.command("start Returns", channel=OTHER)
    slow = await w.driver.reply(CHANNEL, w.stage_thread("events"), "Order placed", user=ALICE)
    w.slack.fail_with_429("reactions.add", times=1, retry_after=4)
    settling = asyncio.create_task(w.settle())
    await asyncio.sleep(0.3)  # the first reaction is waiting out its Retry-After
    quick = await w.driver.reply(OTHER, w.stage_thread("events", OTHER), "Return requested",
                                 user=BOB)
    summary = await w.driver.command("summary", user=BOB, channel=OTHER)
    assert summary.status == 200
    w.app.scheduler.wake()  # as the app does once a request has committed its jobs
    started = time.monotonic()
    await w.slack.wait_for(lambda s: s.reactions_on(OTHER, quick.ts), timeout=2)
    await w.slack.wait_for(lambda s: len(s.messages(OTHER, w.stage_thread("events", OTHER)))
                           > 1, timeout=2)
    assert time.monotonic() - started < 2
    assert w.state.reactions_on(CHANNEL, slow.ts) == []
    await settling
    assert w.state.reactions_on(CHANNEL, slow.ts) == ["white_check_mark"]


async def test_a_job_that_keeps_failing_is_retried_and_the_facilitators_are_told_once(
        workspace):
    w = workspace
    await w.command("start Order fulfilment")
    reply = await w.driver.reply(CHANNEL, w.stage_thread("events"), "Order placed", user=ALICE)
    w.slack.fail("reactions.add", "internal_error", times=10**6)
    for _ in range(12):  # three hours
        await w.settle(minutes=15)
    tries = len(w.state.calls_to("reactions.add"))
    assert 8 <= tries <= 13  # backing off, never given up
    [told] = w.state.messages(w.state.dms[FACILITATOR])
    assert "acknowledge a reply" in told["text"] and "internal_error" in told["text"]
    assert "Error id `" in told["text"]
    assert ALICE not in w.state.dms

    w.slack.fail("reactions.add", times=0)  # Slack works again
    await w.settle(hours=2)
    assert w.state.reactions_on(CHANNEL, reply.ts) == ["white_check_mark"]
    await w.settle(hours=6)
    assert len(w.state.messages(w.state.dms[FACILITATOR])) == 1
    assert len(w.state.calls_to("reactions.add")) == tries + 1


async def test_a_job_claimed_by_an_instance_that_died_is_taken_over_within_seconds(tmp_path):
    """`dpflow serve` claims the stage message's job and is killed (SIGKILL) while Slack
    holds its call; a second instance, polling only once an hour, takes the job over once the
    lease lapses, and the message is posted once."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'dpflow.db'}"
    async with SlackEmulator() as slack:
        seed(slack)
        port = _free_port()
        env = {**os.environ, "SLACK_API_URL": slack.api_url, "SLACK_BOT_TOKEN": "xoxb-test",
               "SLACK_SIGNING_SECRET": SECRET, "PORT": str(port), "DATABASE_URL": database_url,
               "DPFLOW_SCHEDULER_INTERVAL": "30"}
        first = await _serve(env, tmp_path, port)
        try:
            slack.fail("chat.postMessage", delay=LEASE.total_seconds() + 2)
            async with SlackDriver(f"http://127.0.0.1:{port}", SECRET, slack) as driver:
                await driver.command("start Order fulfilment", user=FACILITATOR,
                                     channel=CHANNEL)
            await _until(lambda: _job_status(database_url, "post_stage", "running"))
            await asyncio.sleep(0.5)  # inside the call Slack holds
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        died = time.monotonic()
        settings = settings_for(slack, database_url)  # polls once an hour
        async with running(settings):
            posted = await slack.wait_for(
                lambda s: s.find_message_with_metadata("dpflow_stage_opened", CHANNEL),
                timeout=LEASE.total_seconds() + 10)
        assert time.monotonic() - died < LEASE.total_seconds() + 6
        assert posted and [m for m in slack.state.messages(CHANNEL)
                           if m.get("metadata")] == [posted]


async def _job_status(database_url: str, kind: str, status: str) -> bool:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            return bool(await conn.scalar(text(
                "SELECT count(*) FROM jobs WHERE kind = :kind AND status = :status"),
                {"kind": kind, "status": status}))
    finally:
        await engine.dispose()
