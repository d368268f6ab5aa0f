"""Web API calls per contribution, stage by stage: a burst of replies costs one reaction each
and one debounced update of the stage message (target ≤ 1.2 calls per contribution); in the
canvases stage the burst also gets one redraw of the board and map pictures, whatever its
size. `pytest -s` prints the figure of each stage."""

from __future__ import annotations

from tests.conftest import ALICE, BOB, CHANNEL

N = 10
BURSTS: dict[str, str] = {  # a reply of each stage, for i in 1..N
    "events": "Event {i} happened",
    "flow": "E{i}: Handle step {i} | actor: Clerk | system: System {i}",
    "aggregates": "Aggregate {i}: E{i}",
    "decisions": "E{i}: Decide step {i}",
    "opportunities": "D{i} suggest: show the history of step {i}",
    "ports": "DP{i}: Steps waiting {i} for D{i}",
    "consumers": "new Planning {i}: Plan of step {i} for D{i} reads P{i}",
    "canvases": "DP{i} owner: Team {i}",
}


async def test_web_api_calls_per_contribution_in_each_stage(workspace):
    w = workspace
    await w.command("start Order fulfilment")
    figures = {}
    for stage, line in BURSTS.items():
        if stage != "events":
            await w.command(f"stage {stage}")
            await w.settle(seconds=30)  # whatever the stage change left behind
        before = len(w.state.calls)
        thread = w.stage_thread(stage)
        for i in range(1, N + 1):
            response = await w.driver.reply(CHANNEL, thread, line.format(i=i),
                                            user=(ALICE, BOB)[i % 2])
            assert response.status == 200, response.text
        await w.settle()
        await w.settle(minutes=2)  # the debounced refresh and, in canvases, the redraw
        calls = w.state.calls[before:]
        assert [c for c in calls if not c.ok] == []
        redraw = [c for c in calls if c.method.startswith("files.") or _pictures_comment(c)]
        assert len([c for c in redraw if c.method == "chat.postMessage"]) == (
            stage == "canvases")
        figures[stage] = (len(calls) - len(redraw)) / N
    print("Web API calls per contribution:", figures)
    assert all(figure <= 1.2 for figure in figures.values()), figures


def _pictures_comment(call) -> bool:
    """The message above redrawn pictures, and its removal when they are replaced."""
    return call.method == "chat.delete" or (call.method == "chat.postMessage"
                                            and "data product map" in call.params.get("text", ""))
