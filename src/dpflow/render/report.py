"""The one-page workshop report: a single HTML file, pictures inlined, no outside requests,
for the people who were not in the channel."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from dpflow.domain.model import Board
from dpflow.render.board_picture import board_pngs
from dpflow.render.canvas import canvas_context
from dpflow.render.index import BoardIndex
from dpflow.render.map_picture import map_pngs
from dpflow.render.text import decision

KINDS = (("events", "event", "events"), ("decisions", "decision", "decisions"),
         ("opportunities", "opportunity", "opportunities"),
         ("data_products", "data product", "data products"),
         ("ports", "output port", "output ports"))


@lru_cache(maxsize=1)
def _template():
    env = Environment(loader=PackageLoader("dpflow.render", "templates"),
                      autoescape=select_autoescape(["j2"]), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template("report.html.j2")


def to_html(board: Board, names: Mapping[str, str] | None = None) -> str:
    """The report; `names` maps Slack user ids to display names (ids are shown otherwise)."""
    names = names or {}
    index = BoardIndex.of(board)
    return _template().render(
        w=board.workshop, board=board, index=index,
        facilitators=[names.get(u, u) for u in board.workshop.facilitators],
        boards=[_data_uri(png) for png in board_pngs(board, names)],
        maps=[_data_uri(png) for png in map_pngs(board, names)] if board.data_products else [],
        canvases=[canvas_context(index, p) for p in board.data_products],
        people=contributions(board, names),
        decided=[decision(f, names) for f in board.findings])


def people(board: Board) -> list[str]:
    """Everyone the report names: facilitators, authors and who decided findings, first
    seen first."""
    authors = (c.author for kind, _, _ in KINDS for c in getattr(board, kind))
    deciders = (f.decided_by for f in board.findings)
    return [u for u in dict.fromkeys([*board.workshop.facilitators, *authors, *deciders])
            if u]


def contributions(board: Board, names: Mapping[str, str]) -> list[tuple[str, list]]:
    """(person, [(`3 events`, [E1, E2, E5]), …]) for everyone who added a card."""
    by_person: dict[str, dict[str, list[str]]] = {}
    for kind, _, _ in KINDS:
        for card in getattr(board, kind):
            if card.author:
                refs = by_person.setdefault(card.author, {}).setdefault(kind, [])
                refs.append(card.ref)
    rows = []
    for author, kinds in by_person.items():
        counted = [(f"{len(refs)} {one if len(refs) == 1 else many}", refs)
                   for kind, one, many in KINDS if (refs := kinds.get(kind))]
        rows.append((names.get(author, author), counted))
    return sorted(rows, key=lambda row: row[0].casefold())


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
