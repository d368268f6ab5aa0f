"""The Add modals and the *Add to workshop* shortcut, over HTTP with signed payloads."""

from __future__ import annotations

import json

from dpflow.domain.grammar import MAX_LINES
from dpflow.slack.emulator import payloads
from dpflow.slack.ids import Action, Block, Callback
from tests.conftest import ALICE, BOB, CHANNEL


async def at_stage(w, stage: str, events: int = 2) -> str:
    await w.command("start Order fulfilment")
    for start in range(1, events + 1, MAX_LINES):
        numbers = range(start, min(start + MAX_LINES, events + 1))
        await w.command("add " + "\n".join(f"Event number {i}" for i in numbers))
    while w.state.find_message_with_metadata("dpflow_stage_opened", CHANNEL,
                                             stage=stage) is None:
        await w.command("next")
    return w.stage_thread(stage)


async def open_form(w, thread: str, user: str = ALICE) -> dict:
    clicked = await w.driver.click(user, Action.ADD, channel=CHANNEL, message_ts=thread,
                                   value=_run(w, thread))
    assert clicked.status == 200, clicked.text
    return w.state.views_for(user)[-1]


def _run(w, thread: str) -> str:
    add = next(e for b in w.state.message(CHANNEL, thread)["blocks"] if b["type"] == "actions"
               for e in b["elements"] if e["action_id"] == Action.ADD)
    return add["value"]


def chosen(*refs: str, multi: bool = False) -> dict:
    if multi:
        return {"type": "multi_static_select",
                "selected_options": [{"value": r} for r in refs]}
    return {"type": "static_select", "selected_option": {"value": refs[0]}}


def typed(text: str) -> dict:
    return {"type": "plain_text_input", "value": text}


def values(**inputs: dict) -> dict:
    return {Block[name].value: {Block[name].value: state} for name, state in inputs.items()}


async def board(w) -> dict:
    return await w.exported()


def element(view: dict, block: Block) -> dict:
    return next(b["element"] for b in view["blocks"] if b.get("block_id") == block)


async def test_a_decision_from_the_form_is_stored_once(workspace):
    w = workspace
    thread = await at_stage(w, "decisions")
    await w.command("add E1: Decide whether to accept the order")
    view = await open_form(w, thread)
    offered = [o["value"] for o in element(view, Block.EVENT)["options"]]
    assert offered == ["E2", "E1"]  # events without a decision first

    filled = values(EVENT=chosen("E2"), TEXT=typed("Decide the delivery slot"))
    first = await w.driver.submit(ALICE, filled, view_id=view["id"])
    again = await w.driver.submit(ALICE, filled, view_id=view["id"])  # Slack's retry
    assert first.status == again.status == 200 and first.text == ""
    decisions = [(d["text"], d["event"]) for d in (await board(w))["decisions"]]
    assert decisions == [("Decide whether to accept the order", "E1"),
                         ("Decide the delivery slot", "E2")]


async def test_invalid_forms_show_errors_at_the_input(workspace):
    w = workspace
    thread = await at_stage(w, "decisions")
    view = await open_form(w, thread)

    empty = await w.driver.submit(ALICE, values(), view_id=view["id"])
    assert empty.json["response_action"] == "errors"
    assert list(empty.json["errors"]) == [Block.TEXT]

    no_text = await w.driver.submit(ALICE, values(EVENT=chosen("E1")), view_id=view["id"])
    assert list(no_text.json["errors"]) == [Block.TEXT]

    gone = await w.driver.submit(ALICE, values(EVENT=chosen("E9"), TEXT=typed("Decide")),
                                 view_id=view["id"])
    assert "E9" in gone.json["errors"][Block.LINE]
    assert (await board(w))["decisions"] == []

    fixed = await w.driver.submit(ALICE, values(EVENT=chosen("E1"), TEXT=typed("Decide")),
                                  view_id=view["id"])
    assert fixed.text == ""
    assert len((await board(w))["decisions"]) == 1


async def test_ports_opportunities_and_several_lines_at_once(workspace):
    w = workspace
    await at_stage(w, "decisions")
    await w.command("add E1: Decide whether to accept\nE2: Decide the slot")
    await w.command("next")
    thread = w.stage_thread("opportunities")
    view = await open_form(w, thread)
    assert [o["value"] for o in element(view, Block.MODE)["options"]] == \
        ["automate", "suggest", "idea"]
    idea = {Block.MODE: {Block.MODE: {"type": "radio_buttons",
                                      "selected_option": {"value": "idea"}}}}
    response = await w.driver.submit(ALICE, {**idea, **values(
        TEXT=typed("Sell delivery forecasts"), LINE=typed("D1 automate: accept known buyers"))},
        view_id=view["id"])
    assert response.text == ""
    opportunities = [(o["mode"], o["decision"]) for o in (await board(w))["opportunities"]]
    assert opportunities == [("idea", None), ("automate", "D1")]

    await w.command("stage aggregates")
    await w.command("add Orders: E1, E2")
    await w.command("stage ports")
    view = await open_form(w, w.stage_thread("ports"))
    response = await w.driver.submit(BOB, values(
        PRODUCT=chosen("DP1"), TEXT=typed("Orders to accept"),
        SUPPORTS=chosen("D1", "D2", multi=True)), view_id=view["id"])
    assert response.text == ""
    [product] = (await board(w))["data_products"]
    assert product["output_ports"] == [{"ref": "P1", "name": "Orders to accept",
                                        "supports": ["D1", "D2"]}]


async def test_a_long_board_uses_external_selects(workspace):
    w = workspace
    thread = await at_stage(w, "flow", events=120)
    view = await open_form(w, thread)
    assert element(view, Block.EVENT)["type"] == "external_select"
    suggestion = payloads.interaction({
        "type": "block_suggestion", "user": {"id": ALICE, "team_id": "T1"},
        "team": {"id": "T1"}, "api_app_id": "AAPP", "token": "x",
        "action_id": Block.EVENT.value, "block_id": Block.EVENT.value, "value": "number 11",
        "view": view, "container": {"type": "view", "view_id": view["id"]}})
    response = await w.driver.send(suggestion)
    assert response.status == 200
    found = [o["value"] for o in response.json["options"]]
    assert found[:2] == ["E11", "E110"] and len(found) == 11

    filled = values(EVENT={"type": "external_select", "selected_option": {"value": "E11"}},
                    ACTOR=typed("Clerk"))
    assert (await w.driver.submit(ALICE, filled, view_id=view["id"])).text == ""
    assert (await board(w))["events"][10]["actor"] == "Clerk"


async def test_the_message_shortcut_adds_a_channel_message(workspace):
    w = workspace
    await w.command("start Order fulfilment")
    message = w.state.add_user_message(CHANNEL, ALICE, "Order cancelled by the customer")
    response = await w.driver.shortcut(BOB, Callback.ADD_TO_WORKSHOP, channel=CHANNEL,
                                       message_ts=message["ts"])
    assert response.status == 200
    await w.settle()
    assert w.state.reactions_on(CHANNEL, message["ts"]) == ["white_check_mark"]
    assert [e["text"] for e in (await board(w))["events"]] == ["Order cancelled by the customer"]
    assert w.state.responses == []  # acknowledged by a reaction, not a message

    await w.driver.shortcut(BOB, Callback.ADD_TO_WORKSHOP, channel=CHANNEL,
                            message_ts=message["ts"])
    assert "already on the board" in json.dumps(w.state.responses[-1].payload)
    assert len((await board(w))["events"]) == 1


async def test_the_shortcut_refuses_where_no_workshop_runs(workspace):
    w = workspace
    message = w.state.add_user_message("C0OTHER", ALICE, "Something happened")
    response = await w.driver.shortcut(ALICE, Callback.ADD_TO_WORKSHOP, channel="C0OTHER",
                                       message_ts=message["ts"])
    assert response.status == 200
    [answer] = w.state.responses
    assert answer.payload["response_type"] == "ephemeral"
    assert "no workshop running" in answer.payload["text"]
