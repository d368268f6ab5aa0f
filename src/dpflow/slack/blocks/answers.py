"""Ephemeral answers to `/dpflow` subcommands."""

from __future__ import annotations

from dpflow.domain import guide
from dpflow.domain.changes import Applied
from dpflow.domain.grammar import EXAMPLES, FORMS
from dpflow.domain.model import STAGES, Board, Stage, Workshop
from dpflow.render.formats import NAMES
from dpflow.services.boards import Deletion, Status
from dpflow.services.workshops import Moved
from dpflow.slack.blocks.kit import (
    actions,
    button,
    context,
    reply,
    section,
    sections,
)
from dpflow.slack.blocks.listing import listing_blocks
from dpflow.slack.blocks.stage import deadline_text, title
from dpflow.slack.ids import Action
from dpflow.slack.metadata import CardValue
from dpflow.slack.text import esc

COMMANDS = f"""*Commands*
`/dpflow start <name> [domain: <domain>]` — start a workshop here
`/dpflow status` — stage, deadline, counts, what is open
`/dpflow add <line>` — add to the current stage (or reply in its thread)
`/dpflow list [events|decisions|opportunities|ports|products|findings]`
`/dpflow edit <ref> <text>` · `/dpflow delete <ref>` · `/dpflow move E5 after E2`
`/dpflow canvas [DP1]` — post the canvases · `/dpflow summary`
`/dpflow export {NAMES} [channel]` — the file by DM, or here with `channel`
`/dpflow import [file name]` — a board from a room workshop that you shared here (Miro \
board items, a CSV, one sticky per line): say what each colour stands for, and it fills the \
events and their flow
Facilitators: `/dpflow next` · `/dpflow stage <name>` · `/dpflow due in 2d` ·
`/dpflow facilitator add @user` · `/dpflow close`"""


def help_text(stage: Stage | None = None) -> dict:
    """`/dpflow help`: the nine stages with their line forms; `help <stage>`: that stage."""
    if stage is not None:
        return reply(f"dpflow help: {stage}", _stage_help(stage))
    stages = [f"{s.number}. *{s}* — {guide.what_to_add(s)}"
              + ("" if s is Stage.REVIEW else f"\n      `{esc(FORMS[s])}`") for s in STAGES]
    return reply("dpflow help", [
        section("*dpflow* runs the Data Product Flow workshop in this channel: the team adds "
                "stickies stage by stage, one line per reply in each stage's thread (or with "
                "`/dpflow add <line>`). `/dpflow help <stage>` tells more about one stage."),
        section("*The nine stages*\n" + "\n".join(stages)), section(COMMANDS)])


def _stage_help(stage: Stage) -> list[dict]:
    blocks = [section(f"*{title(stage)}*\n{guide.what_to_add(stage)}\n{guide.why(stage)}")]
    if stage is not Stage.REVIEW:
        blocks.append(section(f"Reply in the stage's thread, one per line:\n"
                              f"`{esc(FORMS[stage])}`\nFor example: `{esc(EXAMPLES[stage])}`"))
    following = stage.next
    blocks.append(context("Then: " + (f"`/dpflow help {following}`" if following
                                      else "`/dpflow close` and the exports")))
    return blocks


def started(workshop: Workshop) -> dict:
    return reply(f"Started {esc(workshop.name)}.", [section(
        f"Started *{esc(workshop.name)}*. The *events* stage opens in the channel: reply in "
        "its thread, one business event per line. You facilitate; `/dpflow next` moves on.")])


def moved(moved: Moved) -> dict:
    opened = Stage(moved.opened)
    return reply(f"Moved to {opened}.", [section(
        f"Closed *{moved.closed}* and opened *{title(opened)}*. Its summary and the new stage "
        "message are in the channel.")])


def added(applied: list[Applied]) -> dict:
    text = "\n".join(f"• {esc(a.label)}" for a in applied)
    return reply(f"Added {len(applied)}.", [section(f"Added:\n{text}")])


def edited(label: str) -> dict:
    return reply(f"Changed {esc(label)}.", [section(f"Changed: {esc(label)}")])


def deleted(outcome: Deletion) -> dict:
    if outcome.removed:
        return reply(f"Deleted {', '.join(outcome.removed)}.",
                     [section(f"Deleted {', '.join(outcome.removed)}.")])
    lines = "\n".join(f"• {esc(d)}" for d in outcome.dependents)
    return reply(f"{outcome.ref} has cards that depend on it.", [
        section(f"Other cards depend on *{outcome.ref}*:\n{lines}\n"
                "Deleting it removes what cannot stand without it."),
        actions(button(f"Delete {outcome.ref}", Action.CONFIRM_DELETE,
                       CardValue(ref=outcome.ref).dump(), style="danger"),
                button("Keep it", Action.CANCEL)),
    ])


def moved_event(order: list[str]) -> dict:
    return reply("Timeline changed.", [section("The timeline now reads: " + " → ".join(order))])


def facilitators_added(who: str) -> dict:
    return reply(f"{who} now facilitate.", [section(f"{who} can now facilitate this workshop.")])


def closed(workshop: Workshop) -> dict:
    return reply(f"Closed {esc(workshop.name)}.", [section(
        f"Closed *{esc(workshop.name)}*. The closing summary is in the channel; exports stay "
        f"available with `/dpflow export {NAMES}`.")])


def status(status: Status) -> dict:
    board, stage = status.board, status.stage
    blocks = [
        section(f"*{esc(board.workshop.name)}*"
                + (f" · {esc(board.workshop.domain)}" if board.workshop.domain else "")
                + f"\n*{title(stage)}* · {deadline_text(status.deadline)}\n"
                f"{guide.counts(board.sizes())} · {status.participants} participants"),
    ]
    if stage != Stage.REVIEW:
        blocks.append(context(f"Add: `{esc(FORMS[stage])}`"))
    open_items = guide.open_items(board, stage)
    if open_items:
        blocks += [section("*Still open*"), *sections([f"• {esc(i)}" for i in open_items])]
    return reply(f"{esc(board.workshop.name)}: {stage}", blocks)


def listing(board: Board, kind: str, page: int) -> dict:
    return reply(f"{esc(board.workshop.name)}: {kind}", listing_blocks(board, kind, page))


def joined(workshop: Workshop) -> dict:
    return reply(f"You joined {esc(workshop.name)}.", [section(
        f"You joined *{esc(workshop.name)}*: reminders will include you, and the Home tab "
        "lists it.")])
