"""The review thread: findings grouped by kind with Apply and Dismiss, and the fix forms."""

from __future__ import annotations

from dpflow.domain.model import Board, FindingKind, FindingStatus, Stage
from dpflow.domain.review import BOUNDARY_QUESTIONS, domain_name
from dpflow.services.review import FindingCard, FixForm
from dpflow.slack.blocks.deadlines import when
from dpflow.slack.blocks.kit import MESSAGE_BLOCKS, actions, button, context, section
from dpflow.slack.blocks.stage import title
from dpflow.slack.ids import Action, Block, Callback
from dpflow.slack.metadata import AnswerValue, FindingValue, FixContext, StageValue
from dpflow.slack.text import clip, esc, plain

KINDS: dict[FindingKind, tuple[str, str]] = {
    FindingKind.MIXED_PLANES: (
        "Mixed planes",
        "A source-aligned data product serves the operational golden source it stands on. "
        "When its decisions lean on other products' data, that analytical support belongs "
        "in a consumer-aligned data product of its own."),
    FindingKind.AUTOMATED_DECISION: (
        "Fully automated decisions",
        "A decision that software takes on its own needs its own consumer-aligned data "
        "product and an owner who answers for it."),
    FindingKind.CONSUMER_BOUNDARY: (
        "Consumer boundaries",
        "Two output ports share one consumer-aligned data product. Three questions tell "
        "whether they stay together or split."),
    FindingKind.UNSUPPORTED_DECISION: (
        "Decisions without data",
        "Each decision should have at least one output port that helps to take it."),
    FindingKind.UNUSED_PORT: (
        "Unused output ports",
        "An output port that no decision uses and no data product reads has no consumer yet."),
    FindingKind.NO_OWNER: (
        "Data products without an owner",
        "Every data product needs a team that owns it, its data and its ports."),
    FindingKind.TABLE_LIKE_NAME: (
        "Ports named like tables",
        "Output ports carry the domain's language: what people read there, not how it is "
        "stored."),
}

QUESTION_LABELS = {"same_process": "Same process", "consistency": "Must stay consistent",
                   "different_ownership": "Different owners"}
_DECIDED = {FindingStatus.APPLIED: "Applied", FindingStatus.DISMISSED: "Dismissed",
            FindingStatus.RESOLVED: "Resolved"}


def findings_message(cards: list[FindingCard]) -> dict:
    """One review message: its findings under the heading of their kind."""
    blocks = []
    for kind, (name, why) in KINDS.items():
        group = [c for c in cards if c.finding.kind is kind]
        if group:
            blocks.append(section(f"*{name}* ({len(group)}) — {why}"))
            blocks += [b for card in group for b in finding_blocks(card)]
    subjects = ", ".join(c.finding.subject for c in cards)
    return {"text": clip(f"Review findings: {subjects}", 3000), "blocks": blocks}


def findings_messages(cards: list[FindingCard]) -> list[list[FindingCard]]:
    """The findings split over as many messages as Slack's block limit needs."""
    chunks: list[list[FindingCard]] = []
    for card in cards:
        if chunks and len(findings_message([*chunks[-1], card])["blocks"]) <= MESSAGE_BLOCKS:
            chunks[-1].append(card)
        else:
            chunks.append([card])
    return chunks


def finding_blocks(card: FindingCard) -> list[dict]:
    f = card.finding
    blocks = [section(f"*{f.subject}* · {esc(f.message)}")]
    boundary = f.kind is FindingKind.CONSUMER_BOUNDARY
    if boundary:
        blocks.append(context(*_answers(f.details.get("answers", {}))))
    if f.status is FindingStatus.OPEN:
        answer = [button(f"{label}: {word}", Action.ANSWER_BOUNDARY,
                         AnswerValue(finding=card.id, question=q, yes=word == "yes").dump())
                  for q, label in QUESTION_LABELS.items() for word in ("yes", "no")]
        chosen = FindingValue(finding=card.id).dump()
        blocks.append(actions(*(answer if boundary else []),
                              button("Apply", Action.APPLY_FINDING, chosen, "primary"),
                              button("Dismiss", Action.DISMISS_FINDING, chosen),
                              block_id=f"finding:{card.id}"))
    else:
        blocks.append(context(_decided(card)))
    return blocks


def _decided(card: FindingCard) -> str:
    """Applied, dismissed or resolved: by whom and when, and what a fix made."""
    f = card.finding
    said = f"*{_DECIDED[f.status]}*"
    if card.decided_by:
        said += f" by <@{card.decided_by}>"
    if f.decided_at:
        said += f" · {when(f.decided_at, 'UTC')}"
    if f.status is FindingStatus.RESOLVED:
        said += " · its cause is gone from the board"
    if made := f.details.get("made"):
        said += f" · made {made}: rename it with `/dpflow edit {made} <name>`"
    return said


def _answers(given: dict[str, bool]) -> list[str]:
    return [f"{i}. {question} *{_word(given.get(q))}*"
            for i, (q, question) in enumerate(BOUNDARY_QUESTIONS.items(), 1)]


def _word(answer: bool | None) -> str:
    return "not answered yet" if answer is None else ("yes" if answer else "no")


def nothing_found() -> dict:
    return {"text": "Review: nothing to fix", "blocks": [
        section("*Review* — the board passed every check: no mixed planes, no decision "
                "without data, every port used and named in the domain's language, every "
                "data product owned. Move on to the canvases."),
        actions(button(f"Open {title(Stage.CANVASES)}", Action.NEXT_STAGE,
                       StageValue(stage=Stage.REVIEW).dump(), "primary")),
    ]}


# --- fix forms ---------------------------------------------------------------------------


def fix_form(form: FixForm, ctx: FixContext) -> dict:
    f, board = form.card.finding, form.board
    heading, inputs = _FORMS[f.kind](board, f)
    return {
        "type": "modal", "callback_id": Callback.FIX_FINDING,
        "title": {"type": "plain_text", "text": "Apply the fix"},
        "submit": {"type": "plain_text", "text": "Apply"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": ctx.dump(),
        "blocks": [section(heading), *inputs],
    }


def _text_input(label: str, initial: str = "") -> dict:
    element = {"type": "plain_text_input", "action_id": Block.LINE, "max_length": 100}
    if initial:
        element["initial_value"] = clip(plain(initial), 100)
    return {"type": "input", "block_id": Block.LINE,
            "label": {"type": "plain_text", "text": label}, "element": element}


def _options(pairs: list[tuple[str, str]]) -> list[dict]:
    return [{"text": {"type": "plain_text", "text": clip(plain(text), 75)}, "value": value}
            for value, text in pairs[:100]]


def _rename(board: Board, f) -> tuple[str, list[dict]]:
    port = board.card(f.subject)
    return (f"Rename {port.ref} “{esc(port.name)}” in the domain's language.",
            [_text_input("Domain name of the port", domain_name(port.name))])


def _owner(board: Board, f) -> tuple[str, list[dict]]:
    product = board.product(f.subject)
    return (f"Who owns {product.ref} *{esc(product.name)}*?",
            [_text_input("Owner (a team)")])


def _port_for(board: Board, f) -> tuple[str, list[dict]]:
    decision = board.card(f.subject)
    products = [(p.ref, f"{p.ref} {p.name}") for p in board.data_products]
    select = {"type": "input", "block_id": Block.PRODUCT,
              "label": {"type": "plain_text", "text": "On the data product"},
              "element": {"type": "static_select", "action_id": Block.PRODUCT,
                          "options": _options(products)}}
    return (f"Add an output port that supports {decision.ref} “{esc(decision.text)}”.",
            [select, _text_input("Port name, in the domain's language")])


def _supported(board: Board, f) -> tuple[str, list[dict]]:
    port = board.card(f.subject)
    decisions = [(d.ref, f"{d.ref} {d.text}") for d in board.decisions]
    select = {"type": "input", "block_id": Block.SUPPORTS,
              "label": {"type": "plain_text", "text": "Decisions it supports"},
              "element": {"type": "multi_static_select", "action_id": Block.SUPPORTS,
                          "options": _options(decisions)}}
    return f"Which decisions does {port.ref} “{esc(port.name)}” help to take?", [select]


def _new_product(board: Board, f) -> tuple[str, list[dict]]:
    moved = board.card(f.details["ports"][1])
    return (f"{moved.ref} “{esc(moved.name)}” moves into a new consumer-aligned data product.",
            [_text_input("Name of the new data product", moved.name)])


_FORMS = {
    FindingKind.TABLE_LIKE_NAME: _rename,
    FindingKind.NO_OWNER: _owner,
    FindingKind.UNSUPPORTED_DECISION: _port_for,
    FindingKind.UNUSED_PORT: _supported,
    FindingKind.CONSUMER_BOUNDARY: _new_product,
}
