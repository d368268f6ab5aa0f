"""Two `dpflow serve` processes on one PostgreSQL database while one of them is killed with
SIGKILL again and again — at random moments, and right after Slack carried out one of its
posts — and Slack resends every reply that was not answered 200 in time. Every reply
answered 200 is stored once, with one reaction; every reminder, DM nudge, deadline and
stage message is posted once."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import aiohttp
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from dpflow.slack.emulator import SlackEmulator
from dpflow.slack.emulator.driver import SlackDriver
from dpflow.slack.ids import Action
from dpflow.slack.metadata import WorkshopValue
from tests.conftest import FACILITATOR, SECRET, exported
from tests.e2e.test_deadlines import _free_port, _healthy, _serve, _until

CHANNELS = {"C0ORDERS": "Order fulfilment", "C0RETURNS": "Parcel returns",
            "C0STOCK": "Stock keeping"}
SPEAKERS = [f"U0SPEAK{n:02}" for n in range(8)]
QUIET = [f"U0QUIET{n}" for n in range(3)]  # join, never reply: reminded and nudged
LOAD_SECONDS = 20
# (after how many seconds, in which channel, what the facilitator types); the replies go to
# the events threads of the channels given a deadline. A workshop's jobs run in order, and
# each kill can hold the one under way until its lease lapses: the deadline leaves time for
# the DM planner to run after the last kill's lapse (20 s after the load, at worst). Planned
# after the deadline, nobody would be nudged, rightly.
COMMANDS = [(2, "C0ORDERS", "due in 50s"), (3, "C0RETURNS", "due in 50s"),
            (4, "C0STOCK", "next")]
LOADED = ("C0ORDERS", "C0RETURNS")
ANSWER_WITHIN = 3.0  # Slack's patience for an answer
RESENDS = (1.0, 2.0, 4.0)  # pauses before retries 1, 2 and 3


def working_hours_now() -> str:
    """A time zone in which it is around noon now, so every DM nudge is due at once."""
    offset = (12 - datetime.now(UTC).hour + 12) % 24 - 12
    return f"Etc/GMT{-offset:+d}"


class Instance:
    """`python -m dpflow serve`, killed and started again."""

    def __init__(self, env: dict, cwd) -> None:
        self.env, self.cwd = env, cwd
        self.port = int(env["PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: asyncio.subprocess.Process | None = None
        self.kills = 0

    async def start(self) -> None:
        self.process = await _serve(self.env, self.cwd, self.port)

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            self.kills += 1

    async def died(self) -> None:
        await self.process.wait()

    async def answers(self) -> bool:
        return await _healthy(self.url)


class KillAfterPost:
    """Stands between one instance and Slack: once for each kind of post, kills that
    instance right after Slack carried the post out, before the instance hears so."""

    def __init__(self, api_url: str, typing: asyncio.Lock) -> None:
        self.api_url, self.typing = api_url, typing
        self.victim: Instance | None = None
        self.killed_after: list[str] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> KillAfterPost:
        app = web.Application(client_max_size=1024**3)
        app.router.add_route("*", "/api/{method}", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/api/"
        self._http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self._http.close()
        await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() in ("authorization", "content-type")}
        async with self._http.request(request.method, self.api_url + method,
                                      params=request.query, data=await request.read(),
                                      headers=headers) as answer:
            body = await answer.read()
            status, answer_headers = answer.status, dict(answer.headers)
        kind = _post_kind(method, body)
        if kind and kind not in self.killed_after and self.victim is not None:
            self.killed_after.append(kind)
            async with self.typing:
                self.victim.kill()
            await self.victim.died()
        return web.Response(body=body, status=status, headers={
            k: v for k, v in answer_headers.items() if k.lower() in ("content-type",)})


def _post_kind(method: str, body: bytes) -> str | None:
    answer = json.loads(body)
    if method != "chat.postMessage" or not answer.get("ok"):
        return None
    message = answer["message"]
    if (message.get("metadata") or {}).get("event_type") == "dpflow_stage_opened":
        return "stage"
    said = message.get("text") or ""
    kinds = {"deadline": said.endswith(": the deadline has passed"),
             "summary": said.endswith(" — summary"), "reminder": " closes soon — " in said,
             "nudge": said.endswith(" closes soon")}
    return next((kind for kind, this in kinds.items() if this), None)


@dataclass
class Load:
    """Slack's side of the replies: each is resent until some instance answers it 2xx."""

    drivers: list[SlackDriver]
    threads: dict[str, str]  # channel → stage thread
    answered: dict[str, str] = field(default_factory=dict)  # ts → text
    unanswered: dict[str, str] = field(default_factory=dict)
    resent: Counter = field(default_factory=Counter)  # retry number → how often

    async def person(self, user: str, until: float) -> None:
        n = 0
        while time.monotonic() < until:
            n += 1
            channel = random.choice(list(self.threads))
            await self.reply(channel, user, f"Parcel {n} of {user} scanned in {channel}")
            await asyncio.sleep(random.uniform(0.1, 0.5))

    async def reply(self, channel: str, user: str, said: str) -> None:
        thread = self.threads[channel]
        ts = self.drivers[0].state.add_user_message(channel, user, said, thread)["ts"]
        event_id = f"Ev{uuid.uuid4().hex[:10].upper()}"
        first = random.randrange(len(self.drivers))
        for retry in range(len(RESENDS) + 1):
            if retry:
                await asyncio.sleep(RESENDS[retry - 1])
                self.resent[retry] += 1
            # behind a round-robin load balancer: each resend reaches the other instance
            driver = self.drivers[(first + retry) % len(self.drivers)]
            try:
                answer = await asyncio.wait_for(driver.reply(
                    channel, thread, said, user, ts=ts, event_id=event_id,
                    retry_num=retry or None), ANSWER_WITHIN)
            except (aiohttp.ClientError, TimeoutError):
                continue
            if 200 <= answer.status < 300:
                self.answered[ts] = said
                return
        self.unanswered[ts] = said


async def test_kill_9_and_slack_retries_store_each_reply_once_and_post_each_message_once(
        tmp_path, fresh_database):
    typing = asyncio.Lock()  # the facilitator's command is answered before any kill
    async with SlackEmulator() as slack, KillAfterPost(slack.api_url, typing) as proxy, \
            contextlib.AsyncExitStack() as stack:
        for user in (FACILITATOR, *SPEAKERS):
            slack.state.add_user(user, tz="Europe/Rome")
        for user in QUIET:
            slack.state.add_user(user, tz=working_hours_now())
        for channel in CHANNELS:
            slack.state.add_channel(channel, channel.lower())
        victim, steady = (Instance(_env(api, fresh_database), tmp_path)
                          for api in (proxy.url, slack.api_url))
        stack.push_async_callback(_stop, victim, steady)
        await asyncio.gather(victim.start(), steady.start())
        drivers = [await stack.enter_async_context(SlackDriver(i.url, SECRET, slack))
                   for i in (victim, steady)]
        threads = await _workshops(slack, drivers[1])
        load = Load(drivers, {channel: threads[channel] for channel in LOADED})

        proxy.victim = victim
        until = time.monotonic() + LOAD_SECONDS
        chaos = asyncio.create_task(_kill_again_and_again(victim, typing, until))
        people = [asyncio.create_task(load.person(user, until)) for user in SPEAKERS]
        await asyncio.gather(*(_command_later(drivers[0], victim, typing, *command)
                               for command in COMMANDS))
        await asyncio.gather(*people)
        await chaos
        await _until(lambda: _settled(fresh_database), timeout=65)
        await asyncio.sleep(2)  # anything sent twice would show by now
        board = {channel: await exported(fresh_database, channel) for channel in CHANNELS}
        sources = await _sources(fresh_database)

    print(f"\n{len(load.answered)} replies answered 200, resent {dict(load.resent)}; "
          f"victim killed {victim.kills} times, after Slack posted: {proxy.killed_after}")
    assert load.unanswered == {}, "replies no instance ever answered 200"
    assert victim.kills >= 3 and load.resent[1] > 0
    # every reply answered 200 is stored once: one card, one source line, one reaction
    cards = Counter(e["text"] for doc in board.values() for e in doc["events"])
    assert [t for t, n in cards.items() if n > 1] == []
    assert set(load.answered.values()) <= set(cards)
    assert {ts: n for ts, n in sources.items() if n != 1} == {}
    assert set(load.answered) <= set(sources)
    reacted = Counter(c.params["timestamp"] for c in slack.state.calls_to("reactions.add")
                      if c.ok)
    assert {ts: n for ts, n in reacted.items() if n != 1} == {}
    for channel, thread in threads.items():
        stored = [m["ts"] for m in slack.state.messages(channel, thread) if m.get("user") in
                  SPEAKERS]
        assert all(slack.state.reactions_on(channel, ts) == ["white_check_mark"]
                   for ts in stored)
    refused = [e.text for e in slack.state.ephemeral_messages if e.user in SPEAKERS]
    assert refused == [], "a retry was refused as a new reply"
    # every message dpflow posts on its own is posted once
    for channel in LOADED:
        posted = [json.dumps(m) for m in slack.state.messages(channel, threads[channel])
                  if m.get("bot_id")]
        assert sum("closes soon" in m for m in posted) == 1, channel
        assert sum("deadline of this stage has passed" in m for m in posted) == 1, channel
    assert {u: len(slack.state.messages(slack.state.dms[u])) for u in slack.state.dms} == \
        {u: len(LOADED) for u in QUIET}
    opened = Counter((channel, m["metadata"]["event_payload"]["stage"])
                     for channel in CHANNELS for m in slack.state.messages(channel)
                     if (m.get("metadata") or {}).get("event_type") == "dpflow_stage_opened")
    assert opened == {**{(c, "events"): 1 for c in CHANNELS}, ("C0STOCK", "flow"): 1}
    summaries = [m for m in slack.state.messages("C0STOCK", threads["C0STOCK"])
                 if m.get("text") == "Stage 1 of 9 · Events — summary"]
    assert len(summaries) == 1
    assert slack.state.invalid == []


def _env(api_url: str, database_url: str) -> dict:
    return {**os.environ, "SLACK_API_URL": api_url, "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SECRET, "PORT": str(_free_port()),
            "DATABASE_URL": database_url, "DPFLOW_SCHEDULER_INTERVAL": "1"}


async def _stop(*instances: Instance) -> None:
    for instance in instances:
        if instance.process is not None and instance.process.returncode is None:
            instance.process.kill()
            await instance.process.wait()


async def _workshops(slack: SlackEmulator, driver: SlackDriver) -> dict[str, str]:
    """Each channel's workshop at its events stage: the quiet people joined, every speaker
    added one event (so reminders name the quiet people only)."""
    threads = {}
    for channel, name in CHANNELS.items():
        assert (await driver.command(f"start {name}", FACILITATOR, channel)).status == 200
        stage = await _until(lambda c=channel: slack.state.find_message_with_metadata(
            "dpflow_stage_opened", c))
        threads[channel] = stage["ts"]
        workshop = WorkshopValue(workshop=stage["metadata"]["event_payload"]["workshop"])
        for user in QUIET:
            joined = await driver.click(user, Action.JOIN, channel=channel,
                                        message_ts=stage["ts"], value=workshop.dump())
            assert joined.status == 200
        for user in SPEAKERS:
            said = await driver.reply(channel, stage["ts"], f"Parcel 0 of {user} scanned in "
                                      f"{channel}", user)
            assert said.status == 200
    return threads


async def _kill_again_and_again(victim: Instance, typing: asyncio.Lock, until: float) -> None:
    """SIGKILL at a random moment (or when the proxy killed it), then start it again."""
    while time.monotonic() < until:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(victim.died(), random.uniform(2, 5))
        async with typing:
            victim.kill()
        await victim.died()
        await asyncio.sleep(random.uniform(0.1, 1))
        await victim.start()


async def _command_later(driver: SlackDriver, victim: Instance, typing: asyncio.Lock,
                         at: float, channel: str, command: str) -> None:
    """The facilitator types through the instance that is killed, so that its own
    scheduler, woken at once, is the likely one to post what follows. Slack does not resend
    a command, and a person would not know whether one cut off had acted: no kill until it
    is answered."""
    await asyncio.sleep(at)
    async with typing:
        await _until(victim.answers, timeout=30)
        answer = await driver.command(command, FACILITATOR, channel)
    assert answer.status == 200, answer.text


async def _settled(database_url: str) -> bool:
    """Nothing left to send: no job running (a dead claimer's lease lapsed and its job
    ran again) and none pending but the debounced stage refreshes."""
    async with _connected(database_url) as db:
        left = await db.scalar(text(
            "SELECT count(*) FROM jobs WHERE status = 'running' "
            "OR (status = 'pending' AND kind <> 'refresh_stage')"))
    return left == 0


async def _sources(database_url: str) -> Counter:
    async with _connected(database_url) as db:
        rows = await db.execute(text("SELECT message_ts, count(*) FROM sources "
                                     "WHERE message_ts IS NOT NULL GROUP BY message_ts"))
        return Counter(dict(rows.all()))


@contextlib.asynccontextmanager
async def _connected(database_url: str):
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as db:
            yield db
    finally:
        await engine.dispose()
