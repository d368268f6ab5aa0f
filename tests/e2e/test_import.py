"""Importing a board from a room workshop: a file shared in the channel, `/dpflow import`,
the colour form, and the workshop going on in Slack; from the shell, `dpflow import`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from dpflow.slack.ids import Block, Callback
from tests.conftest import ALICE, CHANNEL, FACILITATOR

BOARD = Path(__file__).parents[1] / "fixtures" / "miro-board-items.json"


def _select(kind: str) -> dict:
    return {"type": "static_select", "selected_option": {"value": kind}}


def _answers(view: dict, **changed: str) -> dict:
    """The form as sent: every select as it was opened, but for the colours `changed`."""
    values = {}
    for block in view["blocks"]:
        element = block.get("element") or {}
        if element.get("type") == "static_select":
            colour = block["label"]["text"].split(" · ")[0].lower().replace(" ", "_")
            kind = changed.get(colour, element["initial_option"]["value"])
            values[block["block_id"]] = {block["block_id"]: _select(kind)}
        elif element.get("type") == "plain_text_input":
            values[block["block_id"]] = {block["block_id"]: {
                "type": "plain_text_input", "value": element.get("initial_value")}}
    return values


def _text(view: dict) -> str:
    return "\n".join(b["text"]["text"] for b in view["blocks"] if b.get("text"))


async def _import_form(w, filename: str, content: bytes, user: str = FACILITATOR) -> dict:
    shared = await w.driver.share_file(CHANNEL, user, filename, content)
    assert shared.status == 200
    answer = await w.command("import", user=user)
    assert answer.text == "", answer.text
    view = w.state.views_for(user)[-1]
    assert view["callback_id"] == Callback.IMPORT_FORM
    return view


async def test_a_miro_board_starts_a_workshop_that_goes_on_in_slack(workspace):
    w = workspace
    view = await _import_form(w, "order-fulfilment.json", BOARD.read_bytes())
    assert "holds 60 sticky notes in 6 colours" in _text(view)
    selects = {b["label"]["text"]: b["element"]["initial_option"]["value"]
               for b in view["blocks"] if b.get("block_id", "").startswith(Block.COLOUR)}
    assert selects == {"Orange · 24 stickies": "event", "Light blue · 13 stickies": "command",
                       "Yellow · 8 stickies": "actor", "Cyan · 8 stickies": "skip",
                       "Violet · 6 stickies": "decision", "Gray · 1 sticky": "skip"}
    values = _answers(view, cyan="system")  # this team's systems were cyan
    values[Block.NAME] = {Block.NAME: {"type": "plain_text_input", "value": "Order fulfilment"}}
    sent = await w.driver.submit(FACILITATOR, values, view_id=view["id"])
    assert sent.status == 200, sent.text
    result = sent.json["view"]
    assert sent.json["response_action"] == "update"
    said = _text(result)
    assert "22 events, 28 flow details and 6 decisions" in said
    assert "Left out (4)" in said
    for reason in ("it is empty", "its colour is left out", "no event is near it",
                   "E1 already says “Order placed”"):
        assert reason in said
    again = await w.driver.submit(FACILITATOR, values, view_id=view["id"])  # a resent form
    assert again.status == 200 and again.text == ""
    await w.settle()

    board = await w.exported()
    assert board["workshop"]["name"] == "Order fulfilment"
    assert board["workshop"]["facilitators"] == [FACILITATOR]
    events = board["events"]
    assert len(events) == 22
    assert [e["text"] for e in events[:3]] == ["Order placed", "Payment authorised",
                                               "Fraud check passed"]
    assert (events[0]["command"], events[0]["actor"], events[0]["system"]) == \
        ("Place order", "Customer", "Shop")
    assert events[15]["text"] == "Return requested (by the customer)"
    assert events[20]["text"] == "Review & rating written"
    assert events[20]["system"] == "<!here> Reviews app"  # as written, shown escaped
    decisions = {d["ref"]: (d["event"], d["text"]) for d in board["decisions"]}
    assert decisions == {"D1": ("E2", "Decide whether to accept the payment"),
                         "D2": ("E3", "Decide whether the order is fraudulent"),
                         "D3": ("E5", "Decide which warehouse ships"),
                         "D4": ("E9", "Decide which carrier to use"),
                         "D5": ("E19", "Decide whether to refund"),
                         "D6": (None, "Offer express delivery")}
    assert not [m for m in w.state.mentions if "here" in m.mention]
    stage_message = w.state.message(CHANNEL, w.stage_thread("events"))
    assert "*Order fulfilment* · 22 events · 6 decisions" in json.dumps(
        stage_message["blocks"], ensure_ascii=False)

    await w.command("next")
    flow = w.stage_thread("flow")
    await w.driver.reply(CHANNEL, flow, "E13: Confirm delivery | actor: Courier\n"
                                        "E14: Send invoice", user=ALICE)
    await w.settle()
    await w.command("next")
    board = await w.exported()
    assert board["workshop"]["stage"] == "aggregates"
    assert (board["events"][12]["command"], board["events"][12]["actor"]) == \
        ("Confirm delivery", "Courier")
    assert (board["events"][13]["command"], board["events"][13]["system"]) == \
        ("Send invoice", "Billing")


async def test_importing_into_a_running_workshop_adds_only_what_is_new(workspace):
    w = workspace
    await w.command("start Order fulfilment")
    await w.command("add Order placed")
    board = "colour,text\norange,Order placed\nblue,Place order\norange,Parcel packed\n" \
            "blue,Pack parcel\nyellow,Packer\n"
    view = await _import_form(w, "wall.csv", board.encode())
    assert not any(b.get("block_id") == Block.NAME for b in view["blocks"])
    sent = await w.driver.submit(FACILITATOR, _answers(view), view_id=view["id"])
    said = _text(sent.json["view"])
    assert "1 event, 2 flow details and 0 decisions" in said
    assert "E1 already says “Order placed”" in said
    assert "its event “Order placed” was not imported" in said
    events = (await w.exported())["events"]
    assert [(e["ref"], e["text"], e["command"], e["actor"]) for e in events] == [
        ("E1", "Order placed", None, None), ("E2", "Parcel packed", "Pack parcel", "Packer")]


BAD_FILES = [
    ("board.json", b'{"data": [{"type": "sticky_note", "data": {"content": "<p>Or',
     "not valid JSON (line 1"),
    ("board.json", b'{"boards": []}', "not a list of Miro board items"),
    ("board.json", b'{"data": [{"type": "frame"}]}', "holds no sticky notes"),
    ("wall.csv", b"what,said\norange,Order placed\n", "The CSV's first row names its columns"),
    ("photo.png", b"\x89PNG\r\n\x1a\n", "is a picture"),
    ("big.txt", b"Order placed\n" * 90_000, "That file is 1.2 MB"),
    ("many.txt", b"".join(b"Event %d\n" % i for i in range(1001)), "holds 1,001 stickies"),
]


@pytest.mark.parametrize(("filename", "content", "answer"), BAD_FILES)
async def test_a_file_that_is_no_board_stores_nothing(workspace, filename, content, answer):
    w = workspace
    await w.command("start Order fulfilment")
    await w.command("add Order placed")
    before = await w.exported()
    await w.driver.share_file(CHANNEL, FACILITATOR, filename, content)
    response = await w.command("import")
    assert answer in response.json["text"]
    assert w.state.views_for(FACILITATOR) == []
    assert await w.exported() == before


async def test_no_shared_file_and_a_bot_outside_the_channel_are_explained(workspace):
    w = workspace
    response = await w.command("import")
    assert "I found no file that you shared in this channel" in response.json["text"]
    w.state.add_channel("CELSEWHERE", members=[FACILITATOR])
    response = await w.command("import", channel="CELSEWHERE")
    assert "invite it with `/invite @dpflow`" in response.json["text"]


async def test_only_facilitators_import(workspace):
    w = workspace
    await w.command("start Order fulfilment")
    before = await w.exported()
    await w.driver.share_file(CHANNEL, ALICE, "board.json", BOARD.read_bytes())
    response = await w.command("import", user=ALICE)
    assert "Only facilitators can import a board" in response.json["text"]
    assert w.state.views_for(ALICE) == [] and w.state.calls_to("files.download") == []
    assert await w.exported() == before


async def test_a_download_without_the_bot_token_gets_slacks_sign_in_page(workspace):
    w = workspace
    file, _ = w.state.share_file(CHANNEL, FACILITATOR, "board.txt", b"Order placed\n")
    url = w.state.file_json(file)["url_private_download"]
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"Authorization": "Bearer xoxb-someone-else"}):
            async with session.get(url, headers=headers) as response:
                assert response.content_type == "text/html"
        async with session.get(url, headers={"Authorization": "Bearer xoxb-test"}) as response:
            assert await response.read() == b"Order placed\n"


# --- from the shell -----------------------------------------------------------------------


def _dpflow(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "dpflow", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def _board(database_url: str, channel: str) -> dict:
    done = _dpflow("export", "--channel", channel, database_url=database_url)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_dpflow_import_starts_then_fills_the_channel_workshop(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'dpflow.db'}"
    unknown = _dpflow("import", str(BOARD), "--channel", "C1", database_url=url)
    assert unknown.returncode == 1 and "--team T123 --facilitator U123" in unknown.stderr
    tried = _dpflow("import", str(BOARD), "--channel", "C1", "--team", "T1", "--facilitator",
                    "U1", "--map", "cyan=system", "--dry-run", database_url=url)
    assert tried.returncode == 0, tried.stderr
    assert "Would import into “Miro board items”: 22 events, 28 flow" in tried.stdout
    done = _dpflow("import", str(BOARD), "--channel", "C1", "--team", "T1", "--facilitator",
                   "U1", "--map", "cyan=system", "--name", "Order fulfilment", database_url=url)
    assert done.returncode == 0, done.stderr
    assert "  Cyan              8 → system     e.g. “Shop”" in done.stdout
    board = _board(url, "C1")
    assert (board["workshop"]["name"], board["workshop"]["facilitators"]) == \
        ("Order fulfilment", ["U1"])
    assert len(board["events"]) == 22 and board["events"][1]["system"] == "PSP"

    more = tmp_path / "more.txt"
    more.write_text("- Order placed\n- Order cancelled\n")
    filled = _dpflow("import", str(more), "--channel", "C1", database_url=url)
    assert filled.returncode == 0, filled.stderr
    assert "1 event, 0 flow details and 0 decisions" in filled.stdout
    assert [e["text"] for e in _board(url, "C1")["events"]][-2:] == \
        ["Loyalty points granted", "Order cancelled"]
    wrong = _dpflow("import", str(more), "--channel", "C1", "--map", "orange:event",
                    database_url=url)
    assert wrong.returncode == 1 and "is not `colour=kind`" in wrong.stderr
