"""Modals: what rides in private_metadata, and reading a submitted form."""

from __future__ import annotations

from pydantic import BaseModel

from dpflow.domain import guide
from dpflow.domain.grammar import FORMS
from dpflow.domain.model import Board, Stage
from dpflow.slack.blocks.kit import context, section
from dpflow.slack.blocks.stage import title
from dpflow.slack.ids import Block, Callback
from dpflow.slack.text import clip, esc


class FormContext(BaseModel):
    """Where a form's contribution goes (private_metadata)."""

    team: str
    channel: str
    stage: Stage


def add_form(board: Board, ctx: FormContext) -> dict:
    stage = ctx.stage
    return {
        "type": "modal", "callback_id": Callback.ADD_FORM,
        "title": {"type": "plain_text", "text": clip(f"Add · {stage}", 24)},
        "submit": {"type": "plain_text", "text": "Add"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": ctx.model_dump_json(),
        "blocks": [
            section(f"*{title(stage)}*\n{guide.what_to_add(stage)}"),
            {"type": "input", "block_id": Block.LINE,
             "label": {"type": "plain_text", "text": "One per line"},
             "element": {"type": "plain_text_input", "action_id": "line", "multiline": True,
                         "placeholder": {"type": "plain_text",
                                         "text": clip(guide.example(board, stage) or
                                                      FORMS[stage], 150)}}},
            context(f"Form: `{esc(FORMS[stage])}`"),
        ],
    }


def submitted_lines(view: dict) -> str:
    return view["state"]["values"][Block.LINE]["line"].get("value") or ""
