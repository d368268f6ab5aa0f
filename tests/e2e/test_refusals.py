"""Every malformed or refused input of SPEC §3–4: the person reads what was wrong and the
right form, ephemerally, and nothing on the board changes."""

from __future__ import annotations

import pytest

from dpflow.domain.grammar import FORMS
from dpflow.domain.model import Stage
from dpflow.slack.text import esc
from tests.conftest import ALICE, BOB, CHANNEL, FACILITATOR

# a small board with one card of every kind, added by the facilitator
BOARD = [("events", "Order placed"), ("events", "Parcel packed"),
         ("aggregates", "Orders: E1"), ("decisions", "E1: Accept the order"),
         ("opportunities", "D1 suggest: show the customer's history"),
         ("ports", "DP1: Orders to accept for D1"),
         ("consumers", "new Planning: Slots for D1 reads P1")]

REFUSED = [  # stage, line, what the answer says
    ("events", "x" * 301, "301 characters long"),
    ("events", "order PLACED", "E1 already says “Order placed”"),
    ("flow", "Place order", "A colon is missing"),
    ("flow", "E99: Place order", "There is no E99"),
    ("flow", "D1: Place order", "`D1` is a decision, but the flow belongs to an event"),
    ("flow", "E1: Place order | colour: red", "`colour` is not a part of the flow"),
    ("aggregates", "Orders E1", "A colon is missing"),
    ("aggregates", "Shipping: E99", "There is no E99"),
    ("aggregates", "Shipping: D1", "`D1` is a decision, but an aggregate groups an event"),
    ("aggregates", "Shipping: E1", "E1 already belongs to Orders (DP1)"),
    ("aggregates", "Planning: E2", "Planning (DP2) is a consumer-aligned data product"),
    ("decisions", "Accept the order", "A colon is missing"),
    ("decisions", "E99: Accept the order", "There is no E99"),
    ("decisions", "D1: Accept the order", "`D1` is a decision, but decisions link to"),
    ("decisions", "E1: accept the order", "D1 is already this decision"),
    ("opportunities", "D1 maybe: rank them", "Say `automate` or `suggest`"),
    ("opportunities", "D99 automate: rank them", "There is no D99"),
    ("opportunities", "E1 automate: rank them", "`E1` is an event, but opportunities belong"),
    ("opportunities", "D1 suggest: Show the customer's history", "O1 is already this"),
    ("ports", "Orders to accept for D1", "A colon is missing"),
    ("ports", "DP99: Stock for D1", "There is no DP99"),
    ("ports", "D1: Stock", "`D1` is a decision, but output ports live on a data product"),
    ("ports", "DP1: Stock for D99", "There is no D99"),
    ("ports", "DP1: Stock for P1", "`P1` is an output port, but an output port supports a"),
    ("ports", "DP1: orders to accept", "DP1 already has the output port P1"),
    ("consumers", "Planning: Routes", "Start with `new`"),
    ("consumers", "new Routing: Routes reads P99", "There is no P99"),
    ("consumers", "new Routing: Routes reads DP1", "`DP1` is a data product, but a consumer"),
    ("consumers", "new Orders: Routes", "Orders (DP1) is a source-aligned data product"),
    ("consumers", "new Planning: Routes reads P2", "P2 is an output port of Planning itself"),
    ("consumers", "new planning: slots", "Planning already has the output port P2"),
    ("canvases", "DP1 colour: red", "`colour` is not a canvas field"),
    ("canvases", "DP99 owner: Checkout team", "There is no DP99"),
    ("canvases", "D1 owner: Checkout team", "`D1` is a decision, but canvas fields belong"),
    ("review", "Orders: E1", "During the review only canvas fields are added"),
]

OTHER_STAGE = [  # stage, line, what the answer says, the stage whose form it shows
    ("events", "E99: Parcel shelved", "Did you mean a flow line", Stage.FLOW),
    ("events", "Orders: E1, E2", "written for the *aggregates* stage", Stage.AGGREGATES),
    ("decisions", "DP1: Accept the order", "written for the *ports* stage", Stage.PORTS),
    ("decisions", "E1: Pack | actor: Packer", "written for the *flow* stage", Stage.FLOW),
    ("ports", "DP1: Ward capacity for D1 reads P1", "added in the *consumers* stage",
     Stage.CONSUMERS),
    ("ports", "DP1 owner: Checkout team", "The *canvases* stage comes later", Stage.CANVASES),
    ("canvases", "DP1: Stock for D1", "<https://slack.com/archives/", Stage.PORTS),
    ("canvases", "DP1 classification: banana", "core, supporting or generic", None),
]


async def export(w) -> dict:
    return await w.exported()


@pytest.fixture
async def board(workspace):
    """The small board, with ALICE as a participant who added one event."""
    w = workspace
    await w.command("start Order fulfilment domain: Online shop")
    stage = "events"
    for at, line in BOARD:
        if at != stage:
            stage = at
            await w.command(f"stage {stage}")
        assert (await w.command(f"add {line}")).json["text"].startswith("Added")
    await w.command("stage events")
    await w.command("add Parcel shipped", user=ALICE)
    return w


@pytest.mark.parametrize("stage", list(dict.fromkeys(s for s, _, _ in REFUSED)))
async def test_refused_lines_are_answered_and_store_nothing(board, stage):
    """As a thread reply (ephemeral in the thread) and as `/dpflow add` (the answer)."""
    w = board
    if stage != "events":
        await w.command(f"stage {stage}")
    before = await export(w)
    for line, says in [(line, says) for s, line, says in REFUSED if s == stage]:
        reply = await w.driver.reply(CHANNEL, w.stage_thread(stage), line, user=BOB)
        assert reply.status == 200, reply.text
        answer = await w.command(f"add {line}", user=BOB)
        assert answer.json["response_type"] == "ephemeral"
        ephemeral = w.state.ephemerals(BOB)[-1]
        assert ephemeral.thread_ts == w.stage_thread(stage)
        for text in (ephemeral.text, answer.json["text"]):
            assert esc(says) in text, (line, text)
            if stage != "review":
                assert f"Try: `{esc(FORMS[Stage(stage)])}" in text
        assert w.state.reactions_on(CHANNEL, reply.ts) == []
    assert await export(w) == before


@pytest.mark.parametrize(("stage", "line", "says", "form"), OTHER_STAGE)
async def test_a_line_of_another_stage_gets_that_stages_form(board, stage, line, says, form):
    w = board
    if stage != "events":
        await w.command(f"stage {stage}")
    before = await export(w)
    answer = (await w.command(f"add {line}", user=BOB)).json["text"]
    assert esc(says) in answer
    if form is not None:
        assert f"Try: `{esc(FORMS[form])}" in answer
    else:
        assert "Try: `DP1 classification: core, revenue, custom built`" in answer
    assert await export(w) == before


async def test_a_message_with_one_bad_line_stores_none_of_its_lines(board):
    w = board
    before = await export(w)
    await w.driver.reply(CHANNEL, w.stage_thread("events"), "Parcel weighed\nParcel labelled\n"
                         + "y" * 400, user=BOB)
    assert "Line 3: The event is 400 characters long" in w.state.ephemerals(BOB)[-1].text
    assert await export(w) == before


async def test_a_closed_stage_thread_refuses_replies(board):
    w = board
    await w.command("next")
    before = await export(w)
    await w.driver.reply(CHANNEL, w.stage_thread("events"), "Parcel weighed", user=BOB)
    text = w.state.ephemerals(BOB)[-1].text
    assert "collected the *events* stage, which is closed" in text
    assert f"Try: `/dpflow add {esc(FORMS[Stage.FLOW])}`" in text
    assert await export(w) == before


FACILITATORS_ONLY = [
    ("next", "Only facilitators can move the workshop to the next stage"),
    ("stage decisions", "Only facilitators can change the stage"),
    ("due in 2d", "Only facilitators"),
    (f"facilitator add <@{BOB}>", "Only facilitators can add facilitators"),
    ("close", "Only facilitators can close the workshop"),
    ("edit E1 Order paid", f"E1 was added by <@{FACILITATOR}>; only its author or a "
                           "facilitator can edit it"),
    ("delete E1", f"E1 was added by <@{FACILITATOR}>; only its author or a facilitator can "
                  "delete it"),
    ("move E1 after E2", "only its author or a facilitator can move it"),
]


async def test_a_participant_is_refused_what_only_facilitators_may_do(board):
    w = board
    before = await export(w)
    messages = len(w.state.messages(CHANNEL))
    for command, says in FACILITATORS_ONLY:
        answer = await w.command(command, user=ALICE)
        assert answer.json["response_type"] == "ephemeral"
        assert says in answer.json["text"], command
        if command.startswith(("next", "stage", "due", "facilitator", "close")):
            assert f"<@{FACILITATOR}>" in answer.json["text"]  # who to ask
    assert await export(w) == before
    assert len(w.state.messages(CHANNEL)) == messages


async def test_a_participant_changes_their_own_card(board):
    w = board
    answer = await w.command("edit E3 Parcel shipped to the customer", user=ALICE)
    assert "Changed" in answer.json["text"]
    assert (await export(w))["events"][2]["text"] == "Parcel shipped to the customer"
