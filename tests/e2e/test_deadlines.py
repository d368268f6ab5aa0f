"""Deadlines: `/dpflow due`, reminders in the thread, DM nudges in each person's working
hours, the deadline's summary and call to move on, `/dpflow summary`. The Clock moves
instead of anyone waiting."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp

from dpflow.slack.emulator import SlackEmulator
from dpflow.slack.emulator.driver import SlackDriver
from dpflow.slack.ids import Action
from dpflow.slack.metadata import WorkshopValue
from dpflow.store.models import utcnow
from tests.conftest import ALICE, BOB, CHANNEL, FACILITATOR, SECRET


def set_clock(workspace, when: datetime) -> None:
    workspace.clock.offset = when - utcnow()


def next_monday(hour: int, minute: int = 0) -> datetime:
    today = utcnow().date()
    day = today + timedelta(days=7 - today.weekday())
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


async def flow_stage_with_two_participants(w) -> str:
    """FACILITATOR starts; ALICE adds an event; the flow stage opens; BOB presses Join."""
    await w.command("start Order fulfilment")
    await w.driver.reply(CHANNEL, w.stage_thread("events"), "Order placed", user=ALICE)
    await w.command("next")
    thread = w.stage_thread("flow")
    workshop = w.state.message(CHANNEL, thread)["metadata"]["event_payload"]["workshop"]
    joined = await w.driver.click(BOB, Action.JOIN, channel=CHANNEL, message_ts=thread,
                                  value=WorkshopValue(workshop=workshop).dump())
    assert joined.status == 200
    await w.settle()
    return thread


def replies(w, thread: str) -> list[dict]:
    return [m for m in w.state.messages(CHANNEL, thread) if m.get("bot_id")]


def dms(w, user: str) -> list[dict]:
    return w.state.messages(w.state.dms[user]) if user in w.state.dms else []


def pinged(message: dict) -> set[str]:
    return {u for u in (FACILITATOR, ALICE, BOB) if f"<@{u}>" in json.dumps(message)}


async def test_due_answers_in_the_askers_time_zone_and_shows_on_the_stage(workspace):
    w = workspace
    await w.command("start Order fulfilment")
    day = (utcnow() + timedelta(days=3)).date()
    response = await w.command(f"due {day.isoformat()} 17:00")
    rome = datetime(day.year, day.month, day.day, 17, 0, tzinfo=ZoneInfo("Europe/Rome"))
    answer = json.dumps(response.json)
    assert f"<!date^{int(rome.timestamp())}^{{date_short_pretty}} at {{time}}|" in answer
    assert "17:00 in your time zone (Europe/Rome)" in answer
    await w.settle(seconds=30)  # the stage message is refreshed, debounced
    stage = w.state.message(CHANNEL, w.stage_thread("events"))
    assert f"<!date^{int(rome.timestamp())}^" in json.dumps(stage["blocks"])

    off = await w.command("due off")
    assert "cancelled" in json.dumps(off.json)
    await w.settle(hours=80)
    assert replies(w, w.stage_thread("events")) == []


async def test_only_facilitators_set_deadlines_and_bad_ones_are_explained(workspace):
    w = workspace
    await w.command("start Order fulfilment")
    refused = await w.command("due in 2d", user=ALICE)
    assert "Only facilitators" in refused.json["text"]
    wrong = await w.command("due next blue moon")
    assert "not a deadline I understand" in wrong.json["text"]
    assert "in 2d" in wrong.json["text"]


async def test_reminders_nudges_and_the_deadline_reach_the_right_people(workspace):
    w = workspace
    t0 = next_monday(0, 30)
    set_clock(w, t0)
    thread = await flow_stage_with_two_participants(w)
    await w.command("due in 2d")
    assert replies(w, thread) == []

    await w.settle(hours=24)  # Tuesday 00:30 UTC: the 24 h reminder, and the DM plan
    [first] = replies(w, thread)
    assert pinged(first) == {ALICE, BOB}  # the facilitator only facilitates
    assert not first.get("reply_broadcast")
    # Tokyo: 09:30, inside working hours → at once; Chicago: 18:30 the day before → not yet
    assert len(dms(w, BOB)) == 1 and dms(w, ALICE) == []

    seen = {}
    for _ in range(23):  # hour by hour until one hour before the deadline
        await w.settle(hours=1)
        if dms(w, ALICE) and ALICE not in seen:
            seen[ALICE] = w.clock().astimezone(ZoneInfo("America/Chicago"))
        if w.clock() - t0 < timedelta(hours=40):  # after her DM
            continue
        if not any(m.get("user") == ALICE for m in w.state.messages(CHANNEL, thread)):
            await w.driver.reply(CHANNEL, thread, "E1: Place order | actor: Customer",
                                 user=ALICE)
    assert seen[ALICE].hour == 9  # her first working hour on the last day
    assert len(dms(w, ALICE)) == 1 and len(dms(w, BOB)) == 1  # one nudge each

    last = replies(w, thread)[-1]
    assert last is not first and last["reply_broadcast"] is True
    assert pinged(last) == set()  # BOB was mentioned earlier today: counted, not pinged
    assert "1 more reminded earlier today" in json.dumps(last)

    await w.settle(hours=1)  # the deadline
    deadline = replies(w, thread)[-1]
    assert deadline["reply_broadcast"] is True
    assert pinged(deadline) == {FACILITATOR}
    assert "summary" in json.dumps(deadline["blocks"])
    button = deadline["blocks"][-1]["elements"][0]
    assert button["action_id"] == Action.NEXT_STAGE
    moved = await w.driver.click(FACILITATOR, Action.NEXT_STAGE, channel=CHANNEL,
                                 message_ts=deadline["ts"], value=button["value"])
    assert moved.status == 200
    await w.settle()
    assert w.state.find_message_with_metadata("dpflow_stage_opened", CHANNEL,
                                              stage="aggregates") is not None
    again = await w.driver.click(FACILITATOR, Action.NEXT_STAGE, channel=CHANNEL,
                                 message_ts=deadline["ts"], value=button["value"])
    assert again.status == 200
    assert "already moved on" in json.dumps(w.state.responses[-1].payload)
    assert w.state.find_message_with_metadata("dpflow_stage_opened", CHANNEL,
                                              stage="decisions") is None


async def test_an_early_close_drops_the_pending_reminders(workspace):
    w = workspace
    thread = await flow_stage_with_two_participants(w)
    await w.command("due in 2d")
    await w.command("next")
    summary_only = len(replies(w, thread))
    await w.settle(hours=72)
    assert len(replies(w, thread)) == summary_only
    assert dms(w, ALICE) == [] and dms(w, BOB) == []


async def test_moving_the_deadline_replaces_its_reminders(workspace):
    w = workspace
    thread = await flow_stage_with_two_participants(w)
    await w.command("due in 2d")
    await w.command("due in 5d")
    await w.settle(hours=25)
    assert replies(w, thread) == []  # the 2-day plan is gone
    await w.settle(hours=72)
    assert len(replies(w, thread)) == 1  # the 5-day deadline's 24 h reminder


async def test_a_near_deadline_reminds_at_once_and_in_the_channel(workspace):
    w = workspace
    thread = await flow_stage_with_two_participants(w)
    await w.command("due in 30m")
    [reminder] = replies(w, thread)
    assert reminder["reply_broadcast"] is True and pinged(reminder) == {ALICE, BOB}


async def test_a_deadline_missed_while_down_is_sent_late_once(workspace):
    w = workspace
    thread = await flow_stage_with_two_participants(w)
    await w.command("due in 3h")
    w.clock.advance(hours=30)  # nothing ran meanwhile: the app was down
    await w.settle()
    await w.settle(hours=1)
    deadlines = [m for m in replies(w, thread) if "deadline of this stage has passed"
                 in json.dumps(m)]
    assert len(deadlines) == 1


async def test_muted_people_get_no_dm(workspace):
    w = workspace
    thread = await flow_stage_with_two_participants(w)
    workshop = w.state.message(CHANNEL, thread)["metadata"]["event_payload"]["workshop"]
    await w.driver.home_opened(BOB)
    mute = await w.driver.click(BOB, Action.MUTE, value=WorkshopValue(workshop=workshop).dump(),
                                view_id=w.state.home_views[BOB])
    assert mute.status == 200
    await w.command("due in 2d")
    for _ in range(48):
        await w.settle(hours=1)
    assert dms(w, BOB) == []
    assert len(dms(w, ALICE)) == 1


async def test_summary_on_demand_goes_to_the_thread_and_closes_nothing(workspace):
    w = workspace
    await w.command("start Order fulfilment")
    thread = w.stage_thread("events")
    await w.driver.reply(CHANNEL, thread, "Order placed", user=ALICE)
    response = await w.command("summary", user=BOB)
    assert response.text == ""  # nothing but the summary itself
    [summary] = replies(w, thread)
    assert "1 event" in json.dumps(summary["blocks"])
    assert not summary.get("reply_broadcast")
    assert "(closed)" not in json.dumps(w.state.message(CHANNEL, thread)["blocks"])


async def test_a_deadline_fires_after_a_kill_9_and_a_restart(tmp_path):
    """`dpflow serve` in a subprocess: the deadline's job is in the database, so a process
    killed with SIGKILL before it fell due sends it, once, after the restart."""
    async with SlackEmulator() as slack:
        slack.state.add_user(FACILITATOR, tz="Europe/Rome")
        slack.state.add_user(ALICE, tz="America/Chicago")
        slack.state.add_channel(CHANNEL, "order-fulfilment")
        port = _free_port()
        env = {**os.environ, "SLACK_API_URL": slack.api_url, "SLACK_BOT_TOKEN": "xoxb-test",
               "SLACK_SIGNING_SECRET": SECRET, "PORT": str(port),
               "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'dpflow.db'}",
               "DPFLOW_SCHEDULER_INTERVAL": "1"}
        app = await _serve(env, tmp_path, port)
        try:
            async with SlackDriver(f"http://127.0.0.1:{port}", SECRET, slack) as driver:
                await driver.command("start Order fulfilment", user=FACILITATOR,
                                     channel=CHANNEL)
                thread = (await _until(lambda: slack.state.find_message_with_metadata(
                    "dpflow_stage_opened", CHANNEL, stage="events")))["ts"]
                await driver.reply(CHANNEL, thread, "Order placed", user=ALICE)
                await driver.command("next", user=FACILITATOR, channel=CHANNEL)
                flow = (await _until(lambda: slack.state.find_message_with_metadata(
                    "dpflow_stage_opened", CHANNEL, stage="flow")))["ts"]
                due = await driver.command("due in 30s", user=FACILITATOR, channel=CHANNEL)
                assert due.status == 200 and "<!date^" in due.text
                app.kill()  # SIGKILL: no shutdown, no goodbye
                await app.wait()
                app = await _serve(env, tmp_path, port)

                def passed():
                    return [m for m in slack.state.messages(CHANNEL, flow)
                            if "deadline of this stage has passed" in json.dumps(m)]
                await _until(passed, timeout=60)
                await asyncio.sleep(3)  # three more scheduler passes
                assert len(passed()) == 1
        finally:
            app.kill()
            await app.wait()


async def _serve(env: dict, cwd, port: int,
                 stderr: int = asyncio.subprocess.DEVNULL) -> asyncio.subprocess.Process:
    """`python -m dpflow serve`, once it answers /healthz."""
    app = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "dpflow", "serve", env=env, cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL, stderr=stderr)

    await _until(lambda: _healthy(f"http://127.0.0.1:{port}"), timeout=30)
    return app


async def _healthy(url: str) -> bool:
    """The app at `url` answers /healthz with 200."""
    try:
        async with aiohttp.ClientSession() as http, http.get(f"{url}/healthz") as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False


async def _until(probe, timeout: float = 15):
    """The first truthy answer of `probe` (sync or async), polled; fails after `timeout`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        found = probe()
        if asyncio.iscoroutine(found):
            found = await found
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"nothing after {timeout} s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
