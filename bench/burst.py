"""The parts of the reply benchmarks: each app under test runs as its own process against a
Slack emulator in this one; a load generator sends it thread replies signed like Slack's,
built with the emulator's payload builders; the figures of one burst are read from the
answers, the app's CPU time (/proc), the emulator's call log and the stored cards."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import platform
import socket
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import asyncpg
from sqlalchemy import func, make_url, select
from sqlalchemy.ext.asyncio import create_async_engine

from dpflow.domain.grammar import MAX_LINES
from dpflow.slack.emulator import SlackEmulator, payloads
from dpflow.slack.emulator.driver import SlackDriver
from dpflow.store.jobs import PENDING, RUNNING
from dpflow.store.models import JobRow

SECRET, TOKEN = "bench-secret", "xoxb-bench"
CHANNEL, FACILITATOR = "CBENCH", "UFACIL"
BENCH = Path(__file__).resolve().parent
SLACK_LIMIT = 3.0  # seconds before Slack gives up on an answer and retries
WARM_UP = 10  # sequential replies before timing; for dpflow they hold the seeded board


@dataclass(frozen=True)
class Load:
    replies: int = 400
    people: int = 37
    concurrency: int = 20

    @property
    def users(self) -> list[str]:
        return [f"U{k:03d}" for k in range(1, self.people + 1)]


@dataclass
class Figures:
    """What one app did with one burst."""

    name: str
    latencies: list[float]  # seconds, one per reply, in the order sent
    seconds: float  # first request sent → last answer received
    cpu: float  # seconds of CPU of the app process(es) over the same span
    failed: int  # answers other than 200
    stored: int | None = None  # burst replies found once or more in the app's store
    doubled: int = 0  # extra copies of burst replies
    calls: Counter[str] | None = None  # Web API calls from the burst's start until settled
    notes: list[str] = field(default_factory=list)

    @property
    def replies(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.replies / self.seconds

    @property
    def p50(self) -> float:
        return self._quantiles()[49]

    @property
    def p95(self) -> float:
        return self._quantiles()[94]

    def _quantiles(self) -> list[float]:
        ms = sorted(t * 1000 for t in self.latencies)
        return statistics.quantiles(ms, n=100, method="inclusive")

    def row(self) -> list[str]:
        per_contribution = (f"{sum(self.calls.values()) / self.stored:.2f}"
                            if self.calls is not None and self.stored else "—")
        stored = "—" if self.stored is None else f"{self.stored}/{self.replies}"
        return [self.name, f"{self.rate:,.0f}", f"{self.p50:.1f}", f"{self.p95:.1f}",
                f"{max(self.latencies) * 1000:.0f}", f"{self.cpu * 1000 / self.replies:.2f}",
                per_contribution, stored, "—" if self.stored is None else str(self.doubled),
                str(self.failed)]


HEADER = ["app under test", "replies/s", "p50 ms", "p95 ms", "max ms", "CPU ms/reply",
          "API calls/contribution", "stored", "doubled", "non-200"]


def table(figures: list[Figures]) -> str:
    return markdown(HEADER, [f.row() for f in figures])


def markdown(head: list[str], rows: list[list[str]]) -> str:
    lines = [head, ["---"] * len(head), *rows]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo
                  if line.startswith("model name")), platform.processor())
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {len(os.sched_getaffinity(0))} cores "
            f"(nproc) · {model} · Python {platform.python_version()} · load average {load}")


# ---- apps as processes --------------------------------------------------------------------


class AppProcess:
    """One app under test, as its own process on a free port of 127.0.0.1."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], workdir: Path):
        self.name, self.argv, self.env, self.workdir = name, argv, env, workdir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("wb") as log:  # the child keeps its own copy of the descriptor
            self.process = await asyncio.create_subprocess_exec(
                *self.argv, env={**self.env, "PORT": str(self.port)}, cwd=self.workdir,
                stdout=log, stderr=asyncio.subprocess.STDOUT)
        async with aiohttp.ClientSession() as http:
            for _ in range(600):
                if self.process.returncode is not None:
                    raise RuntimeError(f"{self.name} exited at start:\n{self.tail()}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer /healthz within 60 s:\n{self.tail()}")

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(2)  # SIGINT: dpflow closes its server and database
        try:
            await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def cpu(self) -> float:
        """Seconds of CPU the process has used so far (user + system, all its threads)."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(api_url: str, **settings: str) -> dict[str, str]:
    """The environment of an app under test: ours only, none of the caller's Slack settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "DPFLOW_", "DATABASE_URL", "PORT", "HOST"))}
    return {**env, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": api_url, "HOST": "127.0.0.1", **settings}


@contextlib.asynccontextmanager
async def started(slack: SlackEmulator, apps: list[AppProcess]) -> AsyncIterator[list[SlackDriver]]:
    """The apps running, and a driver for each."""
    drivers = [SlackDriver(app.url, SECRET, slack) for app in apps]
    try:
        await asyncio.gather(*(app.start() for app in apps))
        yield drivers
    finally:
        await asyncio.gather(*(d.close() for d in drivers))
        await asyncio.gather(*(app.stop() for app in apps))


def cpu(apps: list[AppProcess]) -> float:
    return sum(app.cpu() for app in apps)


def machine_cpu() -> tuple[int, int]:
    """Ticks of all cores so far: (busy, idle), from /proc/stat."""
    ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return sum(ticks[:8]) - idle, idle


def postgres_cpu() -> float:
    """Seconds of CPU used so far by this machine's PostgreSQL processes still running."""
    used = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            name, fields = stat.read_text().rsplit(")", 1)
            if name.endswith("(postgres"):
                used += int(fields.split()[11]) + int(fields.split()[12])
    return used / os.sysconf("SC_CLK_TCK")


# ---- the load ----------------------------------------------------------------------------


@contextlib.contextmanager
def _no_collections() -> Iterator[None]:
    """Python's collector off for a burst's second or so, as `timeit` does: a full collection
    of this process (the emulator and the requests built) stalls every request in flight,
    which the figures would charge to the app."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def burst_line(i: int, user: str) -> str:
    return f"Order {i} was packed by picker {user}"


async def burst(slack: SlackEmulator, drivers: list[SlackDriver], apps: list[AppProcess],
                thread: str, load: Load, name: str) -> Figures:
    """`load.replies` thread replies from `load.people` people, `load.concurrency` in flight,
    spread over the drivers (one per app instance). The replies exist in the emulator and
    their requests are built before the clock starts."""
    requests = []
    for i in range(load.replies):
        user = load.users[i % load.people]
        line = burst_line(i, user)
        ts = slack.state.add_user_message(CHANNEL, user, line, thread)["ts"]
        requests.append(payloads.message_event(CHANNEL, user, line, ts, thread))
    latencies = [0.0] * load.replies
    statuses: Counter[int] = Counter()
    queue = iter(enumerate(requests))

    async def sender() -> None:
        for i, request in queue:
            response = await drivers[i % len(drivers)].send(request)
            latencies[i] = response.elapsed
            statuses[response.status] += 1

    with _no_collections():  # a full collection here would pause the load, not the app
        machine_before = machine_cpu()
        cpu_before, own_before, started_at = cpu(apps), time.process_time(), time.monotonic()
        await asyncio.gather(*(sender() for _ in range(load.concurrency)))
        seconds, used = time.monotonic() - started_at, cpu(apps) - cpu_before
    (busy_after, idle_after), (busy_before, idle_before) = machine_cpu(), machine_before
    busy, idle = busy_after - busy_before, idle_after - idle_before
    figures = Figures(name, latencies, seconds, used, load.replies - statuses[200])
    figures.notes.append(f"load generator and emulator CPU "
                         f"{(time.process_time() - own_before) * 1000:.0f} ms")
    figures.notes.append(f"the machine's cores {busy / (busy + idle):.0%} busy")
    late = sum(t >= SLACK_LIMIT for t in latencies)
    if late:
        figures.notes.append(f"{late} answers took {SLACK_LIMIT:.0f} s or more "
                             "(Slack would have retried them)")
    return figures


async def warm_up(drivers: list[SlackDriver], thread: str, lines: list[str]) -> None:
    """At least WARM_UP sequential replies carrying `lines` between them (as many lines each as
    dpflow takes), spread over the drivers: every instance has answered before the clock
    starts. A refused reply stops the run."""
    per_reply = min(MAX_LINES, -(-len(lines) // WARM_UP))
    for k, start in enumerate(range(0, len(lines), per_reply)):
        driver = drivers[k % len(drivers)]
        text_ = "\n".join(lines[start:start + per_reply])
        response = await driver.reply(CHANNEL, thread, text_, user=FACILITATOR)
        refusals = driver.state.ephemerals(FACILITATOR)
        if response.status != 200 or refusals:
            raise RuntimeError(f"warm-up reply refused ({response.status}): "
                               f"{refusals[0].text if refusals else response.text}")


def new_emulator(load: Load) -> SlackEmulator:
    slack = SlackEmulator()
    for user in [FACILITATOR, *load.users]:
        slack.state.add_user(user)
    slack.state.add_channel(CHANNEL, "bench")
    return slack


# ---- the apps under test -----------------------------------------------------------------


@dataclass(frozen=True)
class Bare:
    """A bare Bolt app that verifies and acks, or commits each reply to SQLite first."""

    commits: bool

    @property
    def name(self) -> str:
        return "bare Bolt: verify, SQLite commit" if self.commits else "bare Bolt: verify, ack"

    async def run(self, load: Load, workdir: Path) -> Figures:
        database = workdir / "bare.db"
        argv = [sys.executable, str(BENCH / "bare_bolt.py")]
        argv += ["--sqlite", str(database)] if self.commits else []
        async with new_emulator(load) as slack:
            app = AppProcess("bare", argv, app_env(slack.api_url), workdir)
            async with started(slack, [app]) as drivers:
                thread = slack.state.add_message(CHANNEL, {"user": FACILITATOR,
                                                           "text": "Bench"})["ts"]
                await warm_up(drivers, thread, [f"Warm-up {i}" for i in range(WARM_UP)])
                figures = await burst(slack, drivers, [app], thread, load, self.name)
        if self.commits:
            rows = sqlite3.connect(database).execute("SELECT text FROM replies").fetchall()
            figures.stored, figures.doubled = _stored([t for (t,) in rows], load)
        return figures


@dataclass(frozen=True)
class Dpflow:
    """`python -m dpflow serve`, one or more instances on one database, with a board of
    `board` events before the burst (seeded by warm-up replies of many lines)."""

    database: str  # "sqlite" or a PostgreSQL server URL (postgresql+asyncpg://user@host:port)
    board: int = WARM_UP
    instances: int = 1
    profile: str | None = None  # a folder: each instance runs under cProfile, its stats there

    @property
    def name(self) -> str:
        where = "SQLite" if self.database == "sqlite" else "PostgreSQL"
        many = f" ×{self.instances}" if self.instances > 1 else ""
        return f"dpflow: {where}{many}, board of {self.board:,}"

    async def run(self, load: Load, workdir: Path) -> Figures:
        async with self._database(workdir) as url, new_emulator(load) as slack:
            env = app_env(slack.api_url, DATABASE_URL=url)
            apps = [AppProcess(f"dpflow{k}", self._argv(k), env, workdir)
                    for k in range(1, self.instances + 1)]
            async with started(slack, apps) as drivers:
                thread = await _open_workshop(slack, drivers[0])
                await settled(url)  # the app stores the stage message's ts after posting it
                seeds = [f"Seeded event {j} happened" for j in range(self.board)]
                await warm_up(drivers, thread, seeds)
                await settled(url)
                calls_before, cpu_before = len(slack.state.calls), cpu(apps)
                postgres_before = postgres_cpu()
                figures = await burst(slack, drivers, apps, thread, load, self.name)
                if self.database != "sqlite":
                    used = postgres_cpu() - postgres_before
                    figures.notes.append(f"PostgreSQL CPU {used * 1000:.0f} ms")
                await settled(url)
                figures.notes.append("CPU until the follow-ups settled "
                                     f"{(cpu(apps) - cpu_before) * 1000 / load.replies:.2f} "
                                     "ms/reply")
            _what_slack_saw(figures, slack, calls_before)
            events = await _exported_events(env, workdir)
        figures.stored, figures.doubled = _stored(events, load)
        if len(events) != self.board + figures.stored + figures.doubled:
            figures.notes.append(f"{len(events)} events on the board, expected "
                                 f"{self.board} seeded + the burst's")
        return figures

    def _argv(self, instance: int) -> list[str]:
        if not self.profile:
            return [sys.executable, "-m", "dpflow", "serve"]
        stats = Path(self.profile).resolve() / f"{self.name}, instance {instance}.prof"
        return [sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "dpflow", "serve"]

    def _database(self, workdir: Path) -> contextlib.AbstractAsyncContextManager[str]:
        if self.database == "sqlite":
            return contextlib.nullcontext(f"sqlite+aiosqlite:///{workdir / 'dpflow.db'}")
        return fresh_postgres(self.database)


def _what_slack_saw(figures: Figures, slack: SlackEmulator, calls_before: int) -> None:
    """The Web API calls since the burst began, and any reply refused (an ephemeral)."""
    calls = slack.state.calls[calls_before:]
    figures.calls = Counter(c.method for c in calls)
    if failed := Counter(c.error or "" for c in calls if not c.ok):
        figures.notes.append(f"Web API calls failed: {_listed(failed)}")
    if refused := slack.state.ephemeral_messages:
        figures.notes.append(f"{len(refused)} replies refused, e.g. {refused[0].text}")


async def _open_workshop(slack: SlackEmulator, driver: SlackDriver) -> str:
    response = await driver.command("start Bench", user=FACILITATOR, channel=CHANNEL)
    if response.status != 200:
        raise RuntimeError(f"/dpflow start answered {response.status}: {response.text}")
    stage = await slack.wait_for(
        lambda s: s.find_message_with_metadata("dpflow_stage_opened", CHANNEL), timeout=30)
    return stage["ts"]


async def settled(database_url: str, timeout: float = 120) -> None:
    """Wait until the app has no follow-up job left to run (reactions, the debounced
    stage-message refresh), as its job table says."""
    engine = create_async_engine(database_url)
    try:
        async with asyncio.timeout(timeout):
            while True:
                async with engine.connect() as conn:
                    left = await conn.scalar(select(func.count()).select_from(JobRow)
                                             .where(JobRow.status.in_((PENDING, RUNNING))))
                if not left:
                    return
                await asyncio.sleep(0.5)
    finally:
        await engine.dispose()


async def _exported_events(env: dict[str, str], workdir: Path) -> list[str]:
    """The texts of the board's events, as `dpflow export --format json` writes them."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "dpflow", "export", "--channel", CHANNEL, "--format", "json",
        env=env, cwd=workdir, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"dpflow export failed: {err.decode(errors='replace')}")
    return [event["text"] for event in json.loads(out)["events"]]


def _stored(texts: list[str], load: Load) -> tuple[int, int]:
    """How many of the burst's replies are in `texts`, and how many copies too many."""
    expected = {burst_line(i, load.users[i % load.people]) for i in range(load.replies)}
    found = Counter(t for t in texts if t in expected)
    return len(found), sum(found.values()) - len(found)


@contextlib.asynccontextmanager
async def fresh_postgres(server: str) -> AsyncIterator[str]:
    """A new, empty database on `server` for one run; dropped afterwards."""
    url = make_url(server)
    name = f"dpflow_bench_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(False)
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def postgres_reachable(server: str) -> str | None:
    """None when a database can be created on `server`, else why not."""
    url = make_url(server).set(drivername="postgresql", database="postgres")
    try:
        conn = await asyncpg.connect(url.render_as_string(False), timeout=5)
    except (OSError, asyncpg.PostgresError) as e:
        return f"{type(e).__name__}: {e}"
    await conn.close()
    return None


# ---- one run -----------------------------------------------------------------------------


async def run(apps: list[Bare | Dpflow], load: Load, rounds: int = 1) -> bool:
    """Each app in turn, each with its own emulator and a fresh database, `rounds` times;
    prints a table per round and, for more than one, how the targets read in each. False
    when an app failed."""
    print(f"{machine()}\n{load.replies} thread replies from {load.people} people, "
          f"{load.concurrency} at a time\n", flush=True)
    every, failed = [], False
    for k in range(1, rounds + 1):
        if rounds > 1:
            print(f"### Round {k} of {rounds}\n", flush=True)
        figures = await _round(apps, load)
        failed |= len(figures) < len(apps)
        every.append(figures)
    if rounds > 1:
        print(f"### The targets, round by round\n\n{targets(apps, every)}")
    load_after = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nload average after the run: {load_after}")
    return not failed


async def _round(apps: list[Bare | Dpflow], load: Load) -> dict[Bare | Dpflow, Figures]:
    figures, failures = {}, []
    for app in apps:
        began = time.monotonic()
        try:
            with tempfile.TemporaryDirectory(prefix="dpflow-bench-") as workdir:
                figures[app] = await app.run(load, Path(workdir))
        except Exception as e:  # one app that fails must not cost the others' figures
            failures.append(f"- {app.name}: FAILED, {type(e).__name__}: {e}")
        print(f"  {app.name}: {time.monotonic() - began:.0f} s", file=sys.stderr, flush=True)
    print(table(list(figures.values())))
    for f in figures.values():
        calls = [f"Web API calls: {_listed(f.calls)}"] if f.calls else []
        said = [f"CPU {f.cpu * 1000:.0f} ms in {f.seconds:.1f} s", *calls, *f.notes]
        print(f"- {f.name}: {'; '.join(said)}")
    print("\n".join(failures), end="\n\n" if failures else "\n", flush=True)
    return figures


def targets(apps: list[Bare | Dpflow], rounds: list[dict[Bare | Dpflow, Figures]]) -> str:
    """One row per round and the median: the ratios the targets of issue 13 are about, each
    between two rows of the same round (minutes apart on the same machine)."""
    ratios = _ratios(apps)
    values = [[_ratio(f, r) for r in ratios.values()] for f in rounds]
    medians = [statistics.median(got) if (got := [v for v in column if v is not None])
               else None for column in zip(*values, strict=True)]
    rows = [[str(k), *map(_times, row)] for k, row in enumerate(values, 1)]
    rows.append(["median", *map(_times, medians)])
    return markdown(["round", *ratios], rows)


def _ratios(apps: list[Bare | Dpflow]) -> dict[str, tuple]:
    """What each ratio divides: (numerator app, denominator app, quantity), for the apps run."""
    floor = [a for a in apps if isinstance(a, Bare) and a.commits]
    sqlite = sorted((a for a in apps if isinstance(a, Dpflow) and a.database == "sqlite"),
                    key=lambda a: a.board)
    postgres = sorted((a for a in apps if isinstance(a, Dpflow) and a.database != "sqlite"),
                      key=lambda a: a.instances)
    ratios = {}
    if floor:
        for app in sqlite:
            ratios[f"p95 ÷ bare commit p95, board of {app.board:,}"] = (app, floor[0], "p95")
    if len(sqlite) > 1:
        small, big = sqlite[0], sqlite[-1]
        ratios[f"p50 board of {big.board:,} ÷ {small.board:,}"] = (big, small, "p50")
    if len(postgres) > 1:
        ratios["PostgreSQL ×2 ÷ ×1, replies/s"] = (postgres[-1], postgres[0], "rate")
    return ratios


def _ratio(figures: dict[Bare | Dpflow, Figures], ratio: tuple) -> float | None:
    over, under, quantity = ratio
    if over not in figures or under not in figures:  # one of them failed in that round
        return None
    return getattr(figures[over], quantity) / getattr(figures[under], quantity)


def _times(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio:.2f}×"


def _listed(counts: Counter[str]) -> str:
    return ", ".join(f"{method} {n}" for method, n in counts.most_common())
