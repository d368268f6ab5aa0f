"""A library-lending workshop (not the online shop) driven through close: examples from its
own board, lines of another stage refused with that stage's form, summary counts that
match the board, and final pictures drawn from the board as it is at close."""

from __future__ import annotations

import json

from dpflow.render.board_picture import board_pngs
from dpflow.render.map_picture import map_pngs
from dpflow.services.exports import board_of_channel
from dpflow.slack.text import esc
from tests.conftest import ALICE, BOB, CHANNEL, FACILITATOR

STAGES = [  # stage, replies, what its summary counts
    ("events", ["Book lent\nBook returned\nRenewal requested", "Book lost by <@UALICE> 📕"],
     "4 events"),
    ("flow", ["E1: Lend book | actor: Librarian | system: Library system\n"
              "E2: Return book | actor: Member | system: Library system"], "2 flow lines"),
    ("aggregates", ["Loans: E1, E2, E3\nLosses: E4"], "2 aggregates"),
    ("decisions", ["E3: Decide whether a renewal is allowed\nE4: Decide what the member pays"],
     "2 decisions"),
    ("opportunities", ["D1 automate: renew when nobody waits for the book\n"
                       "idea: tell members which books are about to be due"],
     "2 opportunities"),
    ("ports", ["DP1: Loans by member for D1\nDP2: Lost books by title for D2"],
     "2 output ports"),
    ("consumers", ["new Renewal advice: Renewals to allow for D1 reads P1\n"
                   "new Fines: Fines due for D2 reads P2"],
     "2 data products · 2 output ports"),
    ("review", [], None),
    ("canvases", ["DP1 owner: Lending team\nDP2 owner: <!here> *Collections* "
                  "<https://evil.example|click me>\nDP1 classification: core, engagement\n"
                  "DP1 term: Loan — a book a member has at home"], "4 canvas fields"),
]

REFUSED = [  # stage, line, what the answer says, the form it shows
    ("events", "E99: Book shelved", "Did you mean a flow line", "E3: <command>"),
    ("ports", "DP1: Ward capacity for D1 reads P2", "added in the *consumers* stage",
     "new <Name>: <port name>"),
    ("canvases", "DP1 classification: banana", "core, supporting or generic",
     "DP1 classification: core"),
]
SHOP = ("order", "basket", "shop", "parcel", "customer")


def summary_of(w, stage: str) -> str:
    text = json.dumps([m.get("blocks") for m in w.state.messages(CHANNEL, w.stage_thread(stage))],
                      ensure_ascii=False)
    return text.split("Added or changed: ")[1].split(".")[0]


async def test_a_library_workshop_through_close(workspace):
    w = workspace
    await w.command("start Lending domain: Public library")
    examples = []
    for stage, replies, _ in STAGES:
        if stage != "events":
            await w.command("next")
        stage_message = w.state.message(CHANNEL, w.stage_thread(stage))
        examples += [b["text"]["text"] for b in stage_message["blocks"]
                     if "For example" in b.get("text", {}).get("text", "")]
        for text in replies:
            await w.driver.reply(CHANNEL, w.stage_thread(stage), text, user=ALICE)
            await w.settle()
        for at, line, says, form in REFUSED:
            if at == stage:
                answer = (await w.command(f"add {line}", user=BOB)).json["text"]
                assert esc(says) in answer and f"Try: `{esc(form)}" in answer, answer
        if stage == "review":
            await w.command("next")  # nothing applied: the review summary says so
            assert summary_of(w, "review") == "nothing"
            await w.command("stage canvases")
            stage_message = w.state.message(CHANNEL, w.stage_thread("canvases"))
    await w.command("close", user=FACILITATOR)
    await w.settle(seconds=150)

    assert not [e for e in examples if any(word in e.lower() for word in SHOP)]
    assert "`E1: Decide whether to lend book`" in " ".join(examples)
    for stage, _, counted in STAGES:
        if counted:
            assert summary_of(w, stage) == counted, stage

    board = await board_of_channel(w.app.deps.uows, CHANNEL, "T1")
    names = {"UALICE": "UALICE"}
    closing = w.state.messages(CHANNEL)[-1]
    final = [f for f in w.state.files.values() if f.filename.endswith(".png")]
    assert all(f.thread_ts == closing["ts"] for f in final)
    assert [f.content for f in final] == board_pngs(board, names) + map_pngs(board, names)
    assert board.product("DP1").owner == "Lending team"  # so the final map shows it
    for canvas in w.state.canvases.values():
        assert not [m for m in ("<@", "<!", "<http") if m in canvas.markdown], canvas.title

    # the owners set in the canvases stage resolved the review's no-owner findings, everywhere
    document = await w.exported()
    statuses = {(f["kind"], f["subject"]): f["status"] for f in document["findings"]}
    assert statuses[("no-owner", "DP1")] == statuses[("no-owner", "DP2")] == "resolved"
    deciders = {f["decided_by"] for f in document["findings"] if f["status"] == "resolved"}
    assert deciders == {"UALICE"}
    dp1 = next(c for c in w.state.canvases.values() if c.title.startswith("DP1"))
    assert "no-owner** — _resolved by UALICE · 20" in dp1.markdown
    review_thread = json.dumps(w.state.messages(CHANNEL, w.stage_thread("review")))
    assert review_thread.count("*Resolved* by <@UALICE>") == 2
    assert "2 resolved" in json.dumps(closing)
