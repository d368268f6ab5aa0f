"""Edits and deletes of replies in later stages: what an edited line no longer says is taken
back, and what hangs on a card goes with it, links included. An edit or a delete reads the
cards it touches, not the board (see `needs(…, removing=…)`): these are the cases where a
card it touches is linked to cards its lines never name."""

from __future__ import annotations

from tests.conftest import ALICE, BOB, CHANNEL


async def reply(w, stage: str, text: str, user: str = ALICE):
    response = await w.driver.reply(CHANNEL, w.stage_thread(stage), text, user=user)
    assert response.status == 200 and not w.state.ephemerals(user), w.state.ephemerals(user)
    return response


async def a_board_with_ports(w):
    """E1, E2 in DP1; D1 on E1, D2 on E2, O1 on D1; P1 of DP1 for D1, D2; DP2 reads P1."""
    await w.command("start Order fulfilment")
    events = await reply(w, "events", "Order placed\nPayment captured")
    replies = {}
    for stage, line in (("flow", None), ("aggregates", "Orders: E1, E2"),
                        ("decisions", "E1: Accept the order\nE2: Retry the payment"),
                        ("opportunities", "D1 suggest: show the usual basket"),
                        ("ports", "DP1: Orders to accept for D1, D2"),
                        ("consumers", "new Delivery promise: Slots per area for D2 reads P1")):
        await w.command("next")
        if line:
            replies[stage] = await reply(w, stage, line)
    return events, replies["ports"]


def products(document: dict) -> dict:
    return {p["ref"]: ([(port["ref"], port["supports"]) for port in p["output_ports"]],
                       p["reads"]) for p in document["data_products"]}


async def test_an_edited_port_line_supports_only_what_it_names_now(workspace):
    w = workspace
    await a_board_with_ports(w)
    await w.command("stage ports")
    thread = w.stage_thread("ports")
    edited = await w.driver.reply(CHANNEL, thread, "DP1: Payments to retry for D1, D2",
                                  user=ALICE)
    await w.driver.edit(CHANNEL, edited.ts, "DP1: Payments to retry for D2", user=ALICE)

    document = await w.exported()
    assert products(document)["DP1"][0][-1] == ("P3", ["D2"])
    assert products(document)["DP1"][0][0] == ("P1", ["D1", "D2"])  # another reply's port


async def test_deleting_the_events_reply_takes_decisions_and_their_links(workspace):
    w = workspace
    events, _ = await a_board_with_ports(w)
    assert (await w.driver.delete(CHANNEL, events.ts, user=ALICE)).status == 200

    document = await w.exported()
    assert document["events"] == [] and document["decisions"] == []
    assert document["opportunities"] == []
    assert products(document) == {"DP1": ([("P1", [])], []),
                                  "DP2": ([("P2", [])], ["P1"])}


async def test_deleting_a_port_reply_takes_the_port_from_its_readers(workspace):
    w = workspace
    _, ports = await a_board_with_ports(w)
    assert (await w.driver.delete(CHANNEL, ports.ts, user=ALICE)).status == 200

    document = await w.exported()
    assert products(document) == {"DP1": ([], []), "DP2": ([("P2", ["D2"])], [])}
    assert [d["ref"] for d in document["decisions"]] == ["D1", "D2"]


async def test_an_edit_on_a_big_board_reads_what_it_touches(workspace):
    w = workspace
    await w.command("start Order fulfilment")
    thread = w.stage_thread("events")
    for start in range(0, 500, 50):
        text = "\n".join(f"Background event {i}" for i in range(start, start + 50))
        assert (await w.driver.reply(CHANNEL, thread, text, user=BOB)).status == 200
    mine = await reply(w, "events", "Order placed")
    await w.driver.edit(CHANNEL, mine.ts, "Background event 7", user=ALICE)
    assert "E8 already says" in w.state.ephemerals(ALICE)[-1].text
    await w.driver.edit(CHANNEL, mine.ts, "Order placed online", user=ALICE)

    document = await w.exported()
    assert len(document["events"]) == 501
    assert document["events"][-1]["text"] == "Order placed online"
