"""The one-page HTML report: self-contained, escaped, everything on one page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from dpflow.render.board_picture import board_pngs
from dpflow.render.map_picture import map_pngs
from dpflow.render.report import contributions, people, to_html
from tests.boards import HOSTILE, hostile_board, sample_board


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def parsed(html: str) -> list[tuple[str, dict]]:
    tags = Tags()
    tags.feed(html)
    return tags.tags


def test_the_report_holds_board_map_canvases_findings_and_people():
    board = sample_board()
    board.events[0].author = board.events[1].author = board.ports[0].author = "U1"
    board.decisions[0].author = "U9"
    html = to_html(board, {"U1": "Maya", "U2": "Ravi"})
    for seen in ("The board", "Data product map", "DP1 · Orders", "DP3 · Delivery promise",
                 "Which carrier, by cost | speed?", "fact_orders looks like a table name",
                 "dismissed", "Order — a confirmed basket", "facilitated by Maya, Ravi"):
        assert seen in html, seen
    assert "2 events: E1, E2<br>1 output port: P1" in html
    assert "1 decision: D1" in html  # U9 has no known name: the id, never a mention
    assert "<@" not in html and "&lt;@" not in html


def test_pictures_are_inlined_and_nothing_is_fetched():
    tags = parsed(to_html(sample_board()))
    images = [attrs["src"] for tag, attrs in tags if tag == "img"]
    pictures = len(board_pngs(sample_board())) + len(map_pngs(sample_board()))
    assert len(images) == pictures and all(src.startswith("data:image/png;base64,")
                                           for src in images)
    assert not [t for t, a in tags if t in ("script", "link", "iframe", "object")]
    csp = next(a["content"] for t, a in tags if a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp


def test_every_user_string_is_escaped():
    html = to_html(hostile_board(), {"U1": "<b>Maya</b>"})
    tags = parsed(html)
    assert not [t for t, a in tags if t in ("script", "b")]
    assert [a["href"] for t, a in tags if t == "a"] == [
        "#board", "#map", "#DP1", "#DP2", "#DP3", "#findings", "#people"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "%%{init:" in html and re.search(r"&#34;Quoted&#34;|&quot;Quoted&quot;", html)
    assert "<!channel>" not in html and HOSTILE not in html


def test_people_are_facilitators_and_authors():
    board = sample_board()
    board.events[0].author, board.decisions[0].author = "U3", "U1"
    assert people(board) == ["U1", "U2", "U3"]
    assert contributions(board, {"U3": "lena"}) == [
        ("lena", [("1 event", ["E1"])]), ("U1", [("1 decision", ["D1"])])]


def test_an_empty_board_still_makes_a_page():
    board = sample_board()
    board.events.clear()
    board.data_products.clear()
    board.ports.clear()
    board.findings.clear()
    html = to_html(board)
    assert "No event on the board yet." in html and "No data product on the board yet." in html
