"""`dpflow export` and `dpflow migrate` read and write the database without Slack."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ALICE, CHANNEL


def _dpflow(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "dpflow", *args], capture_output=True,
                          text=True, env=env, timeout=120)


async def test_export_writes_the_channel_workshop(workspace, tmp_path):
    await workspace.command("start Order fulfilment domain: Online shop")
    thread = workspace.stage_thread("events")
    await workspace.driver.reply(CHANNEL, thread, "Order placed\nParcel shipped", user=ALICE)
    await workspace.command("close")
    out = tmp_path / "board.json"
    done = _dpflow("export", "--channel", CHANNEL, "--team", "T1", "--format", "json",
                   "-o", str(out), database_url=workspace.database_url)
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text())
    assert document["format"] == "dpflow/v1"
    assert document["workshop"]["domain"] == "Online shop"
    assert [e["text"] for e in document["events"]] == ["Order placed", "Parcel shipped"]
    markdown = _dpflow("export", "--channel", CHANNEL, "--format", "md",
                       database_url=workspace.database_url)
    assert markdown.returncode == 0 and "Order fulfilment" in markdown.stdout


def test_export_of_an_unknown_channel_says_so(tmp_path):
    done = _dpflow("export", "--channel", "CNOPE", database_url=f"sqlite+aiosqlite:///"
                   f"{tmp_path / 'empty.db'}")
    assert done.returncode == 1
    assert "No workshop has run in channel CNOPE" in done.stderr


def test_migrate_creates_the_schema(tmp_path):
    done = _dpflow("migrate", database_url=f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout
