"""A thread reply costs a handful of SQL statements, the same on a board of 10 cards or 300:
it reads what its lines need once and writes the change at once. Counted with SQLAlchemy's
`before_cursor_execute` on every engine of the app, while the real app answers one signed
reply; deterministic, so the counts are exact."""

from __future__ import annotations

import contextlib

from sqlalchemy import event

from tests.conftest import ALICE, BOB, CHANNEL

FACTS = ["Order placed", "Payment captured", "Stock reserved", "Parcel packed",
         "Parcel shipped"]


@contextlib.contextmanager
def counted(workspace):
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement.split()[0])

    engines = set(workspace.app.db.sessions.sync_engines())
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)


async def reply_counted(w, stage: str, text: str, user: str = ALICE) -> list[str]:
    with counted(w) as statements:
        response = await w.driver.reply(CHANNEL, w.stage_thread(stage), text, user=user)
    assert response.status == 200 and not w.state.ephemerals(user), w.state.ephemerals(user)
    return statements


async def grow(w, events: int) -> None:
    thread = w.stage_thread("events")
    for start in range(0, events, 50):
        text = "\n".join(f"Background event {i}" for i in range(start, min(start + 50, events)))
        assert (await w.driver.reply(CHANNEL, thread, text, user=BOB)).status == 200


async def test_an_event_reply_costs_six_statements_whatever_the_board(workspace):
    w = workspace
    await w.command("start Order fulfilment")
    await grow(w, 10)
    await reply_counted(w, "events", "Warm up: the thread and Alice are known now")

    one_small = await reply_counted(w, "events", FACTS[0])
    five_small = await reply_counted(w, "events", "\n".join(FACTS[1:]))
    await grow(w, 300)
    one_big = await reply_counted(w, "events", "Invoice sent")
    five_big = await reply_counted(w, "events", "\n".join(f"Late {f}" for f in FACTS))

    # BEGIN IMMEDIATE, the thread with its slice, the references, cards, sources, reaction
    assert one_small == ["BEGIN", "SELECT", "INSERT", "INSERT", "INSERT", "INSERT"]
    assert five_small == one_small == one_big == five_big


async def test_replies_of_every_stage_stay_within_ten_statements(workspace):
    w = workspace
    await w.command("start Order fulfilment")
    await grow(w, 3)
    lines = {
        "events": "Refund paid",
        "flow": "E1: Place order | actor: Customer | system: Web shop",
        "aggregates": "Orders: E1, E2",
        "decisions": "E1: Accept the order",
        "opportunities": "D1 suggest: show the customer's usual basket",
        "ports": "DP1: Orders to accept for D1",
        "consumers": "new Delivery promise: Slots per area for D1 reads P1",
        "canvases": "DP1 owner: Checkout team",
    }
    counts = {}
    for stage, line in lines.items():
        if stage == "canvases":
            await w.command("next")  # through the review
        if stage != "events":
            await w.command("next")
        await reply_counted(w, stage, "Warm up" if stage == "events" else line, user=BOB)
        one = await reply_counted(w, stage, _another(stage, line))
        counts[stage] = len(one)
    assert max(counts.values()) <= 10, counts


def _another(stage: str, line: str) -> str:
    """A second line of the same stage, so that it is not refused as a duplicate."""
    return {
        "events": "Refund sent",
        "flow": "E2: Pay | actor: Customer | system: PSP",
        "aggregates": "Orders: E3",
        "decisions": "E2: Decide whether to retry the payment",
        "opportunities": "D1 automate: score the order",
        "ports": "DP1: Paid orders for D1",
        "consumers": "new Delivery promise: Routes for D1 reads P1",
        "canvases": "DP1 term: Order — what a customer buys",
    }[stage]
