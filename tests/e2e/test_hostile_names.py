"""A workshop whose every name is hostile, from `start` to `close`: whatever dpflow sends to
Slack on any surface (messages, updates, ephemerals, answers, modals, the Home tab,
canvases, file comments, reminders and DM nudges) pings nobody and links nowhere."""

from __future__ import annotations

import json

from dpflow.domain.model import FindingKind
from dpflow.slack.ids import Action, Block
from dpflow.slack.metadata import FindingValue, WorkshopValue
from tests.conftest import ALICE, BOB, CHANNEL, FACILITATOR
from tests.e2e.shop import finding_button, reply_all
from tests.hostile import markdown_from_people, markup_from_people, strings

HOSTILE_SCRIPT: dict[str, list[str]] = {
    "events": ["<!channel> order placed by <@UHOSTILE>",
               "Payment <http://evil.example|captured> &lt;fast&gt;",
               "[click](http://evil.example) parcel shipped"],
    "flow": ["E1: <!here> place order | actor: <@UHOSTILE> | system: <#CHOSTILE> | "
             "trigger: <!everyone>"],
    "aggregates": ["<!channel> orders: E1, E2", "<@UHOSTILE> shipping: E3"],
    "decisions": ["E1: <!here> accept <http://evil.example|the order>",
                  "new: <!subteam^SHOSTILE> offer vouchers"],
    "opportunities": ["D1 automate: <!channel> always", "idea: <@UHOSTILE> sell data"],
    "ports": ["DP1: <!here> orders to accept for D1", "DP2: <#CHOSTILE> parcels"],
    "consumers": ["new <!everyone> promise: <!channel> slots for D2 reads P1",
                  "new <!everyone> promise: <@UHOSTILE> windows for D1 reads P2"],
}
CANVAS_LINES = ["DP1 purpose: <http://evil.example|why> it exists",
                "DP1 term: [click](http://evil.example) — a word",
                "DP3 question: who is <@UHOSTILE>?"]


async def fix_an_owner(w) -> None:
    ts, finding = finding_button(w, FindingKind.NO_OWNER, "DP1")
    await w.driver.click(FACILITATOR, Action.APPLY_FINDING, channel=CHANNEL, message_ts=ts,
                         value=FindingValue(finding=finding).dump())
    view = w.state.views_for(FACILITATOR)[-1]
    owner = {Block.LINE: {Block.LINE: {"type": "plain_text_input",
                                       "value": "<!channel> <@UHOSTILE> team"}}}
    assert (await w.driver.submit(FACILITATOR, owner, view_id=view["id"])).status == 200
    await w.settle()


def everything_sent(w, answers: list) -> list[tuple[str, str]]:
    """(where, text) of every string dpflow handed to Slack."""
    sent = [(call.method, s) for call in w.state.calls for s in strings(call.params)
            if call.method != "canvases.create" and call.method != "canvases.edit"]
    sent += [("response_url", s) for post in w.state.responses for s in strings(post.payload)]
    return sent + [("answer", s) for answer in answers for s in strings(answer)]


async def test_hostile_names_never_become_mentions_or_links(workspace):
    w = workspace
    w.state.add_user(ALICE, "<!channel> alice", tz="America/Chicago")  # names are typed too
    answers = []

    async def command(text: str, user: str = FACILITATOR):
        answers.append((await w.command(text, user=user)).json)

    await command("start <!channel> party <!here> domain: <@UHOSTILE> <http://evil.example>")
    thread = w.stage_thread("events")
    join = WorkshopValue(workshop=w.state.message(CHANNEL, thread)["metadata"]
                         ["event_payload"]["workshop"]).dump()
    await w.driver.click(BOB, Action.JOIN, channel=CHANNEL, message_ts=thread, value=join)
    for stage, lines in HOSTILE_SCRIPT.items():
        await reply_all(w, stage, lines)
        await command("status")
        if stage == "flow":  # BOB and the facilitator add nothing here
            await command("due in 2d")
            for _ in range(49):  # reminders, DM nudges, the deadline's summary
                await w.settle(hours=1)
        await command("next")
    await fix_an_owner(w)
    await command("next")
    await reply_all(w, "canvases", CANVAS_LINES)
    for text in ("list", "summary", "canvas", "export md channel", "delete E1",
                 "add <!here> again", "stage <!channel>"):
        await command(text)
    await w.driver.home_opened(ALICE)
    await command("close")

    assert [(where, m) for where, s in everything_sent(w, answers)
            for m in markup_from_people(s)] == []
    canvases = [s for c in w.state.canvases.values() for s in [c.markdown, *strings(c.edits)]]
    assert [m for s in canvases for m in markdown_from_people(s)] == []
    assert {m.mention for m in w.state.mentions} <= {f"<@{u}>" for u in (FACILITATOR, ALICE,
                                                                         BOB)}
    closing = [m["text"] for m in w.state.messages(CHANNEL) if "is closed" in m["text"]]
    assert closing == ["&lt;!channel&gt; party &lt;!here&gt; is closed"]
    # and it all happened: every line stored, reminders, nudges, canvases, refusals
    assert len(w.state.calls_to("reactions.add")) == 17
    posted = [c.params for c in w.state.calls_to("chat.postMessage")]
    assert any("closes soon" in p.get("text", "") and p["channel"].startswith("D")
               for p in posted)
    assert any("Nothing from you here yet" in json.dumps(p) for p in posted)
    assert len(w.state.canvases) == 3
    assert "There is no stage called `&lt;!channel&gt;`" in json.dumps(answers)

