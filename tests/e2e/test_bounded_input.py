"""Input no request may turn into a long write, and text no database stores as sent."""

from __future__ import annotations

import asyncio

from dpflow.server import running
from dpflow.slack.emulator import SlackEmulator
from dpflow.slack.emulator.driver import SlackDriver
from tests.conftest import (
    ALICE,
    BOB,
    CHANNEL,
    FACILITATOR,
    SECRET,
    Clock,
    exported,
    seed,
    settings_for,
)

OTHER = "C0OTHER"


async def _events(database_url: str, channel: str = CHANNEL) -> list[str]:
    document = await exported(database_url, channel)
    return [e["text"] for e in document["events"]]


async def test_a_ten_thousand_line_reply_is_refused_at_once(workspace):
    w = workspace
    await w.command("start Order fulfilment")
    await w.command("start Returns", channel=OTHER)
    pasted = "\n".join(f"Thing {i} happened" for i in range(10_000))

    refused, other = await asyncio.gather(
        w.driver.reply(CHANNEL, w.stage_thread("events"), pasted, user=ALICE),
        w.driver.reply(OTHER, w.stage_thread("events", OTHER), "Parcel returned", user=BOB))

    assert refused.status == 200 and refused.elapsed < 3
    assert other.status == 200 and other.elapsed < 3
    [answer] = w.state.ephemerals(ALICE)
    assert "10,000 lines" in answer.text and "up to 50" in answer.text
    assert await _events(w.database_url) == []
    assert await _events(w.database_url, OTHER) == ["Parcel returned"]


async def test_a_line_longer_than_a_contribution_is_refused(workspace):
    w = workspace
    await w.command("start Order fulfilment")
    answer = await w.command(f"add {'x' * 5000}", user=ALICE)
    assert "5,000 characters" in answer.json["text"]
    assert await _events(w.database_url) == []


async def _store_unstorable(database_url: str) -> list[str]:
    async with SlackEmulator() as slack:
        seed(slack)
        settings = settings_for(slack, database_url)
        async with running(settings, clock=Clock(), background=False) as app, \
                SlackDriver(app.url, SECRET, slack) as driver:
            await driver.command("start Nul\x00 party", user=FACILITATOR, channel=CHANNEL)
            await app.scheduler.run_due()
            thread = slack.state.find_message_with_metadata("dpflow_stage_opened", CHANNEL)["ts"]
            for text in ("Order\x00 placed", "Lone \ud800 surrogate"):
                assert (await driver.reply(CHANNEL, thread, text, user=ALICE)).status == 200
    return await _events(database_url)


async def test_nul_bytes_and_lone_surrogates_are_cleaned_on_sqlite(database_url):
    assert await _store_unstorable(database_url) == ["Order placed", "Lone \ufffd surrogate"]


async def test_nul_bytes_and_lone_surrogates_are_cleaned_on_postgresql(fresh_database):
    assert await _store_unstorable(fresh_database) == ["Order placed", "Lone \ufffd surrogate"]
