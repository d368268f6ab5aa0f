"""PNG pictures of the board and of the data-product map."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from dpflow.domain.model import (
    Alignment,
    Board,
    DataProduct,
    Decision,
    Event,
    Port,
    Workshop,
)
from dpflow.render import drawing
from dpflow.render.board_picture import (
    PART_COLUMNS,
    PREVIEW_H,
    PREVIEW_W,
    BoardLayout,
    board_pngs,
)
from dpflow.render.index import BoardIndex
from dpflow.render.map_picture import _map_columns, map_pngs
from dpflow.render.pictures import MAX_SIDE
from dpflow.render.text import readable
from tests.boards import sample_board


def sizes(pngs: list[bytes]) -> list[tuple[int, int]]:
    images = [Image.open(io.BytesIO(p)) for p in pngs]
    assert all(i.format == "PNG" for i in images)
    return [i.size for i in images]


def big_board(events: int) -> Board:
    board = Board(Workshop(id="w", name="Big", team_id="T", channel_id="C"))
    board.data_products = [DataProduct(f"DP{i}", f"Product {i}", Alignment.SOURCE)
                           for i in range(1, 11)]
    board.events = [Event(f"E{i}", f"Something happened {i}", i, command="Do it",
                          actor="Someone", system="System", data_product=f"DP{i % 10 + 1}")
                    for i in range(1, events + 1)]
    board.decisions = [Decision(f"D{i}", f"Decide {i}", f"E{i}") for i in range(1, events + 1)]
    board.ports = [Port(f"P{i}", f"Port {i}", f"DP{i}", [f"D{i}"]) for i in range(1, 11)]
    return board


@pytest.mark.parametrize("render", [board_pngs, map_pngs])
def test_sample_pictures_are_sane_pngs(render):
    for width, height in sizes(render(sample_board())):
        assert 400 <= width <= MAX_SIDE and 200 <= height <= MAX_SIDE


def test_a_small_board_fits_one_picture():
    board = sample_board()
    board.events = board.events[:3]
    board.data_products, board.ports, board.decisions = board.data_products[:1], [], []
    assert len(board_pngs(board)) == 1


def test_a_big_board_splits_by_aggregate_into_pictures_legible_in_a_preview():
    pngs = board_pngs(big_board(300))
    assert all(w <= PREVIEW_W and h <= PREVIEW_H for w, h in sizes(pngs))
    parts = BoardLayout(big_board(300)).parts()
    subtitles = [p.subtitle for p in parts]
    assert subtitles[0] == "DP1 · Product 1: events E10 to E80"
    assert "DP2 · Product 2: events E1 to E71" in subtitles
    for part in parts:  # each picture holds one aggregate, in timeline order
        assert len({e.data_product for e in part.events}) <= 1
        assert len(part.events) <= PART_COLUMNS


def test_the_board_shows_opportunities_what_ports_support_and_what_products_read():
    board = sample_board()
    lines = [" ".join(n.lines) for part in BoardLayout(board).parts()
             for lane in part.lanes.values()
             for n in [lane.header, *lane.row, *(x for s in lane.stacks.values() for x in s)]]
    assert "O1 · automate: Pick the warehouse nearest to stock" in lines
    assert "O3 · idea: Sell delivery-time forecasts to marketplaces" in lines
    assert "P3 · Delivery time forecast per region for D2, D3" in lines
    assert "P4 · fact_orders supports nothing yet" in lines
    assert "reads P1 (DP1), P2 (DP2)" in lines
    assert "DP1 · Orders owner: Checkout team" in lines


def test_empty_board_still_draws():
    board = Board(Workshop(id="w", name="Empty", team_id="T", channel_id="C"))
    assert len(sizes(board_pngs(board))) == 1
    assert len(sizes(map_pngs(board))) == 1


def test_long_text_is_cut_not_overflowing():
    board = sample_board()
    board.events[0].text = "word " * 200 + "Supercalifragilisticexpialidocious" * 5
    widths = [w for w, _ in sizes(board_pngs(board))]
    assert widths == [w for w, _ in sizes(board_pngs(sample_board()))]


def test_the_palette_fits_a_png():
    assert len(drawing.PALETTE) <= 256


@pytest.mark.parametrize("kind", sorted(drawing.COLOURS))
def test_text_is_inked_in_the_steps_over_its_sticky(kind):
    """Text is pasted as palette index "ground + 8" through its mask, so every pixel of a
    sticky's face must land between its ground and full ink over that ground."""
    image = drawing.canvas(200, 100)
    drawing.sticky(image, (10, 10), 150, ("Wg · Decide 123", "handle case"), drawing.COLOURS[kind])
    ground = drawing.index(drawing.COLOURS[kind])
    counts = image.crop((10 + 6, 10 + 6, 10 + 150 - 6, 10 + 50 - 6)).histogram()
    used = {i for i, n in enumerate(counts) if n}
    assert used <= set(range(ground, ground + drawing.INK_STEPS + 1))
    assert ground + drawing.INK_STEPS in used  # full ink, not only a grey halo


MARKUP = ["<@", "<!", "<http", "<#"]


def drawn_text(board: Board, names: dict[str, str]) -> list[str]:
    """Every line the board and map pictures draw."""
    board = readable(board, names)
    notes = [n for part in BoardLayout(board).parts() for lane in part.lanes.values()
             for n in [lane.header, *lane.row, *(x for s in lane.stacks.values() for x in s)]]
    boxes = [b for column in _map_columns(BoardIndex.of(board)) for b in column]
    return [line for n in notes for line in n.lines] + [line for b in boxes for line in b.lines]


def test_pictures_show_markup_as_people_read_it_and_emoji_by_name():
    board = sample_board()
    board.events[0].text = "📕 Book lost by <@UBEN> — <!channel> see <https://x.example|the rules>"
    board.data_products[1].owner = "<!here> *Membership team* <https://evil.example|click me>"
    lines = drawn_text(board, {"UBEN": "Ben"})
    said = " ".join(lines)
    assert not [m for m in MARKUP if m in said]
    assert ":closed_book: Book lost by @Ben — @channel see the rules" in said.replace("  ", " ")
    assert "owner: @here *Membership team* click me" in said
    assert all(drawing.has_glyph(c) for c in said)
    assert board_pngs(board, {"UBEN": "Ben"}) and map_pngs(board)


def test_an_emoji_is_never_drawn_as_the_missing_glyph_box():
    box = drawing._mask_bytes(drawing.NOT_IN_FONT)
    assert drawing._mask_bytes("📕") == box  # the font has no emoji: drawn as is, a box
    line = drawing.wrap("E8 · 📕 Book lost 🙈 ✓ 図", 400, 1)[0]
    assert line == "E8 · :closed_book: Book lost :see_no_evil: ✓ ?"
    assert all(drawing._mask_bytes(c) != box for c in line if not c.isspace())
