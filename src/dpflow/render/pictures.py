"""Pictures of the board (stickies on a timeline, one lane per data product) and of the map
of data products (who reads whose output ports), as PNGs."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from dpflow.domain.model import Board, Event
from dpflow.render import drawing
from dpflow.render.drawing import COLOURS, FONT_SIZE, LINE_HEIGHT, TITLE_SIZE
from dpflow.render.index import BoardIndex

WORKERS = min(4, os.cpu_count() or 1)
MAX_SIDE = 4000
MARGIN = 24
STICKY_W = 150
TEXT_W = STICKY_W - 14
COLUMN_W = STICKY_W + 16
HEADER_W = 170
HEADER_STICKY_W = HEADER_W - 16
GAP = 8
LANE_PAD = 12
MAX_LINES = 4
MAX_DECISIONS = 3
MIN_WIDTH = 960
COLUMNS = (MAX_SIDE - 2 * MARGIN - HEADER_W) // COLUMN_W
FLOW = ("command", "actor", "system", "trigger")
BOARD_LEGEND = ("event", "command", "actor", "system", "trigger", "decision", "port",
                "source-aligned", "consumer-aligned")
LEGEND_LABELS = {"source-aligned": "source-aligned data product",
                 "consumer-aligned": "consumer-aligned data product (placeholder)",
                 "port": "output port"}


@dataclass
class Note:
    """A sticky to place: its colour and wrapped text."""

    kind: str
    lines: tuple[str, ...]

    @classmethod
    def of(cls, kind: str, text: str) -> Note:
        return cls(kind, drawing.wrap(text, TEXT_W, MAX_LINES))

    @classmethod
    def header(cls, kind: str, text: str) -> Note:
        return cls(kind, drawing.wrap(text, HEADER_STICKY_W - 14, MAX_LINES, bold=True))

    @property
    def height(self) -> int:
        return drawing.sticky_height(len(self.lines))


def _stack_height(notes: list[Note]) -> int:
    return sum(n.height for n in notes) + GAP * max(len(notes) - 1, 0)


@dataclass
class Lane:
    """A row band of the board: one data product, or the events not in an aggregate yet."""

    header: Note
    order: int
    stacks: dict[int, list[Note]] = field(default_factory=dict)
    row: list[Note] = field(default_factory=list)
    row_start: int = 0
    tallest: int = 0  # height of the tallest stack

    def stack(self, column: int, notes: list[Note]) -> None:
        self.stacks[column] = notes
        self.tallest = max(self.tallest, _stack_height(notes))

    def unstack(self, column: int) -> None:
        del self.stacks[column]
        self.tallest = max((_stack_height(s) for s in self.stacks.values()), default=0)

    def rows(self) -> list[tuple[Note, ...]]:
        return [tuple(self.row[i:i + COLUMNS]) for i in range(0, len(self.row), COLUMNS)]

    def row_first_column(self) -> int:
        return max(min(self.row_start, COLUMNS - len(self.row)), 0)

    @property
    def content_height(self) -> int:
        stacks = self.tallest
        rows = sum(max(n.height for n in r) + GAP for r in self.rows())
        return stacks + (GAP + rows if rows and stacks else rows)

    @property
    def height(self) -> int:
        return max(self.header.height, self.content_height) + 2 * LANE_PAD

    @property
    def columns(self) -> int:
        used = [c + 1 for c in self.stacks]
        if self.row:
            used.append(self.row_first_column() + min(len(self.row), COLUMNS))
        return max(used, default=0)


@dataclass
class Part:
    """What one picture holds."""

    subtitle: str
    lanes: dict[str, Lane] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)

    @property
    def columns(self) -> int:
        return max((lane.columns for lane in self.lanes.values()), default=0)

    def height(self, head: int) -> int:
        return head + sum(lane.height for lane in self.lanes.values()) + MARGIN


UNASSIGNED = "events not in an aggregate yet"
REST = "Data products without events, and new business decisions"


class BoardLayout:
    """Cuts the board into parts that each fit one legible picture."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self.index = BoardIndex.of(board)
        self.order = {p.ref: i for i, p in enumerate(board.data_products)}
        self.head = _head_height()
        self.parts: list[Part] = []
        self.placed: set[str] = set()

    def parts_of_board(self) -> list[Part]:
        part = Part("")
        for event in self.board.events:
            if not self._add_event(part, event):
                self._close(part)
                part = Part("")
                self._add_event(part, event)
        self._close(part)
        self._add_rest()
        return self.parts or [Part("Nothing on the board yet")]

    def _close(self, part: Part) -> None:
        if part.events:
            part.subtitle = f"Events {part.events[0].ref} to {part.events[-1].ref}"
            self.parts.append(part)

    def _add_event(self, part: Part, event: Event) -> bool:
        """Place the event in the next column, unless the picture would become too big."""
        column = len(part.events)
        if column >= COLUMNS:
            return False
        key = event.data_product if event.data_product in self.order else UNASSIGNED
        lane = part.lanes.get(key) or self._lane(key, column)
        lane.stack(column, self._stack(event))
        if key not in part.lanes:
            part.lanes[key] = lane
        if part.events and part.height(self.head) > MAX_SIDE:
            lane.unstack(column)
            if not lane.stacks:
                del part.lanes[key]
            return False
        part.events.append(event)
        self.placed.add(key)
        part.lanes = dict(sorted(part.lanes.items(), key=lambda kv: kv[1].order))
        return True

    def _lane(self, key: str, column: int) -> Lane:
        if key == UNASSIGNED:
            return Lane(Note.header("unassigned", UNASSIGNED.capitalize()), len(self.order))
        product = self.index.products[key]
        lane = Lane(Note.header(str(product.kind), f"{product.ref} · {product.name}"),
                    self.order[key], row_start=column)
        if key not in self.placed:
            lane.row = [Note.of("port", f"{p.ref} · {p.name}")
                        for p in self.index.ports_of.get(key, [])]
        return lane

    def _stack(self, event: Event) -> list[Note]:
        notes = [Note.of("event", f"{event.ref} · {event.text}")]
        notes += [Note.of(kind, getattr(event, kind)) for kind in FLOW if getattr(event, kind)]
        decisions = self.index.decisions_of.get(event.ref, [])
        notes += [Note.of("decision", f"{d.ref} · {d.text}") for d in decisions[:MAX_DECISIONS]]
        if len(decisions) > MAX_DECISIONS:
            notes.append(Note.of("decision", f"+{len(decisions) - MAX_DECISIONS} more decisions"))
        return notes

    def _add_rest(self) -> None:
        """Products without events (placeholders) and new business decisions, after the
        timeline."""
        lanes = [self._lane(p.ref, 0) for p in self.board.data_products
                 if p.ref not in self.placed]
        new = [d for d in self.board.decisions if not d.event]
        if new:
            lane = Lane(Note.header("decision", "New business decisions"), len(self.order) + 1)
            lane.row = [Note.of("decision", f"{d.ref} · {d.text}") for d in new]
            lanes.append(lane)
        part = self.parts.pop() if self.parts else Part(REST)
        for i, lane in enumerate(lanes):
            part.lanes[f"rest{i}"] = lane
            if len(part.lanes) > 1 and part.height(self.head) > MAX_SIDE:
                del part.lanes[f"rest{i}"]
                self.parts.append(part)
                part = Part(REST, {f"rest{i}": lane})
        if part.lanes:
            self.parts.append(part)


def _head_height(title_lines: int = 2, legend_rows: int = 2) -> int:
    """Height of the title, subtitle and legend; by default the most they can take."""
    return (MARGIN + title_lines * (TITLE_SIZE + 8) + LINE_HEIGHT + 10
            + legend_rows * (LINE_HEIGHT + 14) + 2)


def board_pngs(board: Board) -> list[bytes]:
    """The board as one or more pictures; each holds at most COLUMNS events."""
    parts = BoardLayout(board).parts_of_board()
    # Drawing is mostly Python and holds the GIL, so one thread draws; Pillow lets go of the
    # GIL while it encodes, so the pool encodes on the other cores meanwhile.
    with ThreadPoolExecutor(WORKERS) as pool:
        encoding = [pool.submit(drawing.png, _draw_part(board, part, i, len(parts)))
                    for i, part in enumerate(parts, 1)]
        return [png.result() for png in encoding]


def _titled(name: str, what: str, number: int, count: int) -> str:
    return f"{name} — {what}" + (f", part {number} of {count}" if count > 1 else "")


def _draw_part(board: Board, part: Part, number: int, count: int) -> Image.Image:
    width = max(MIN_WIDTH, 2 * MARGIN + HEADER_W + part.columns * COLUMN_W)
    head = Head.of(_titled(board.workshop.name, "board", number, count), part.subtitle,
                   BOARD_LEGEND, width)
    image = drawing.canvas(width, min(part.height(head.height), MAX_SIDE))
    head.draw(image)
    y = head.height
    for i, lane in enumerate(part.lanes.values()):
        _draw_lane(image, lane, y, "lane" if i % 2 == 0 else "lane-alt")
        y += lane.height
    return image


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
        return _head_height(len(self.title), self.legend[-1][2] + 1)

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


def _draw_lane(image: Image.Image, lane: Lane, top: int, tint: str) -> None:
    drawing.fill(image, COLOURS[tint], (0, top, image.width, top + lane.height))
    y = top + LANE_PAD
    drawing.sticky(image, (MARGIN, y), HEADER_STICKY_W, lane.header.lines,
                   COLOURS[lane.header.kind], bold=True)
    left = MARGIN + HEADER_W
    for column, notes in lane.stacks.items():
        _draw_stack(image, notes, left + column * COLUMN_W, y)
    y += lane.tallest + GAP if lane.stacks else 0
    for row in lane.rows():
        first = lane.row_first_column() if len(row) < COLUMNS else 0
        for i, note in enumerate(row):
            drawing.sticky(image, (left + (first + i) * COLUMN_W, y), STICKY_W, note.lines,
                           COLOURS[note.kind])
        y += max(n.height for n in row) + GAP


def _draw_stack(image: Image.Image, notes: list[Note], x: int, y: int) -> None:
    for note in notes:
        drawing.sticky(image, (x, y), STICKY_W, note.lines, COLOURS[note.kind])
        y += note.height + GAP


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


def map_pngs(board: Board) -> list[bytes]:
    """The data-product map: who reads whose output ports, split by columns if too wide."""
    index = BoardIndex.of(board)
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
        height = _head_height()
        for product in index.products.values():
            if depth[product.ref] != level:
                continue
            box = _box(index, product.ref)
            if column and height + box.height + MAP_ROW_GAP > MAX_SIDE - MARGIN:
                columns.append(column)
                column, height = [], _head_height()
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
    height = max((b.y + b.height for b in boxes.values()), default=_head_height()) + MARGIN
    image = drawing.canvas(width, min(height, MAX_SIDE))
    subtitle = ("Arrows run from the data product that owns an output port to the one that "
                "reads it" if boxes else "No data product on the board yet")
    Head.of(_titled(index.board.workshop.name, "data product map", number, count), subtitle,
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
