"""A board of 300 events: every message the app posts stays within Block Kit's limits
(the emulator records each breach in `state.invalid`, which the fixture asserts empty)."""

from __future__ import annotations

from dpflow.domain.grammar import MAX_LINES
from tests.conftest import ALICE, BOB, CHANNEL

EVENTS = 300


def lines(template: str, refs: range) -> list[str]:
    return [template.format(i=i) for i in refs]


async def reply(w, stage: str, text_lines: list[str], user: str = ALICE) -> None:
    thread = w.stage_thread(stage)
    for start in range(0, len(text_lines), MAX_LINES):
        chunk = "\n".join(text_lines[start:start + MAX_LINES])
        response = await w.driver.reply(CHANNEL, thread, chunk, user=user)
        assert response.status == 200, response.text
    await w.settle(seconds=30)


async def test_every_message_fits_for_300_events(workspace):
    w = workspace
    await w.command("start A very long order to cash process domain: Retail")
    await reply(w, "events", lines("Business event number {i} happened to the order at last",
                                   range(1, EVENTS + 1)))
    await w.command("next")
    await reply(w, "flow", lines("E{i}: Handle step {i} | actor: Clerk {i} | system: ERP {i}",
                                 range(1, 61)), user=BOB)
    await w.command("next")
    await reply(w, "aggregates", [
        f"Aggregate {k}: " + ", ".join(f"E{i}" for i in range(k * 50 + 1, k * 50 + 51))
        for k in range(EVENTS // 50)])
    await w.command("next")
    await reply(w, "decisions", lines("E{i}: Decide how to handle case {i} of the order",
                                      range(1, 151)), user=BOB)
    await w.command("next")
    await reply(w, "opportunities", lines("D{i} automate: use the history of case {i}",
                                          range(1, 31)))
    await w.command("next")
    await reply(w, "ports", [f"DP{1 + i % 6}: Read model {i} for D{i}" for i in
                             range(1, 121)], user=BOB)
    await w.command("next")
    await reply(w, "consumers", [f"new Insight {k}: Forecast {k} for D{k} reads P{k}, P{k + 1}"
                                 for k in range(1, 31)])
    for command in ("status", "list", "list events", "list decisions", "list ports",
                    "list products", "next", "next", "canvas", "close"):
        response = await w.command(command)
        assert response.status == 200, response.text
    assert len(w.state.canvases) == 36
    assert w.state.invalid == []
