"""The App Home tab: each workshop the person takes part in, and what they can do."""

from __future__ import annotations

from dpflow.domain.model import Stage
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
from dpflow.slack.blocks.stage import add_button, deadline_text, title
from dpflow.slack.ids import Action
from dpflow.slack.metadata import WorkshopValue
from dpflow.slack.text import clip, esc

SHOWN_CARDS = 12


def thread_url(team_url: str, channel: str, ts: str) -> str:
    """Slack's permalink of a message, built as chat.getPermalink would return it."""
    return f"{team_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"


def home_view(page: HomePage, team_url: str) -> dict:
    blocks = [header("Your Data Product Flow workshops")]
    if not page.workshops:
        blocks.append(section("You take part in no workshop yet. Start one in a channel with "
                              "`/dpflow start <name>`, or press *Join* on a stage message."))
    for w in page.workshops:
        blocks += _workshop(w, team_url)
    if page.more:
        blocks.append(context(f"…and {page.more} older workshops, not shown."))
    return {"type": "home", "blocks": fit(blocks, MODAL_BLOCKS)}


def _workshop(w: HomeWorkshop, team_url: str) -> list[dict]:
    state = (f"{title(Stage(w.stage))} · {deadline_text(w.deadline)}" if w.active
             else "closed")
    return [divider(), section(f"*{esc(w.name)}* in <#{w.channel_id}>\n{state}"),
            context(_yours(w)), *([_buttons(w, team_url)] if w.active else [])]


def _yours(w: HomeWorkshop) -> str:
    cards = w.cards[-SHOWN_CARDS:]
    listed = (f": {'…, ' if len(w.cards) > SHOWN_CARDS else ''}{', '.join(cards)}"
              if cards else "")
    return clip(f"Your contributions: {w.contributions}{listed}"
                + (" · you facilitate" if w.facilitator else "")
                + (" · DMs muted" if w.muted else ""), 2000)


def _buttons(w: HomeWorkshop, team_url: str) -> dict:
    buttons = []
    if w.thread_ts:
        buttons.append(button("Open the stage thread", Action.OPEN_THREAD,
                              url=thread_url(team_url, w.channel_id, w.thread_ts)))
    if w.run_id and Stage(w.stage) is not Stage.REVIEW:
        buttons.append(add_button(w.run_id))
    workshop = WorkshopValue(workshop=w.id).dump()
    buttons.append(button("Unmute DMs", Action.UNMUTE, workshop) if w.muted
                   else button("Mute DMs", Action.MUTE, workshop))
    return actions(*buttons, block_id=f"home:{w.id}")
