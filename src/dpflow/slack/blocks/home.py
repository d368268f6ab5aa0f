"""The App Home tab: each workshop the person takes part in, and what they can do."""

from __future__ import annotations

from dpflow.services.home import HomePage, HomeWorkshop
from dpflow.slack.blocks.kit import (
    MODAL_BLOCKS,
    actions,
    button,
    context,
    divider,
    fit,
    header,
    section,
)
from dpflow.slack.blocks.stage import deadline_text
from dpflow.slack.ids import Action
from dpflow.slack.text import esc


def home_view(page: HomePage) -> dict:
    blocks = [header("Your Data Product Flow workshops")]
    if not page.workshops:
        blocks.append(section("You take part in no workshop yet. Start one in a channel with "
                              "`/dpflow start <name>`, or press *Join* on a stage message."))
    for w in page.workshops:
        blocks += _workshop(w)
    return {"type": "home", "blocks": fit(blocks, MODAL_BLOCKS)}


def _workshop(w: HomeWorkshop) -> list[dict]:
    state = f"stage *{w.stage}* · {deadline_text(w.deadline)}" if w.active else "closed"
    blocks = [divider(), section(f"*{esc(w.name)}* in <#{w.channel_id}>\n{state}"),
              context(f"Your contributions: {w.contributions}"
                      + (" · you facilitate" if w.facilitator else "")
                      + (" · DMs muted" if w.muted else ""))]
    if w.active:
        buttons = [button("Add", Action.ADD, str(w.run_id), style="primary")] if w.run_id else []
        buttons.append(button("Unmute DMs", Action.UNMUTE, w.id) if w.muted
                       else button("Mute DMs", Action.MUTE, w.id))
        blocks.append(actions(*buttons, block_id=f"home:{w.id}"))
    return blocks
