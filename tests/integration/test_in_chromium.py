"""The report and the Mermaid diagrams in a real headless Chromium (Debian's package)."""

from __future__ import annotations

import json

from dpflow.render import mermaid
from dpflow.render.index import BoardIndex
from dpflow.render.report import to_html
from tests.boards import HOSTILE, hostile_board
from tests.browser import needs_chromium, opened
from tests.node_tools import mermaid_bundle, needs_node

pytestmark = needs_chromium


async def test_the_report_loads_without_errors_or_requests_and_shows_every_product(tmp_path):
    board = hostile_board()
    board.events[0].author, board.decisions[0].author = "U1", "U2"
    report = tmp_path / "report.html"
    report.write_text(to_html(board, {"U1": "Maya <b>"}), encoding="utf-8")
    async with opened(report.as_uri()) as page:
        shown = await page.evaluate(
            "[...document.querySelectorAll('section.canvas')].map(s => "
            "[s.querySelector('h3').innerText, s.getBoundingClientRect().height])")
        pictures = await page.evaluate(
            "[...document.images].map(i => i.complete && i.naturalWidth > 0)")
        text = await page.evaluate("document.body.innerText")
        elements = await page.evaluate("document.querySelectorAll('script, a[href^=java]')"
                                       ".length")
    assert page.errors == []
    assert page.requests == [report.as_uri()] or all(
        url == report.as_uri() or url.startswith("data:") for url in page.requests)
    assert [title.split(" · ")[0] for title, _ in shown] == ["DP1", "DP2", "DP3"]
    for product, (title, height) in zip(board.data_products, shown, strict=True):
        assert " ".join(product.name.split()) in title and height > 100
    assert pictures and all(pictures)
    assert elements == 0 and " ".join(HOSTILE.split()) in text
    assert "Maya <b>" in text and "U2" in text


@needs_node
async def test_mermaid_draws_every_diagram_of_a_hostile_board(tmp_path):
    board = hostile_board()
    index = BoardIndex.of(board)
    diagrams = [*mermaid.flow_diagrams(board.events), mermaid.map_diagram(index),
                *(mermaid.map_diagram(index, p.ref) for p in board.data_products)]
    page_file = tmp_path / "diagrams.html"
    page_file.write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8">'
        f'<script src="{mermaid_bundle().as_uri()}"></script>'
        "<script>mermaid.initialize({startOnLoad: false, securityLevel: 'strict'});</script>"
        "</head><body></body></html>", encoding="utf-8")
    async with opened(page_file.as_uri()) as page:
        drawn = await page.evaluate(
            f"Promise.all({json.dumps(diagrams)}.map((text, i) => mermaid.render('d' + i, text)"
            ".then(r => { const box = document.createElement('div'); box.innerHTML = r.svg;"
            " document.body.append(box); return box.innerText; },"
            " e => 'FAILED ' + e.message)))")
        injected = await page.evaluate("document.querySelectorAll('script').length")
    assert not [d for d in drawn if d.startswith("FAILED")], drawn
    assert " ".join(HOSTILE.split())[:60] in " ".join(drawn[0].split())
    assert injected == 2 and page.errors == []
    assert "E7 · Parcel delivered" in drawn[0] and "P3 · Delivery time" in drawn[1]
