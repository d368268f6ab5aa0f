"""PNG pictures of the board and of the data-product map."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from dpflow.domain.model import Alignment, Board, DataProduct, Decision, Event, Port, Workshop
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
