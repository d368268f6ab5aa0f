"""Times every renderer on a big board: 1,000 events, 60 data products. Run as a script."""

from __future__ import annotations

import random
import time

from dpflow.domain.model import (
    Alignment,
    Board,
    DataProduct,
    Decision,
    Event,
    Mode,
    Opportunity,
    Port,
    Workshop,
)
from dpflow.render.board_picture import board_pngs
from dpflow.render.canvas import render_canvas
from dpflow.render.export import to_json, to_markdown, to_odps
from dpflow.render.index import BoardIndex
from dpflow.render.map_picture import map_pngs

EVENTS, SOURCES, CONSUMERS = 1000, 45, 15
LIMIT = 1.0


def big_board(seed: int = 7) -> Board:
    rng = random.Random(seed)
    board = Board(Workshop(id="bench", name="Order to cash, all regions", team_id="T1",
                           channel_id="C1", domain="Retail", facilitators=["U1"]))
    board.data_products = [
        DataProduct(f"DP{i}", f"Aggregate number {i}", Alignment.SOURCE, owner=f"Team {i}",
                    purpose="Facts of one part of the process", terms=["Order — a basket"])
        for i in range(1, SOURCES + 1)]
    per_aggregate = EVENTS // SOURCES + 1
    for i in range(1, EVENTS + 1):
        board.events.append(Event(
            f"E{i}", f"Business event {i} happened to the customer's order", i,
            command=f"Handle step {i}", actor=rng.choice(["Customer", "Clerk", "Carrier"]),
            system=rng.choice(["ERP", "Web shop", "WMS"]),
            trigger=rng.choice([None, "Schedule"]),
            data_product=f"DP{(i - 1) // per_aggregate + 1}"))
        board.decisions.append(Decision(f"D{i}", f"Decide how to handle case {i}", f"E{i}"))
        board.opportunities.append(Opportunity(f"O{i}", rng.choice([Mode.AUTOMATE, Mode.SUGGEST]),
                                               f"Use history for case {i}", f"D{i}"))
    for i in range(1, SOURCES + 1):
        for k in range(1, 4):
            board.ports.append(Port(f"P{len(board.ports) + 1}", f"Read model {k} of aggregate {i}",
                                    f"DP{i}", rng.sample([d.ref for d in board.decisions], 3)))
    source_ports = [p.ref for p in board.ports]
    for i in range(SOURCES + 1, SOURCES + CONSUMERS + 1):
        board.data_products.append(DataProduct(f"DP{i}", f"Insight {i}", Alignment.CONSUMER,
                                               reads=rng.sample(source_ports, 5)))
        board.ports.append(Port(f"P{len(board.ports) + 1}", f"Forecast {i}", f"DP{i}",
                                rng.sample([d.ref for d in board.decisions], 4)))
    return board


def all_canvases(board: Board) -> list[str]:
    index = BoardIndex.of(board)
    return [render_canvas(board, p.ref, index) for p in board.data_products]


def main() -> None:
    board = big_board()
    print(f"{len(board.events)} events, {len(board.data_products)} data products, "
          f"{len(board.ports)} ports, {len(board.decisions)} decisions")
    slow = []
    for name, render in [("canvases (all)", all_canvases), ("board PNGs", board_pngs),
                         ("map PNGs", map_pngs), ("JSON", to_json), ("Markdown", to_markdown),
                         ("ODPS YAML", to_odps)]:
        start = time.perf_counter()
        result = render(board)
        seconds = time.perf_counter() - start
        size = (f"{len(result)} images, {sum(map(len, result)) // 1024} KiB"
                if isinstance(result, list) and isinstance(result[0], bytes)
                else f"{sum(map(len, result)) if isinstance(result, list) else len(result)} chars")
        print(f"{name:16} {seconds:6.3f} s  {size}")
        if seconds >= LIMIT:
            slow.append(name)
    print("all under 1 s" if not slow else f"too slow: {', '.join(slow)}")


if __name__ == "__main__":
    main()
