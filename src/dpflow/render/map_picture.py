"""The map of data products: who reads whose output ports, as PNGs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PIL import Image, ImageDraw

from dpflow.domain.model import Board
from dpflow.render import drawing
from dpflow.render.drawing import COLOURS, FONT_SIZE, LINE_HEIGHT
from dpflow.render.index import BoardIndex
from dpflow.render.pictures import MARGIN, MAX_SIDE, MIN_WIDTH, Head, head_height, titled
from dpflow.render.text import readable

BOX_W = 230
SLOT_H = 24
LABEL_W = 280
GUTTER = LABEL_W + 90
MAP_ROW_GAP = 24
MAP_LEGEND = ("source-aligned", "consumer-aligned")


@dataclass
class Box:
    """A data product on the map, with a slot on its left edge per port it reads."""

    ref: str
    lines: tuple[str, ...]
    kind: str
    reads: list[str]
    x: int = 0
    y: int = 0

    @property
    def height(self) -> int:
        text = drawing.sticky_height(len(self.lines))
        return max(text, len(self.reads) * SLOT_H + 16)

    def slot_y(self, i: int) -> int:
        return self.y + 8 + i * SLOT_H + SLOT_H // 2


def map_pngs(board: Board, names: Mapping[str, str] | None = None) -> list[bytes]:
    """The data-product map: who reads whose output ports, split by columns if too wide;
    `names` are the display names of the users mentioned on the board."""
    index = BoardIndex.of(readable(board, names))
    columns = _map_columns(index)
    parts = _map_parts(columns)
    return [drawing.png(_draw_map(index, part, i, len(parts)))
            for i, part in enumerate(parts, 1)]


def _depths(index: BoardIndex) -> dict[str, int]:
    """Products that read nothing first, then each reader one column right of what it reads."""
    depth = dict.fromkeys(index.products, 0)
    for _ in range(len(depth)):
        changed = False
        for product in index.products.values():
            producers = [index.producer_of(r) for r in product.reads]
            want = max((depth[p.ref] + 1 for p in producers if p and p.ref != product.ref),
                       default=0)
            if want > depth[product.ref] and want < len(depth):
                depth[product.ref], changed = want, True
        if not changed:
            break
    return depth


def _map_columns(index: BoardIndex) -> list[list[Box]]:
    depth = _depths(index)
    columns: list[list[Box]] = []
    for level in sorted(set(depth.values())):
        column: list[Box] = []
        height = head_height()
        for product in index.products.values():
            if depth[product.ref] != level:
                continue
            box = _box(index, product.ref)
            if column and height + box.height + MAP_ROW_GAP > MAX_SIDE - MARGIN:
                columns.append(column)
                column, height = [], head_height()
            box.y = height
            height += box.height + MAP_ROW_GAP
            column.append(box)
        columns.append(column)
    return columns


def _box(index: BoardIndex, dp_ref: str) -> Box:
    product = index.products[dp_ref]
    lines = drawing.wrap(f"{product.ref} · {product.name}", BOX_W - 14, 3, bold=True)
    lines += drawing.wrap(f"{product.kind}, owner: {product.owner or 'not set yet'}",
                          BOX_W - 14, 2)
    reads = [r for r in dict.fromkeys(product.reads) if r in index.ports]
    return Box(dp_ref, lines, str(product.kind), reads)


def _map_parts(columns: list[list[Box]]) -> list[list[list[Box]]]:
    per_part = max((MAX_SIDE - 2 * MARGIN - BOX_W) // (BOX_W + GUTTER) + 1, 1)
    return [columns[i:i + per_part] for i in range(0, len(columns), per_part)] or [[]]


def _draw_map(index: BoardIndex, columns: list[list[Box]], number: int,
              count: int) -> Image.Image:
    boxes: dict[str, Box] = {}
    left = MARGIN + (GUTTER - 60 if columns and any(b.reads for b in columns[0]) else 0)
    for i, column in enumerate(columns):
        for box in column:
            box.x = left + i * (BOX_W + GUTTER)
            boxes[box.ref] = box
    width = max(MIN_WIDTH, max((b.x + BOX_W for b in boxes.values()), default=0) + MARGIN)
    height = max((b.y + b.height for b in boxes.values()), default=head_height()) + MARGIN
    image = drawing.canvas(width, min(height, MAX_SIDE))
    subtitle = ("Arrows run from the data product that owns an output port to the one that "
                "reads it" if boxes else "No data product on the board yet")
    Head.of(titled(index.board.workshop.name, "data product map", number, count), subtitle,
            MAP_LEGEND, width).draw(image)
    labels = [_draw_arrow(image, index, boxes, box, i)
              for box in boxes.values() for i in range(len(box.reads))]
    for box in boxes.values():
        drawing.sticky(image, (box.x, box.y), BOX_W, box.lines, COLOURS[box.kind])
    for xy, label in labels:
        _draw_label(image, xy, label)
    return image


def _draw_arrow(image: Image.Image, index: BoardIndex, boxes: dict[str, Box], reader: Box,
                slot: int) -> tuple[tuple[int, int], str]:
    """Line from the producing box to the reader's slot; returns where its label goes."""
    port = index.ports[reader.reads[slot]]
    y = reader.slot_y(slot)
    bend = reader.x - LABEL_W - 16
    producer = boxes.get(port.data_product)
    label = f"{port.ref} · {port.name}"
    draw, ink = ImageDraw.Draw(image), drawing.index(drawing.LINE)
    if producer and producer is not reader:
        start = (producer.x + BOX_W, producer.y + min(producer.height // 2, 30))
        draw.line([start, (bend, y)], fill=ink, width=2)
    else:
        label = f"{label} (from {port.data_product})"
    draw.line([(bend, y), (reader.x - 2, y)], fill=ink, width=2)
    draw.polygon([(reader.x - 1, y), (reader.x - 10, y - 5), (reader.x - 10, y + 5)], fill=ink)
    return (bend + 4, y - LINE_HEIGHT // 2 - 1), label


def _draw_label(image: Image.Image, xy: tuple[int, int], label: str) -> None:
    line = drawing.wrap(label, LABEL_W - 14, 1)[0]
    x, y = xy
    drawing.fill(image, drawing.WHITE, (x, y, x + drawing.Glyphs(FONT_SIZE).width(line) + 6,
                                        y + LINE_HEIGHT))
    drawing.write(image, (x + 3, y), line, drawing.WHITE)
