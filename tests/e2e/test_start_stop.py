"""A clean start (what does not work is one line and exit 2) and a clean stop (SIGTERM or
SIGINT: requests under way are answered and stored, then the process ends within 10 s);
requests that are not Slack's are refused before anything reads them."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sqlite3
import sys
import time

import aiohttp
import pytest
from sqlalchemy.engine import make_url

from dpflow.slack.emulator import SlackEmulator, payloads
from dpflow.slack.emulator.driver import SlackDriver
from tests.conftest import ALICE, CHANNEL, FACILITATOR, SECRET, seed
from tests.e2e.test_deadlines import _free_port, _serve


def _env(slack: SlackEmulator | None, database_url: str, port: int, **more: str) -> dict:
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET,
           "PORT": str(port), "DATABASE_URL": database_url, "DPFLOW_SCHEDULER_INTERVAL": "1",
           **more}
    if slack is not None:
        env["SLACK_API_URL"] = slack.api_url
    return env


async def _dpflow(*args: str, env: dict, cwd) -> tuple[int, list[str]]:
    """Runs `python -m dpflow …` to its end: exit status and the lines of stderr."""
    done = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "dpflow", *args, env=env, cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(done.communicate(), timeout=60)
    return done.returncode, err.decode().strip().splitlines()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'dpflow.db'}"


async def test_a_token_slack_refuses_stops_the_start_with_one_line(tmp_path, sqlite_url):
    async with SlackEmulator() as slack:
        slack.fail("auth.test", "invalid_auth")
        status, lines = await _dpflow("serve", env=_env(slack, sqlite_url, _free_port()),
                                      cwd=tmp_path)
    assert status == 2
    assert lines == ["dpflow: SLACK_BOT_TOKEN: Slack refuses it (invalid_auth)"]


@pytest.mark.parametrize("database", ["sqlite+aiosqlite:////missing/folder/dpflow.db",
                                      "postgresql+asyncpg://dpflow@127.0.0.1:1/dpflow"])
async def test_a_database_that_cannot_be_opened_is_one_line(tmp_path, database):
    async with SlackEmulator() as slack:
        status, lines = await _dpflow("serve", env=_env(slack, database, _free_port()),
                                      cwd=tmp_path)
    assert status == 2
    [line] = lines
    assert line.startswith(f"dpflow: cannot open the database {database}: ")


async def test_a_port_in_use_is_one_line(tmp_path, sqlite_url):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with SlackEmulator() as slack:
            status, lines = await _dpflow("serve", env=_env(slack, sqlite_url, port),
                                          cwd=tmp_path)
    assert status == 2
    assert lines == [f"dpflow: cannot listen on 127.0.0.1:{port}: the port is in use"]


async def test_an_export_to_a_folder_that_does_not_exist_is_one_line(workspace, tmp_path):
    await workspace.command("start Order fulfilment")
    status, lines = await _dpflow("export", "--channel", CHANNEL, "-o",
                                  "/missing/folder/board.md",
                                  env=_env(None, workspace.database_url, 0), cwd=tmp_path)
    assert (status, lines) == (2, ["dpflow: cannot write /missing/folder/board.md: "
                                  "No such file or directory"])


async def test_a_demo_into_a_folder_that_cannot_be_made_is_one_line(tmp_path, sqlite_url):
    status, lines = await _dpflow("demo", "-o", "/proc/dpflow-demo",
                                  env=_env(None, sqlite_url, 0), cwd=tmp_path)
    assert (status, lines) == (2, ["dpflow: cannot write /proc/dpflow-demo: "
                                  "No such file or directory"])


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
async def test_a_stop_under_load_answers_and_stores_what_was_under_way(tmp_path, sqlite_url,
                                                                       stop):
    async with SlackEmulator() as slack:
        seed(slack)
        port = _free_port()
        app = await _serve(_env(slack, sqlite_url, port), tmp_path, port,
                           stderr=asyncio.subprocess.PIPE)
        try:
            async with SlackDriver(f"http://127.0.0.1:{port}", SECRET, slack) as driver:
                await driver.command("start Order fulfilment", user=FACILITATOR,
                                     channel=CHANNEL)
                thread = (await slack.wait_for(lambda s: s.find_message_with_metadata(
                    "dpflow_stage_opened", CHANNEL)))["ts"]
                burst = [asyncio.create_task(_reply(driver, thread, "\n".join(
                    f"Event {n}.{i} happened" for i in range(3)))) for n in range(30)]
                await asyncio.sleep(0.2)
                app.send_signal(stop)
                stopped = time.monotonic()
                answers = await asyncio.gather(*burst)
                _, err = await asyncio.wait_for(app.communicate(), timeout=15)
                took = time.monotonic() - stopped
        finally:
            if app.returncode is None:
                app.kill()
                await app.wait()
    assert app.returncode == 0, err.decode()
    assert took < 10
    answered = {ts for ts, status in answers if status == 200}
    assert answered, "the burst ended before the stop: nothing was under way"
    # every reply answered 200 is stored; one cut off after its commit is stored too, and
    # Slack's resend of it finds it there
    assert answered <= _stored_sources(sqlite_url)
    assert _running_jobs(sqlite_url) == 0
    assert b"Traceback" not in err and b"will be unused" not in err


async def _reply(driver: SlackDriver, thread: str, text: str) -> tuple[str | None, int]:
    try:
        answer = await driver.reply(CHANNEL, thread, text, user=ALICE)
    except aiohttp.ClientError:
        return None, 0  # refused: the server no longer accepts
    return answer.ts, answer.status


def _stored_sources(url: str) -> set[str]:
    with sqlite3.connect(make_url(url).database) as db:
        return {ts for (ts,) in db.execute("SELECT DISTINCT message_ts FROM sources")}


def _running_jobs(url: str) -> int:
    with sqlite3.connect(make_url(url).database) as db:
        return db.execute("SELECT count(*) FROM jobs WHERE status = 'running'").fetchone()[0]


@pytest.mark.parametrize(("body", "content_type", "signed", "status"), [
    pytest.param(b"\x00\xff not a form" * 100, "application/json", False, 401, id="unsigned"),
    pytest.param(b"{not json", "application/json", True, 400, id="signed-not-json"),
    pytest.param(b"[1, 2]", "application/json", True, 400, id="signed-not-an-object"),
    pytest.param(b"payload=%7Bnope", "application/x-www-form-urlencoded", True, 400,
                 id="signed-broken-payload"),
    pytest.param(b"secret-looking-forgery " * 40_000, "application/json", False, 401,
                 id="forged-large"),
])
async def test_bodies_that_are_not_slacks_are_refused_and_only_their_size_logged(
        workspace, caplog, body, content_type, signed, status):
    headers = {"Content-Type": content_type,
               **payloads.sign(SECRET if signed else "not-the-secret", body)}
    with caplog.at_level(logging.DEBUG):
        async with aiohttp.ClientSession() as http, http.post(
                f"{workspace.app.url}/slack/events", data=body, headers=headers) as response:
            assert response.status == status
    assert not any(b"forgery" in r.getMessage().encode() or r.exc_info for r in caplog.records)
    [refused] = [r.dpflow_fields for r in caplog.records if r.getMessage() == "refused"]
    assert refused == {"bytes": len(body), "outcome": status}
