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


async def test_folder_formats_write_a_folder_and_need_one(workspace, tmp_path):
    await workspace.command("start Order fulfilment domain: Online shop")
    await workspace.driver.reply(CHANNEL, workspace.stage_thread("events"), "Order placed",
                                 user=ALICE)
    url = workspace.database_url
    missing = _dpflow("export", "--channel", CHANNEL, "--format", "eventcatalog",
                      database_url=url)
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        "dpflow: --format eventcatalog writes a folder: name it with -o DIR"]
    out = tmp_path / "catalog"
    done = _dpflow("export", "--channel", CHANNEL, "--format", "eventcatalog", "-o", str(out),
                   database_url=url)
    assert done.returncode == 0, done.stderr
    assert (out / "domains" / "online-shop" / "events" / "order-placed" / "index.mdx").exists()
    report = tmp_path / "report.html"
    assert _dpflow("export", "--channel", CHANNEL, "--format", "html", "-o", str(report),
                   database_url=url).returncode == 0
    assert "Order placed" in report.read_text()


async def test_exports_that_would_be_empty_say_why(workspace, tmp_path):
    await workspace.command("start Order fulfilment")
    for fmt, why in (("odps", "no data product on the board yet"),
                     ("odcs", "no output port on the board yet")):
        done = _dpflow("export", "--channel", CHANNEL, "--format", fmt, "-o",
                       str(tmp_path / fmt), database_url=workspace.database_url)
        assert done.returncode == 1 and why in done.stderr and not (tmp_path / fmt).exists()
    unwritable = _dpflow("export", "--channel", CHANNEL, "-o", str(tmp_path / "no" / "x.json"),
                         database_url=workspace.database_url)
    assert unwritable.returncode == 2
    assert unwritable.stderr.startswith("dpflow: cannot write") and "Traceback" not in \
        unwritable.stderr
