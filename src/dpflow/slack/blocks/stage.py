"""The message that opens a stage, and the summary that closes it."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from dpflow.domain import guide
from dpflow.domain.grammar import FORMS
from dpflow.domain.model import STAGES, Board, FindingStatus, Stage
from dpflow.domain.summary import StageSummary
from dpflow.render.formats import NAMES
from dpflow.services.stages import StageView
from dpflow.slack.blocks.canvases import canvas_url
from dpflow.slack.blocks.kit import (
    actions,
    button,
    context,
    fit,
    header,
    section,
    sections,
)
from dpflow.slack.ids import Action
from dpflow.slack.metadata import RunValue, StageOpened, WorkshopValue
from dpflow.slack.text import esc

TITLES = {
    Stage.EVENTS: "Events", Stage.FLOW: "Flow", Stage.AGGREGATES: "Aggregates",
    Stage.DECISIONS: "Decisions", Stage.OPPORTUNITIES: "Opportunities",
    Stage.PORTS: "Output ports", Stage.CONSUMERS: "Consumer-aligned data products",
    Stage.REVIEW: "Review", Stage.CANVASES: "Canvases",
}


def title(stage: Stage) -> str:
    return f"Stage {stage.number} of {len(STAGES)} · {TITLES[stage]}"


def deadline_text(deadline: datetime | None) -> str:
    if deadline is None:
        return "no deadline"
    epoch = int(deadline.timestamp())
    return f"due <!date^{epoch}^{{date_short_pretty}} at {{time}}|{deadline:%Y-%m-%d %H:%M} UTC>"


def add_button(run_id: int) -> dict:
    return button("Add", Action.ADD, RunValue(run=run_id).dump(), style="primary")


def stage_message(view: StageView, closed: bool = False) -> dict:
    """chat.postMessage / chat.update arguments of a stage message (text, blocks, metadata)."""
    board, stage, run_id, deadline = view.board, view.stage, view.run.id, view.run.deadline
    counts = guide.counts(view.sizes)
    blocks = [header(title(stage) + (" (closed)" if closed else "")),
              section(guide.what_to_add(stage))]
    if stage != Stage.REVIEW:
        blocks.append(section(f"Reply in this thread, one per line:\n`{esc(FORMS[stage])}`\n"
                              f"For example: `{esc(guide.example(board, stage))}`"))
    blocks.append(context(f"*{esc(board.workshop.name)}* · {counts} · "
                          f"{deadline_text(deadline)}"))
    if not closed and stage != Stage.REVIEW:
        blocks.append(actions(add_button(run_id),
                              button("Join", Action.JOIN,
                                     WorkshopValue(workshop=board.workshop.id).dump())))
    return {"text": f"{title(stage)} — {esc(board.workshop.name)}", "blocks": blocks,
            "metadata": StageOpened(stage=stage, workshop=board.workshop.id).metadata()}


def summary_blocks(summary: StageSummary, permalink: str | None,
                   names: dict[str, str]) -> list[dict]:
    """What a stage gathered, from whom (by name: a summary notifies nobody), what is open."""
    stage = summary.stage
    who = "; ".join(f"{esc(names.get(u, u))} {n}" for u, n in summary.by_person.items())
    blocks = [section(f"*{title(stage)} — summary*\nAdded or changed: {summary.said}."
                      + (f"\nBy: {who}." if who else "")
                      + (f"\n<{permalink}|Open the stage thread>" if permalink else ""))]
    if summary.open_items:
        blocks.append(section("*Still open*"))
        blocks += sections([f"• {esc(item)}" for item in summary.open_items])
    return fit(blocks, 45)




def _findings_line(board: Board) -> list[str]:
    """How the review's findings ended, in a line (none when there was no review)."""
    counts = Counter(f.status for f in board.findings)
    said = [f"{counts[s]} {s}" for s in FindingStatus if counts[s] and s != FindingStatus.OPEN]
    if counts[FindingStatus.OPEN]:
        said.append(f"{counts[FindingStatus.OPEN]} still open (`/dpflow list findings`)")
    return [f"Review findings: {' · '.join(said)}."] if said else []


def workshop_closed(closing, team_url: str) -> dict:
    """The last message: what the workshop produced, with links to every canvas."""
    board = closing.board
    lines = [f"*{esc(board.workshop.name)}* is closed — thank you all.",
             f"The board: {guide.counts(board.sizes())}. Its final pictures, the board and the "
             "data product map, are in this message's thread.", *_findings_line(board)]
    products = [f"• {p.ref} *{esc(p.name)}* ({p.kind})"
                + (f" — <{canvas_url(team_url, board.workshop.team_id, closing.canvases[p.ref])}"
                   "|open its canvas>" if p.ref in closing.canvases else "")
                for p in board.data_products]
    blocks = [header(f"Workshop closed · {board.workshop.name}"), section("\n".join(lines))]
    if products:
        blocks += [section("*Data products and their canvases*"), *sections(products)]
    blocks.append(context(f"Export it any time: `/dpflow export {NAMES}`"))
    return {"text": f"{esc(board.workshop.name)} is closed", "blocks": fit(blocks)}
