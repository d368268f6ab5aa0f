"""The sticky notes of a board from a room workshop, read from a file: the items Miro's REST
API v2 returns for a board, a CSV, or one sticky per line. No I/O.

Decisions taken here:
- Miro content is HTML; only its text is kept, whitespace collapsed to one line, so no
  markup reaches Slack (the builders escape what people wrote, as for any line);
- a sticky inside a Miro frame is placed from the frame's corner, as Miro gives it;
- a CSV names its columns in its first row: a text, a colour or kind, optionally x and y;
- whatever a file holds, the answer is its stickies or a refusal in words (UserError).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from dpflow.domain.errors import UserError

MAX_BYTES = 1_000_000
MAX_STICKIES = 1000
MAX_COLOURS = 30  # one select each in a modal of at most 100 blocks
NO_COLOUR = ""  # the stickies of a plain list
STICKY_WIDTH = 200.0  # Miro's default sticky note, for items that do not say
FORMATS = ("Miro's board items (the JSON of GET /v2/boards/{board_id}/items), a CSV with "
           "`colour,text` or `kind,text` columns, or a text file with one sticky per line")


@dataclass(frozen=True)
class Sticky:
    text: str
    colour: str
    where: str  # how to find it again: "at x 1200, y -250", "row 7", "line 7"
    x: float | None = None
    y: float = 0.0
    width: float = STICKY_WIDTH

    def __str__(self) -> str:
        colour = f"{colour_name(self.colour).lower()} " if self.colour else ""
        if not self.text:
            return f"an empty {colour}sticky ({self.where})"
        return f"{colour}{self.quoted(60)} ({self.where})"

    def quoted(self, limit: int = 40) -> str:
        return f"“{_short(self.text, limit)}”"


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise UserError(f"That file is {size / 1_000_000:.1f} MB; dpflow imports boards of up "
                        f"to {MAX_BYTES // 1_000_000} MB ({MAX_STICKIES:,} stickies). Nothing "
                        "was stored: export the part of the board the workshop is about.")


def read_board(data: bytes, filename: str = "") -> list[Sticky]:
    """The stickies of a board file, in file order; UserError when it is none of FORMATS,
    holds no sticky, or more than dpflow imports at once."""
    check_size(len(data))
    text = _decoded(data)
    name = filename.lower()
    if name.endswith(".json") or text.lstrip().startswith(("{", "[")):
        stickies = _miro(text)
    elif name.endswith((".csv", ".tsv")) or _columns(_first_row(text)):
        stickies = _csv(text)
    else:
        stickies = _listed(text)
    _check_count(stickies)
    return stickies


def colour_name(colour: str) -> str:
    """`light_yellow` → `Light yellow`; the stickies of a list have no colour."""
    return colour.replace("_", " ").capitalize() if colour else "No colour"


def name_of(filename: str) -> str:
    """A workshop's name from its board's file: `order-fulfilment_board.json` →
    `Order fulfilment board`."""
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    words = _one_line(stem.replace("_", " ").replace("-", " "))
    return _short(words.capitalize() or "Imported board", 200)


def _decoded(data: bytes) -> str:
    try:
        return _clean(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise UserError("That file is not text in UTF-8: dpflow reads " + FORMATS + ".") \
            from None


def _check_count(stickies: list[Sticky]) -> None:
    if not stickies:
        raise UserError("That file holds no sticky notes: dpflow reads " + FORMATS + ".")
    if len(stickies) > MAX_STICKIES:
        raise UserError(f"That board holds {len(stickies):,} stickies; dpflow imports up to "
                        f"{MAX_STICKIES:,} at once. Nothing was stored: export the part of the "
                        "board the workshop is about.")
    found = len({s.colour for s in stickies})
    if found > MAX_COLOURS:
        raise UserError(f"That file uses {found} colours or kinds; dpflow maps up to "
                        f"{MAX_COLOURS}. Nothing was stored.")


# Control characters and lone surrogates (JSON can escape both): no database stores them
# all, nobody typed them
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _clean(text: str) -> str:
    return _UNSTORABLE.sub(lambda m: "\ufffd" if m[0] >= "\ud800" else " ", text)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def colour_key(value: Any) -> str:
    """A colour or kind as compared: lower case words joined by `_`, at most 40 characters."""
    return "_".join(_clean(str(value)).lower().replace("-", " ").split())[:40]


def _one_line(text: str) -> str:
    return " ".join(_clean(text).split())


# --- Miro's board items ----------------------------------------------------------------


def _miro(text: str) -> list[Sticky]:
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        where = f" (line {e.lineno}, column {e.colno})" if hasattr(e, "lineno") else ""
        raise UserError(f"That file is not valid JSON{where}. dpflow reads " + FORMATS + ".") \
            from None
    items = _items(document)
    if items is None:
        raise UserError("That JSON is not a list of Miro board items: dpflow reads what "
                        "GET /v2/boards/{board_id}/items answers, `{\"data\": [...]}` (for "
                        "more than one page, the pages in one JSON array).")
    frames = {str(item.get("id")): item for item in items if item.get("type") == "frame"}
    return [_sticky(item, frames) for item in items if item.get("type") == "sticky_note"]


def _items(document: Any) -> list[dict] | None:
    """The items of one page (`{"data": [...]}`), of a list of pages, or a list of items."""
    pages = document if isinstance(document, list) else [document]
    items: list[dict] = []
    for page in pages:
        if isinstance(page, dict) and isinstance(page.get("data"), list):
            items += [i for i in page["data"] if isinstance(i, dict)]
        elif isinstance(page, dict) and "type" in page:
            items.append(page)
        else:
            return None
    return items


def _sticky(item: dict, frames: dict) -> Sticky:
    data, style = _dict(item, "data"), _dict(item, "style")
    x, y = _position(item, frames)
    y = y or 0.0
    width = _number(_dict(item, "geometry").get("width")) or STICKY_WIDTH
    where = f"at x {x:.0f}, y {y:.0f}" if x is not None else f"item {str(item.get('id'))[:40]}"
    colour = style.get("fillColor") or "light_yellow"  # Miro's default fill
    return Sticky(html_text(str(data.get("content") or "")), colour_key(colour), where, x, y, width)


def _position(item: dict, frames: dict) -> tuple[float | None, float | None]:
    """Where the sticky's centre is on the board; inside a frame Miro gives it from the
    frame's top-left corner."""
    position = _dict(item, "position")
    x, y = _number(position.get("x")), _number(position.get("y"))
    frame = frames.get(str(_dict(item, "parent").get("id")))
    if x is None or y is None or position.get("relativeTo") != "parent_top_left" or not frame:
        return x, y
    fx, fy = _position(frame, {})
    size = _dict(frame, "geometry")
    if fx is None or fy is None:
        return x, y
    return (fx - (_number(size.get("width")) or 0) / 2 + x,
            fy - (_number(size.get("height")) or 0) / 2 + y)


def _dict(item: dict, key: str) -> dict:
    value = item.get(key)
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if abs(value) < 1e12 else None


class _Text(HTMLParser):
    """The text of a sticky's HTML: blocks and line breaks become spaces, scripts and
    styles nothing, character references what they stand for."""

    BREAKS = frozenset({"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "tr", "td"})
    SILENT = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.silent = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        self.silent += tag in self.SILENT
        if tag in self.BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.silent -= tag in self.SILENT and self.silent > 0
        if tag in self.BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.silent:
            self.parts.append(data)


def html_text(html: str) -> str:
    """A Miro sticky's content as one line of plain text."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return _one_line("".join(parser.parts))


# --- CSV and plain lists ---------------------------------------------------------------

_TEXT_COLUMNS = ("text", "content", "sticky", "note")
_KIND_COLUMNS = ("colour", "color", "kind", "type", "fillcolor", "fill_color")


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")


def _first_row(text: str) -> list[str]:
    first = _first_line(text)
    return next(csv.reader([first], _dialect(first)), [])


def _dialect(sample: str) -> type[csv.Dialect]:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _columns(header: list[str]) -> dict[str, int] | None:
    """Which column holds the text, the colour or kind, x and y; None without a text."""
    names = [colour_key(name) for name in header]
    found = {"text": _index(names, _TEXT_COLUMNS), "colour": _index(names, _KIND_COLUMNS),
             "x": _index(names, ("x",)), "y": _index(names, ("y",))}
    return found if found["text"] is not None else None


def _index(names: list[str], wanted: tuple[str, ...]) -> int | None:
    return next((i for i, name in enumerate(names) if name in wanted), None)


def _csv(text: str) -> list[Sticky]:
    try:
        rows = [row for row in csv.reader(io.StringIO(text), _dialect(_first_line(text)))
                if row]
    except csv.Error as e:
        raise UserError(f"That CSV cannot be read: {e}.") from None
    columns = _columns(rows[0]) if rows else None
    if columns is None:
        found = ", ".join(f"`{_short(c, 20)}`" for c in (rows[0] if rows else [])[:6])
        raise UserError("The CSV's first row names its columns: `text` and `colour` (or "
                        f"`kind`), e.g. `colour,text`. This one has {found or 'nothing'}.",
                        "colour,text")
    stickies = [_row(row, columns, n) for n, row in enumerate(rows[1:], 2)]
    if any(s.x is None for s in stickies):
        return [Sticky(s.text, s.colour, s.where) for s in stickies]
    return stickies


def _row(row: list[str], columns: dict[str, int | None], n: int) -> Sticky:
    def cell(name: str) -> str:
        i = columns[name]
        return row[i] if i is not None and i < len(row) else ""

    return Sticky(_one_line(cell("text")), colour_key(cell("colour")), f"row {n}",
                  _float(cell("x")), _float(cell("y")) or 0.0)


def _float(text: str) -> float | None:
    try:
        return _number(float(text))
    except ValueError:
        return None


_BULLET = re.compile(r"^(?:[-•*◦‣]|\d{1,3}[.)])\s+")


def _listed(text: str) -> list[Sticky]:
    return [Sticky(_one_line(_BULLET.sub("", line.strip())), NO_COLOUR, f"line {n}")
            for n, line in enumerate(text.splitlines(), 1) if line.strip()]
