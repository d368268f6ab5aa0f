"""What the board and map pictures share: sizes, and the title with its colour legend."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from dpflow.render import drawing
from dpflow.render.drawing import COLOURS, FONT_SIZE, LINE_HEIGHT, TITLE_SIZE

MAX_SIDE = 4000
MARGIN = 24
MIN_WIDTH = 960
LEGEND_LABELS = {"source-aligned": "source-aligned data product",
                 "consumer-aligned": "consumer-aligned data product (placeholder)",
                 "port": "output port"}


def titled(name: str, what: str, number: int, count: int) -> str:
    return f"{name} — {what}" + (f", part {number} of {count}" if count > 1 else "")


def head_height(title_lines: int = 2, legend_rows: int = 2) -> int:
    """Height of the title, subtitle and legend; by default the most they can take."""
    return (MARGIN + title_lines * (TITLE_SIZE + 8) + LINE_HEIGHT + 10
            + legend_rows * (LINE_HEIGHT + 14) + 2)


@dataclass
class Head:
    """Title (wrapped to two lines), subtitle and the colour legend, laid out for a width."""

    title: tuple[str, ...]
    subtitle: str
    legend: list[tuple[str, int, int]]  # kind, x, row

    @classmethod
    def of(cls, title: str, subtitle: str, legend: tuple[str, ...], width: int) -> Head:
        text_width = width - 2 * MARGIN
        return cls(drawing.wrap(title, text_width, 2, TITLE_SIZE, bold=True),
                   drawing.wrap(subtitle, text_width, 1)[0], _legend_places(legend, width))

    @property
    def height(self) -> int:
        return head_height(len(self.title), self.legend[-1][2] + 1)

    def draw(self, image: Image.Image) -> None:
        y = MARGIN
        for line in self.title:
            drawing.write(image, (MARGIN, y), line, drawing.WALL, TITLE_SIZE, bold=True)
            y += TITLE_SIZE + 8
        drawing.write(image, (MARGIN, y), self.subtitle, drawing.WALL)
        y += LINE_HEIGHT + 10
        for kind, x, row in self.legend:
            top = y + row * (LINE_HEIGHT + 14) + 2
            drawing.fill(image, COLOURS[kind], (x, top, x + 18, top + 18))
            drawing.write(image, (x + 24, top), LEGEND_LABELS.get(kind, kind), drawing.WALL)


def _legend_places(legend: tuple[str, ...], width: int) -> list[tuple[str, int, int]]:
    """Where each colour of the legend goes, in rows as wide as the picture."""
    places = []
    x, row = MARGIN, 0
    for kind in legend:
        entry = 24 + drawing.Glyphs(FONT_SIZE).width(LEGEND_LABELS.get(kind, kind)) + 24
        if x + entry > width - MARGIN:
            x, row = MARGIN, row + 1
        places.append((kind, x, row))
        x += entry
    return places
