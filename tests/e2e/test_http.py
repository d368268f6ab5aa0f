"""What reaches the app over HTTP: signatures, health, retries, crashes, mentions."""

from __future__ import annotations

import time

import aiohttp
import pytest

from dpflow.server import running
from dpflow.slack.emulator import payloads
from tests.conftest import ALICE, CHANNEL, SECRET, settings_for


async def _events(workspace):
    return (await workspace.exported())["events"]


def _reply_request(thread: str, text: str):
    return payloads.message_event(CHANNEL, ALICE, text, payloads.now_ts(), thread_ts=thread)


@pytest.mark.parametrize("headers", [
    pytest.param(lambda body: payloads.sign("not-the-secret", body), id="forged"),
    pytest.param(lambda body: payloads.sign(SECRET, body, int(time.time()) - 6 * 60), id="stale"),
    pytest.param(lambda body: {}, id="unsigned"),
    pytest.param(lambda body: {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": ""},
                 id="empty-signature"),
])
async def test_requests_not_signed_by_slack_get_401_and_store_nothing(workspace, headers):
    await workspace.command("start Order fulfilment")
    thread = workspace.stage_thread("events")
    for body, content_type in (_reply_request(thread, "Order placed"),
                               payloads.slash_command("close", "UFACIL", CHANNEL)):
        async with aiohttp.ClientSession() as http:
            response = await http.post(f"{workspace.app.url}/slack/events", data=body,
                                       headers={"Content-Type": content_type, **headers(body)})
            assert response.status == 401
    assert await _events(workspace) == []
    status = await workspace.command("status")
    assert "Events" in status.text


async def test_healthz_answers_when_the_database_does(workspace):
    async with aiohttp.ClientSession() as http:
        response = await http.get(f"{workspace.app.url}/healthz")
        assert response.status == 200
        assert (await response.json())["ok"] is True


async def test_a_crash_after_the_answer_loses_nothing(workspace):
    """The reply is stored before Slack's 200; its reaction is a job that a restarted app
    (here: a second instance on the same database) still sends."""
    await workspace.command("start Order fulfilment")
    thread = workspace.stage_thread("events")
    reply = await workspace.driver.reply(CHANNEL, thread, "Order placed", user=ALICE)
    assert reply.status == 200
    assert [e["text"] for e in await _events(workspace)] == ["Order placed"]
    assert workspace.state.reactions_on(CHANNEL, reply.ts) == []  # nothing ran after the 200
    settings = settings_for(workspace.slack, workspace.database_url)
    async with running(settings, background=False) as restarted:
        await restarted.scheduler.run_due()
    assert workspace.state.reactions_on(CHANNEL, reply.ts) == ["white_check_mark"]


async def test_rate_limited_calls_are_retried(workspace):
    await workspace.command("start Order fulfilment")
    thread = workspace.stage_thread("events")
    workspace.slack.fail_with_429("reactions.add", times=1, retry_after=0)
    reply = await workspace.driver.reply(CHANNEL, thread, "Order placed", user=ALICE)
    await workspace.settle()
    assert workspace.state.reactions_on(CHANNEL, reply.ts) == ["white_check_mark"]


async def test_people_text_never_becomes_a_mention(workspace):
    await workspace.command("start Order fulfilment")
    thread = workspace.stage_thread("events")
    text = "<!channel> order placed by <@UBOB> &lt;fast&gt;"
    await workspace.driver.reply(CHANNEL, thread, text, user=ALICE)
    mentions_before = len(workspace.state.mentions)
    await workspace.settle(seconds=60)  # the stage message refresh shows the board
    listing = await workspace.command("list events", user=ALICE)
    await workspace.command("next")
    await workspace.settle()
    assert "&lt;!channel&gt;" in listing.text
    assert workspace.state.mentions[mentions_before:] == []
    assert (await _events(workspace))[0]["text"] == "<!channel> order placed by <@UBOB> <fast>"
