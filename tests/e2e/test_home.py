"""The App Home tab (SPEC §8): workshops, stage, deadline, own contributions, buttons."""

from __future__ import annotations

import json

from dpflow.slack.ids import Action
from tests.conftest import ALICE, CHANNEL


def buttons(view: dict) -> dict[str, dict]:
    return {e["text"]["text"]: e for b in view["blocks"] if b["type"] == "actions"
            for e in b["elements"]}


async def test_home_shows_the_workshop_and_what_to_do_next(workspace):
    w = workspace
    await w.command("start Order fulfilment")
    thread = w.stage_thread("events")
    await w.driver.reply(CHANNEL, thread, "Order placed\nOrder paid", user=ALICE)
    await w.command("due in 2d")

    assert (await w.driver.home_opened(ALICE)).status == 200
    home = w.state.home_view(ALICE)
    text = json.dumps(home["blocks"], ensure_ascii=False)
    assert "Order fulfilment" in text and f"<#{CHANNEL}>" in text
    assert "Stage 1 of 9 · Events" in text and "<!date^" in text
    assert "Your contributions: 2: E1, E2" in text
    found = buttons(home)
    link = found["Open the stage thread"]["url"]
    assert link.endswith(f"/archives/{CHANNEL}/p{thread.replace('.', '')}")
    assert "Add" in found and "Mute DMs" in found and "Join" not in found

    muted = await w.driver.click(ALICE, Action.MUTE, value=found["Mute DMs"]["value"],
                                 view_id=home["id"])
    assert muted.status == 200
    home = w.state.home_view(ALICE)
    assert "Unmute DMs" in buttons(home) and "DMs muted" in json.dumps(home["blocks"])
    await w.driver.click(ALICE, Action.UNMUTE, value=found["Mute DMs"]["value"],
                         view_id=home["id"])
    assert "Mute DMs" in buttons(w.state.home_view(ALICE))


async def test_many_workshops_stay_within_the_block_limit(workspace):
    w = workspace
    for i in range(25):
        await w.command(f"start Workshop {i}", channel=f"C0W{i:03d}")
    await w.driver.home_opened("UFACIL")
    home = w.state.home_view("UFACIL")
    assert len(home["blocks"]) <= 100
    text = json.dumps(home["blocks"], ensure_ascii=False)
    assert "Workshop 24" in text and "Workshop 4\"" not in text
    assert "and 5 older workshops" in text
