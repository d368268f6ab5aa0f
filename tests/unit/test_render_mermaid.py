"""Mermaid diagrams of the flow and the map: structure, and user text that stays text."""

from __future__ import annotations

import re

from dpflow.domain.model import Event
from dpflow.render import mermaid
from dpflow.render.canvas import render_canvas
from dpflow.render.export import to_markdown
from dpflow.render.index import BoardIndex
from tests.boards import HOSTILE, hostile_board, sample_board

LABEL = re.compile(r'"([^"]*)"')


def test_flow_has_every_event_with_its_trigger_actor_command_and_system():
    (flow,) = mermaid.flow_diagrams(sample_board().events)
    assert flow.startswith("flowchart LR\n")
    assert '    E6T>"Parcel packed"]:::trigger' in flow
    assert '    E6A(["Carrier"]):::actor' in flow
    assert '    E6C["Hand over to carrier"]:::command' in flow
    assert '    E6S[("WMS")]:::system' in flow
    assert '    E6E["E6 · Parcel shipped"]:::event' in flow
    for edge in ("E6T -.-> E6C", "E6A --> E6C", "E6C --> E6S", "E6S --> E6E", "E6_ --> E7_"):
        assert edge in flow
    assert "E7E" in flow and "E7C" not in flow  # nothing but the event when the flow is empty


def test_long_timelines_come_in_parts_mermaid_can_draw():
    events = [Event(f"E{i}", f"Event {i}", i) for i in range(1, 101)]
    parts = mermaid.flow_diagrams(events)
    assert len(parts) == 3 and "E40E" in parts[0] and "E41E" in parts[1]
    assert all(len(p) < 50_000 and p.count("-->") < 500 for p in parts)


def test_map_shows_products_ports_decisions_and_readers():
    index = BoardIndex.of(sample_board())
    whole = mermaid.map_diagram(index)
    assert '  DP1[["DP1 · Orders<br/>source-aligned"]]:::sourcealigned' in whole
    assert '  DP3{{"DP3 · Delivery promise<br/>consumer-aligned"}}:::consumeraligned' in whole
    assert '  P3(["P3 · Delivery time forecast per region<br/>for D2, D3"]):::port' in whole
    assert "  DP1 --> P1\n  P1 -->|reads| DP3" in whole
    around_dp2 = mermaid.map_diagram(index, "DP2")
    assert "DP1" not in around_dp2 and "P2 -->|reads| DP3" in around_dp2
    assert "P3(" not in around_dp2  # DP3's own port is not DP2's business


def test_hostile_text_becomes_entities_inside_quoted_labels():
    board = hostile_board()
    index = BoardIndex.of(board)
    for diagram in [*mermaid.flow_diagrams(board.events), mermaid.map_diagram(index)]:
        assert "%%" not in diagram and "<script" not in diagram and "`" not in diagram
        for line in diagram.splitlines():
            assert line.count('"') % 2 == 0, line
            for label in LABEL.findall(line):
                assert re.fullmatch(r"([\w .,'!?+=@/·-]|#\d+;|<br/>)*", label), label
    assert mermaid.label('a"b') == "a#34;b"
    assert mermaid.label(HOSTILE).count("#") == mermaid.label(HOSTILE).count(";")


def test_markdown_export_and_canvases_carry_the_diagrams():
    board = sample_board()
    markdown = to_markdown(board)
    assert "## Event flow" in markdown and "## Data product map" in markdown
    assert markdown.count("```mermaid\nflowchart LR") == 2 + 2 + 2 + 1  # board, DP1-3
    source, consumer = render_canvas(board, "DP1"), render_canvas(board, "DP3")
    assert "## Diagrams" in source and source.count("```mermaid") == 2
    assert consumer.count("```mermaid") == 1  # no events of its own, only the map
