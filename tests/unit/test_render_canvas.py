"""Bounded Context Canvases of the sample board."""

from __future__ import annotations

import pytest

from dpflow.render.canvas import canvas_title, render_canvas
from dpflow.render.text import message
from tests.boards import sample_board


@pytest.fixture
def board():
    return sample_board()


def test_source_aligned_canvas_carries_every_filled_field(board):
    canvas = render_canvas(board, "dp1")
    assert canvas.startswith("# DP1 · Orders — Data Product Canvas\n")
    for filled in ("The order facts, as the customer placed them", "Checkout team",
                   "Online shop", "core, revenue, custom built", "- Web shop",
                   "- Payment gateway",
                   "| E1 Order placed | Place order | Customer | — | Web shop |",
                   "**D1** Accept the order for this customer? (on E1)",
                   "**P1 · Orders by delivery address** — supports D2",
                   "**DP3 · Delivery promise** reads P1", "- Order — a confirmed basket",
                   "- Orders per hour", "## Inbound communication", "## Outbound communication"):
        assert filled in canvas
    assert "reply `DP1 assumption: <what we take for granted>`" in canvas
    assert "`DP1: fact_orders for <D refs>`" in canvas
    assert "None" not in canvas


def test_empty_fields_say_how_to_fill_them(board):
    canvas = render_canvas(board, "DP2")
    assert "_Not set yet — reply `DP2 owner: <team or person>` in the canvases thread._" in canvas
    assert "`DP2 purpose:" in canvas and "`DP2 classification:" in canvas
    assert "`DP2 term:" in canvas and "`DP2 metric:" in canvas and "`DP2 question:" in canvas
    assert "None" not in canvas


def test_consumer_aligned_canvas(board):
    canvas = render_canvas(board, "DP3")
    assert "| D2 Which warehouse ships it? | automated | O1 Pick the warehouse nearest" in canvas
    assert "| D3 Which carrier, by cost \\| speed? | suggested |" in canvas
    assert "| P2 | Shipments with their carrier and delivery time | DP2 Shipments |" in canvas
    assert "**P3 · Delivery time forecast per region**" in canvas
    assert "- Carriers publish tracking events" in canvas
    assert "- \\# Who pays for late parcels?" in canvas  # cannot become a heading
    assert "reads P3` in the consumers thread" in canvas
    assert "None" not in canvas


def test_an_empty_product_gets_hints_only(board):
    board.ports.clear()
    board.events.clear()
    board.data_products[2].reads.clear()
    source, consumer = render_canvas(board, "DP1"), render_canvas(board, "DP3")
    assert "reply `Orders: E1, E2` in the aggregates thread" in source
    assert "`DP1: <port name> for D2, D5`" in source
    assert "reads P1, P4` in the consumers thread" in consumer
    assert "None" not in source + consumer


def test_user_text_cannot_break_structure(board):
    board.data_products[0].purpose = "# big\nsecond line"
    board.events[0].text = "Order | placed"
    canvas = render_canvas(board, "DP1")
    assert "\\# big second line" in canvas
    assert "| E1 Order \\| placed |" in canvas


def test_a_findings_message_keeps_what_to_type_as_code():
    assert message("Orders [x](http://evil.example) (DP1) has no owner: name it with "
                   "`DP1 owner: <team>`.") == (
        "Orders \\[x\\](http://evil.example) (DP1) has no owner: name it with "
        "`DP1 owner: <team>`.")
    assert message("Name `odd") == "Name \\`odd"


def test_title_and_unknown_product(board):
    assert canvas_title(board, "DP3") == "DP3 · Delivery promise — Data Product Canvas"
    with pytest.raises(KeyError):
        render_canvas(board, "DP9")
