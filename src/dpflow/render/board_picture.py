"""The board as pictures: the events on a timeline with their flow, decisions and
opportunities stacked under them, one lane per data product with its owner, its output
ports (and the decisions each supports) and, for a consumer-aligned one, the ports it reads.

A board that fits one picture legible in Slack's preview is drawn as one. A bigger board is
split by aggregate (a long aggregate by part of its flow), then the consumer-aligned data
products, new business decisions and ideas: each picture stays readable at its own scale.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from PIL import Image

from dpflow.domain.model import Alignment, Board, DataProduct, Event
from dpflow.render import drawing
from dpflow.render.drawing import COLOURS
from dpflow.render.index import BoardIndex
from dpflow.render.pictures import MARGIN, MAX_SIDE, MIN_WIDTH, Head, head_height, titled
from dpflow.render.text import readable

WORKERS = min(4, os.cpu_count() or 1)
STICKY_W = 150
TEXT_W = STICKY_W - 14
COLUMN_W = STICKY_W + 16
HEADER_W = 170
HEADER_STICKY_W = HEADER_W - 16
GAP = 8
LANE_PAD = 12
MAX_LINES = 4
MAX_DECISIONS = 3
MAX_OPPORTUNITIES = 2  # under each decision
COLUMNS = (MAX_SIDE - 2 * MARGIN - HEADER_W) // COLUMN_W
# A picture up to this size reads at its own scale in Slack's preview; a bigger board splits.
PREVIEW_W, PREVIEW_H = 1600, 1300
PART_COLUMNS = (PREVIEW_W - 2 * MARGIN - HEADER_W) // COLUMN_W
FLOW = ("command", "actor", "system", "trigger")
LEGEND = ("event", "command", "actor", "system", "trigger", "decision", "opportunity", "port",
          "source-aligned", "consumer-aligned")


@dataclass
class Note:
    """A sticky to place: its colour, wrapped text and how many of its lines are bold."""

    kind: str
    lines: tuple[str, ...]
    bold: int = 0

    @classmethod
    def of(cls, kind: str, text: str, more: str = "") -> Note:
        """`text` on up to four lines; `more` on the last one, e.g. what a port supports."""
        lines = drawing.wrap(text, TEXT_W, MAX_LINES - (1 if more else 0))
        return cls(kind, lines + (drawing.wrap(more, TEXT_W, 1) if more else ()))

    @property
    def height(self) -> int:
        return drawing.sticky_height(len(self.lines))


def _stack_height(notes: list[Note]) -> int:
    return sum(n.height for n in notes) + GAP * max(len(notes) - 1, 0)


@dataclass
class Lane:
    """A row band of a picture: one data product, or the events not in an aggregate yet."""

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

    def rows(self, width: int) -> list[tuple[Note, ...]]:
        return [tuple(self.row[i:i + width]) for i in range(0, len(self.row), width)]

    def row_first_column(self, width: int) -> int:
        return max(min(self.row_start, width - len(self.row)), 0)

    def content_height(self, width: int) -> int:
        stacks = self.tallest
        rows = sum(max(n.height for n in r) + GAP for r in self.rows(width))
        return stacks + (GAP + rows if rows and stacks else rows)

    def height(self, width: int) -> int:
        return max(self.header.height, self.content_height(width)) + 2 * LANE_PAD

    def columns(self, width: int) -> int:
        used = [c + 1 for c in self.stacks]
        if self.row:
            used.append(self.row_first_column(width) + min(len(self.row), width))
        return max(used, default=0)


@dataclass
class Part:
    """What one picture holds: lanes, at most `width` columns wide."""

    subtitle: str
    width: int
    lanes: dict[str, Lane] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)

    @property
    def columns(self) -> int:
        return max((lane.columns(self.width) for lane in self.lanes.values()), default=0)

    def height(self, head: int) -> int:
        return head + sum(lane.height(self.width) for lane in self.lanes.values()) + MARGIN

    @property
    def pixel_width(self) -> int:
        return max(MIN_WIDTH, 2 * MARGIN + HEADER_W + self.columns * COLUMN_W)


UNASSIGNED = "Events not in an aggregate yet"
REST = "Consumer-aligned data products, new business decisions and ideas"


class BoardLayout:
    """Cuts the board into parts that each make one legible picture."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self.index = BoardIndex.of(board)
        self.order = {p.ref: i for i, p in enumerate(board.data_products)}
        self.head = head_height()

    def parts(self) -> list[Part]:
        whole = self._split(self.board.events, COLUMNS, MAX_SIDE,
                            lambda first, last: f"Events {first} to {last}")
        if len(whole) <= 1:
            one = self._rest(COLUMNS, whole[0] if whole else Part(REST, COLUMNS), MAX_SIDE)
            if len(one) == 1 and self._fits_preview(one[0]):
                one[0].subtitle = one[0].subtitle if one[0].lanes else "Nothing on the board yet"
                return one
        return [*self._by_aggregate(), *self._rest(PART_COLUMNS, Part(REST, PART_COLUMNS),
                                                   PREVIEW_H)]

    def _fits_preview(self, part: Part) -> bool:
        return part.pixel_width <= PREVIEW_W and part.height(self.head) <= PREVIEW_H

    def _by_aggregate(self) -> list[Part]:
        """One picture per aggregate (a long one per part of its flow), then the loose events."""
        parts = []
        for product in self.board.data_products:
            events = self.index.events_of.get(product.ref, [])
            parts += self._split(events, PART_COLUMNS, PREVIEW_H, lambda first, last, p=product:
                                 f"{p.ref} · {p.name}: events {first} to {last}")
        loose = [e for e in self.board.events if e.data_product not in self.order]
        parts += self._split(loose, PART_COLUMNS, PREVIEW_H,
                             lambda first, last: f"{UNASSIGNED}: {first} to {last}")
        return parts

    def _split(self, events: list[Event], width: int, height: int, subtitle) -> list[Part]:
        """Events in timeline order, as many per picture as fit `width` columns and `height`."""
        parts = [Part("", width)]
        placed: set[str] = set()
        for event in events:
            if not self._add_event(parts[-1], event, placed, height):
                parts.append(Part("", width))
                self._add_event(parts[-1], event, placed, height)
        for part in parts:
            if part.events:
                part.subtitle = subtitle(part.events[0].ref, part.events[-1].ref)
        return [p for p in parts if p.events]

    def _add_event(self, part: Part, event: Event, placed: set[str], height: int) -> bool:
        """Place the event in the next column, unless the picture would become too big."""
        column = len(part.events)
        if column >= part.width:
            return False
        key = event.data_product if event.data_product in self.order else UNASSIGNED
        lane = part.lanes.get(key) or self._lane(key, column, with_ports=key not in placed)
        lane.stack(column, self._stack(event))
        if key not in part.lanes:
            part.lanes[key] = lane
        if part.events and part.height(self.head) > height:
            lane.unstack(column)
            if not lane.stacks:
                del part.lanes[key]
            return False
        part.events.append(event)
        placed.add(key)
        part.lanes = dict(sorted(part.lanes.items(), key=lambda kv: kv[1].order))
        return True

    def _lane(self, key: str, column: int, with_ports: bool = True) -> Lane:
        if key == UNASSIGNED:
            return Lane(_header("unassigned", UNASSIGNED), len(self.order))
        product = self.index.products[key]
        lane = Lane(_header(str(product.kind), f"{product.ref} · {product.name}",
                            f"owner: {product.owner or 'not set yet'}"),
                    self.order[key], row_start=column)
        if with_ports:
            lane.row = self._reads(product) + [
                Note.of("port", f"{p.ref} · {p.name}",
                        f"for {', '.join(p.supports)}" if p.supports else "supports nothing yet")
                for p in self.index.ports_of.get(key, [])]
        return lane

    def _reads(self, product: DataProduct) -> list[Note]:
        if product.kind is not Alignment.CONSUMER:
            return []
        reads = [r for r in dict.fromkeys(product.reads) if r in self.index.ports]
        return [Note.of("unassigned", "reads " + (", ".join(
            f"{r} ({self.index.ports[r].data_product})" for r in reads) or "nothing yet"))]

    def _stack(self, event: Event) -> list[Note]:
        notes = [Note.of("event", f"{event.ref} · {event.text}")]
        notes += [Note.of(kind, getattr(event, kind)) for kind in FLOW if getattr(event, kind)]
        decisions = self.index.decisions_of.get(event.ref, [])
        for decision in decisions[:MAX_DECISIONS]:
            notes += self._decision(decision)
        if len(decisions) > MAX_DECISIONS:
            notes.append(Note.of("decision", f"+{len(decisions) - MAX_DECISIONS} more decisions"))
        return notes

    def _decision(self, decision) -> list[Note]:
        """A decision and, under it, how data could help to take it."""
        opportunities = self.index.opportunities_of.get(decision.ref, [])
        notes = [Note.of("decision", f"{decision.ref} · {decision.text}")]
        notes += [Note.of("opportunity", f"{o.ref} · {o.mode}: {o.text}")
                  for o in opportunities[:MAX_OPPORTUNITIES]]
        if len(opportunities) > MAX_OPPORTUNITIES:
            notes.append(Note.of("opportunity",
                                 f"+{len(opportunities) - MAX_OPPORTUNITIES} more opportunities"))
        return notes

    def _rest(self, width: int, part: Part, height: int) -> list[Part]:
        """Products without events (placeholders), new business decisions and ideas, after
        the timeline: in `part` while it is not higher than `height`, then in parts of
        their own."""
        lanes = [self._lane(p.ref, 0) for p in self.board.data_products
                 if not self.index.events_of.get(p.ref)]
        lanes += self._new_lanes()
        parts = [part]
        for i, lane in enumerate(lanes):
            parts[-1].lanes[f"rest{i}"] = lane
            if len(parts[-1].lanes) > 1 and parts[-1].height(self.head) > height:
                del parts[-1].lanes[f"rest{i}"]
                parts.append(Part(REST, width, {f"rest{i}": lane}))
        return [p for p in parts if p.lanes] or parts[:1]

    def _new_lanes(self) -> list[Lane]:
        new = [d for d in self.board.decisions if not d.event]
        ideas = [o for o in self.board.opportunities if not o.decision]
        if not new and not ideas:
            return []
        lane = Lane(_header("decision", "New business decisions and ideas"),
                    len(self.order) + 1)
        lane.row = [n for d in new for n in self._decision(d)]
        lane.row += [Note.of("opportunity", f"{o.ref} · idea: {o.text}") for o in ideas]
        return [lane]


def _header(kind: str, text: str, more: str = "") -> Note:
    lines = drawing.wrap(text, HEADER_STICKY_W - 14, 3, bold=True)
    extra = drawing.wrap(more, HEADER_STICKY_W - 14, 2) if more else ()
    return Note(kind, lines + extra, bold=len(lines))


def board_pngs(board: Board, names: Mapping[str, str] | None = None) -> list[bytes]:
    """The board as one or more pictures; `names` are the display names of the users
    mentioned on it."""
    board = readable(board, names)
    parts = BoardLayout(board).parts()
    # Drawing is mostly Python and holds the GIL, so one thread draws; Pillow lets go of the
    # GIL while it encodes, so the pool encodes on the other cores meanwhile.
    with ThreadPoolExecutor(WORKERS) as pool:
        encoding = [pool.submit(drawing.png, _draw_part(board, part, i, len(parts)))
                    for i, part in enumerate(parts, 1)]
        return [png.result() for png in encoding]


def _draw_part(board: Board, part: Part, number: int, count: int) -> Image.Image:
    width = part.pixel_width
    head = Head.of(titled(board.workshop.name, "board", number, count), part.subtitle,
                   LEGEND, width)
    image = drawing.canvas(width, min(part.height(head.height), MAX_SIDE))
    head.draw(image)
    y = head.height
    for i, lane in enumerate(part.lanes.values()):
        _draw_lane(image, lane, part.width, y, "lane" if i % 2 == 0 else "lane-alt")
        y += lane.height(part.width)
    return image


def _draw_lane(image: Image.Image, lane: Lane, width: int, top: int, tint: str) -> None:
    drawing.fill(image, COLOURS[tint], (0, top, image.width, top + lane.height(width)))
    y = top + LANE_PAD
    drawing.sticky(image, (MARGIN, y), HEADER_STICKY_W, lane.header.lines,
                   COLOURS[lane.header.kind], bold_lines=lane.header.bold)
    left = MARGIN + HEADER_W
    for column, notes in lane.stacks.items():
        x, at = left + column * COLUMN_W, y
        for note in notes:
            drawing.sticky(image, (x, at), STICKY_W, note.lines, COLOURS[note.kind])
            at += note.height + GAP
    y += lane.tallest + GAP if lane.stacks else 0
    for row in lane.rows(width):
        first = lane.row_first_column(width) if len(row) < width else 0
        for i, note in enumerate(row):
            drawing.sticky(image, (left + (first + i) * COLUMN_W, y), STICKY_W, note.lines,
                           COLOURS[note.kind])
        y += max(n.height for n in row) + GAP
