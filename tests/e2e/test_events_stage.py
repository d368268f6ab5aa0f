"""The events stage end to end: start, replies, retries, edits, deletes, move, export."""

from __future__ import annotations

import asyncio
import json

from tests.conftest import ALICE, BOB, CHANNEL, FACILITATOR


async def test_start_posts_the_events_stage_with_metadata(workspace):
    response = await workspace.command("start Order fulfilment domain: Online shop")
    assert response.json["response_type"] == "ephemeral"
    assert "Order fulfilment" in response.json["text"]
    message = workspace.state.find_message_with_metadata("dpflow_stage_opened", CHANNEL,
                                                         stage="events")
    assert message["metadata"]["event_payload"]["workshop"]
    assert message.get("thread_ts") in (None, message["ts"])


async def test_a_workshop_of_five_events(workspace, tmp_path):
    w = workspace
    await w.command("start Order fulfilment domain: Online shop")
    thread = w.stage_thread("events")

    first = await w.driver.reply(CHANNEL, thread, "Order placed", user=ALICE)
    two = await w.driver.reply(CHANNEL, thread, "Payment captured\nStock reserved", user=BOB)
    retried = await w.driver.reply(CHANNEL, thread, "Parcel packed", user=ALICE)
    again = await w.driver.reply(CHANNEL, thread, "Parcel packed", user=ALICE, ts=retried.ts,
                                 event_id=retried.event_id, retry_num=1)
    amp = await w.driver.reply(CHANNEL, thread, "Invoice &amp; receipt sent", user=BOB)
    for r in (first, two, retried, again, amp):
        assert r.status == 200, r.text
    await w.settle()
    for r in (first, two, retried, amp):
        assert w.state.reactions_on(CHANNEL, r.ts) == ["white_check_mark"]

    assert (await w.driver.edit(CHANNEL, first.ts, "Order placed online", user=ALICE)).status \
        == 200
    assert (await w.driver.delete(CHANNEL, two.ts, user=BOB)).status == 200
    late = await w.driver.reply(CHANNEL, thread, "Parcel shipped", user=BOB)
    assert late.status == 200
    moved = await w.command("move E6 after E1")
    assert "E1 → E6 → E4 → E5" in moved.json["blocks"][0]["text"]["text"]

    document = await w.exported()
    events = [(e["ref"], e["text"], e["position"]) for e in document["events"]]
    assert events == [("E1", "Order placed online", 1), ("E6", "Parcel shipped", 2),
                      ("E4", "Parcel packed", 3), ("E5", "Invoice & receipt sent", 4)]
    assert document["workshop"]["facilitators"] == [FACILITATOR]
    assert document["workshop"]["stage"] == "events"


async def test_a_participant_cannot_move_the_workshop_on(workspace):
    await workspace.command("start Order fulfilment")
    response = await workspace.command("next", user=ALICE)
    assert response.json["response_type"] == "ephemeral"
    assert "Only facilitators" in response.json["text"]
    status = await workspace.command("status", user=ALICE)
    assert "Events" in json.dumps(status.json)
    assert workspace.state.find_message_with_metadata("dpflow_stage_opened", CHANNEL,
                                                      stage="flow") is None


async def test_a_reply_before_the_stage_thread_is_known_is_resent_not_lost(workspace):
    """The stage message is in the channel, but dpflow has not yet saved its ts: a reply
    then is answered non-2xx, and Slack's retry stores it once the thread is known."""
    w = workspace
    assert (await w.driver.command("start Order fulfilment", user=FACILITATOR,
                                   channel=CHANNEL)).status == 200
    w.slack.slow("chat.postMessage", 0.5)
    posting = asyncio.create_task(w.settle())
    while w.state.find_message_with_metadata("dpflow_stage_opened", CHANNEL) is None:
        await asyncio.sleep(0.01)
    early = await w.driver.reply(CHANNEL, w.stage_thread("events"), "Order placed", user=ALICE)
    await posting
    retried = await w.driver.reply(CHANNEL, w.stage_thread("events"), "Order placed",
                                   user=ALICE, ts=early.ts, event_id=early.event_id,
                                   retry_num=1)

    assert (early.status, retried.status) == (500, 200)
    document = await w.exported()
    assert [e["text"] for e in document["events"]] == ["Order placed"]
