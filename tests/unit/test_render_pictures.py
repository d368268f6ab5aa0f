"""PNG pictures of the board and of the data-product map."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from dpflow.domain.model import Alignment, Board, DataProduct, Decision, Event, Port, Workshop
from dpflow.render import drawing
from dpflow.render.pictures import COLUMNS, MAX_SIDE, board_pngs, map_pngs
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


def test_sample_board_fits_one_picture():
    assert len(board_pngs(sample_board())) == 1


def test_a_300_event_board_splits():
    pngs = board_pngs(big_board(300))
    assert len(pngs) >= 300 // COLUMNS
    assert all(w <= MAX_SIDE and h <= MAX_SIDE for w, h in sizes(pngs))


def test_empty_board_still_draws():
    board = Board(Workshop(id="w", name="Empty", team_id="T", channel_id="C"))
    assert len(sizes(board_pngs(board))) == 1
    assert len(sizes(map_pngs(board))) == 1


def test_long_text_is_cut_not_overflowing():
    board = sample_board()
    board.events[0].text = "word " * 200 + "Supercalifragilisticexpialidocious" * 5
    assert len(sizes(board_pngs(board))) == 1


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
