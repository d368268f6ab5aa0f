"""`/dpflow help` explains the nine stages with their line forms; `help <stage>` one stage."""

import json

from dpflow.domain.grammar import FORMS
from dpflow.domain.model import STAGES, Stage
from dpflow.slack.blocks.answers import help_text
from dpflow.slack.blocks.stage import title
from dpflow.slack.text import esc


def text_of(answer: dict) -> str:
    return json.dumps(answer["blocks"], ensure_ascii=False)


def test_help_lists_the_nine_stages_with_their_forms():
    said = text_of(help_text())
    for stage in STAGES:
        assert f"{stage.number}. *{stage}*" in said
        if stage is not Stage.REVIEW:
            assert json.dumps(esc(FORMS[stage]), ensure_ascii=False)[1:-1] in said
    assert "/dpflow help <stage>" in said
    assert "/dpflow import [file name]" in said


def test_help_on_one_stage_explains_it_and_points_to_the_next():
    said = text_of(help_text(Stage.PORTS))
    assert title(Stage.PORTS) in said
    assert "read-optimised" in said
    assert "For example: `DP1:" in said
    assert "/dpflow help consumers" in said
    assert "/dpflow close" in text_of(help_text(Stage.CANVASES))
