"""Stickies on a wall: fonts, wrapped labels and PNG encoding, fast enough for big boards.

Pictures are drawn in palette indices, in an "L" image, so they need no quantising and the
PNG encoder gets one byte a pixel. In the palette each ground colour is followed by ink over
it in eighths: text drawn by pasting "ground + 8" through its anti-aliased mask lands on the
right step, as Pillow blends the index between ground and ground + 8. Text is composed from
cached glyph masks.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import emoji
from PIL import Image, ImageDraw, ImageFont

INK = (33, 33, 33)
WALL = (250, 250, 247)
SHADOW = (200, 200, 195)
LINE = (90, 90, 90)
WHITE = (255, 255, 255)

COLOURS = {  # the method's sticky colours
    "event": (255, 167, 38),
    "command": (100, 181, 246),
    "actor": (255, 241, 118),
    "system": (244, 143, 177),
    "trigger": (206, 170, 230),
    "decision": (149, 117, 205),
    "opportunity": (128, 222, 234),
    "port": (129, 199, 132),
    "consumer-aligned": (255, 202, 40),
    "source-aligned": (176, 190, 197),
    "unassigned": WHITE,
    "lane": (240, 241, 236),
    "lane-alt": (232, 236, 240),
}

LINE_HEIGHT = 18
FONT_SIZE = 14
TITLE_SIZE = 26
PADDING = 7
SHADOW_OFFSET = 3
ELLIPSIS = "…"
FONTS = {False: "DejaVuSansCondensed.ttf", True: "DejaVuSansCondensed-Bold.ttf"}
INK_STEPS = 8

Colour = tuple[int, int, int]
GROUNDS = tuple(dict.fromkeys([WALL, WHITE, SHADOW, *COLOURS.values()]))


def _blend(ground: Colour, step: int) -> Colour:
    a = step / INK_STEPS
    return tuple(round(i * a + g * (1 - a)) for i, g in zip(INK, ground, strict=True))


PALETTE = (*[_blend(g, step) for g in GROUNDS for step in range(INK_STEPS + 1)], LINE)
_INDEX = {g: i * (INK_STEPS + 1) for i, g in enumerate(GROUNDS)} | {LINE: len(PALETTE) - 1}


def index(colour: Colour) -> int:
    """The colour's palette index: what to draw with."""
    return _INDEX[colour]


@dataclass(frozen=True)
class Glyphs:
    """One font: each character's advance and anti-aliased mask, made once."""

    size: int
    bold: bool = False

    def width(self, text: str) -> int:
        return round(sum(_advance(self.size, self.bold, w) for w in text.split(" "))
                     + text.count(" ") * _glyph(self.size, self.bold, " ")[0])


@lru_cache(maxsize=8)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    with (files("dpflow.render") / "fonts" / FONTS[bold]).open("rb") as ttf:
        return ImageFont.truetype(ttf, size)


@lru_cache(maxsize=8192)
def _glyph(size: int, bold: bool, char: str) -> tuple[float, object]:
    """A character's advance and mask (a core image: the hot paths paste cores, which skips
    Image.paste's checks)."""
    font = _font(size, bold)
    advance = font.getlength(char)
    mask = Image.new("L", (int(advance) + size // 2 + 2, round(size * 1.3)), 0)
    ImageDraw.Draw(mask).text((0, 0), char, font=font, fill=255)
    return advance, mask.im


NOT_IN_FONT = "\U0010fffd"  # a private-use character: the font draws its missing-glyph box


@lru_cache(maxsize=4096)
def drawable(text: str) -> str:
    """Text the font draws as people wrote it: emoji as their Slack name (`:books:`), and
    no missing-glyph box — a character the font lacks becomes its compatibility form, or ?."""
    text = emoji.demojize(text, language="alias")
    return "".join(_stand_in(char) for char in text if unicodedata.category(char) != "Cf")


def _stand_in(char: str) -> str:
    if has_glyph(char):
        return char
    form = unicodedata.normalize("NFKD", char)
    return form if form != char and all(has_glyph(c) for c in form) else "?"


@lru_cache(maxsize=8192)
def has_glyph(char: str) -> bool:
    """Whether the font has its own glyph for `char`, rather than the missing-glyph box."""
    return char.isspace() or _mask_bytes(char) != _mask_bytes(NOT_IN_FONT)


@lru_cache(maxsize=8192)
def _mask_bytes(char: str) -> bytes:
    mask = _font(FONT_SIZE, False).getmask(char)
    return repr(mask.size).encode() + bytes(mask)


@lru_cache(maxsize=65536)
def _advance(size: int, bold: bool, word: str) -> float:
    return sum(_glyph(size, bold, c)[0] for c in word)


@lru_cache(maxsize=65536)
def _word(size: int, bold: bool, word: str) -> tuple[float, object]:
    """A word's advance and mask (a core image), composed from glyphs."""
    advance = _advance(size, bold, word)
    mask = Image.new("L", (int(advance) + size // 2 + 2, round(size * 1.3)), 0).im
    cursor = 0.0
    for char in word:
        glyph_advance, glyph = _glyph(size, bold, char)
        left = round(cursor)
        width, height = glyph.size
        mask.paste(255, (left, 0, left + width, height), glyph)
        cursor += glyph_advance
    return advance, mask


def write(image: Image.Image, xy: tuple[int, int], line: str, ground: Colour,
          size: int = FONT_SIZE, bold: bool = False) -> None:
    """Draw one line of text at xy (top left), on a plain ground of the given colour."""
    image.load()
    _write(image.im, xy, line, index(ground) + INK_STEPS, size, bold)


def _write(image: object, xy: tuple[int, int], line: str, ink: int, size: int,
           bold: bool) -> None:
    x, y = xy
    space = _glyph(size, bold, " ")[0]
    cursor = float(x)
    for word in line.split(" "):
        advance, mask = _word(size, bold, word)
        left = round(cursor)
        width, height = mask.size
        image.paste(ink, (left, y, left + width, y + height), mask)
        cursor += advance + space


@lru_cache(maxsize=4096)  # stickies repeat: actors, systems, triggers
def wrap(text: str, width: int, max_lines: int, size: int = FONT_SIZE,
         bold: bool = False) -> tuple[str, ...]:
    """Words into lines no wider than width; an ellipsis ends text that does not fit."""
    text = drawable(text)
    glyphs = Glyphs(size, bold)
    space = _glyph(size, bold, " ")[0]
    lines: list[str] = []
    line, used = "", 0.0
    for word in text.split():
        fits = round(_advance(size, bold, word)) <= width
        for piece in (word,) if fits else _pieces(word, width, glyphs):
            advance = _advance(size, bold, piece)
            if not line or used + space + advance <= width:
                line, used = (f"{line} {piece}", used + space + advance) if line else (
                    piece, advance)
                continue
            lines.append(line)
            line, used = piece, advance
    lines.append(line)
    if len(lines) <= max_lines:
        return tuple(lines)
    return (*lines[: max_lines - 1], _shortened(lines[max_lines - 1], width, glyphs))


def _pieces(word: str, width: int, glyphs: Glyphs) -> list[str]:
    """A word longer than a line, cut where it must be."""
    pieces, piece = [], ""
    for char in word:
        if piece and glyphs.width(piece + char) > width:
            pieces.append(piece)
            piece = ""
        piece += char
    return [*pieces, piece]


def _shortened(line: str, width: int, glyphs: Glyphs) -> str:
    while line and glyphs.width(line + ELLIPSIS) > width:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS


@lru_cache(maxsize=128)
def _sticky_face(width: int, height: int, colour: Colour) -> tuple[object, object]:
    """A rounded sticky with a hard shadow, and the mask to paste it with."""
    face = Image.new("L", (width, height), 0)
    ImageDraw.Draw(face).rounded_rectangle((0, 0, width - 1, height - 1), radius=6, fill=255)
    mask = Image.new("L", (width + SHADOW_OFFSET, height + SHADOW_OFFSET), 0)
    mask.paste(face, (SHADOW_OFFSET, SHADOW_OFFSET))
    mask.paste(255, (0, 0), face)
    tile = Image.new("L", mask.size, index(SHADOW))
    tile.paste(index(colour), (0, 0), face)
    return tile.im, mask.im


def sticky(image: Image.Image, xy: tuple[int, int], width: int, lines: tuple[str, ...],
           colour: Colour, bold: bool = False, bold_lines: int = 0) -> None:
    """Draw a sticky holding already wrapped lines; all bold, or the first `bold_lines`."""
    tile, mask = _sticky_face(width, sticky_height(len(lines)), colour)
    x, y = xy
    image.load()
    core = image.im
    core.paste(tile, (x, y, x + tile.size[0], y + tile.size[1]), mask)
    ink = index(colour) + INK_STEPS
    for i, line in enumerate(lines):
        _write(core, (x + PADDING, y + PADDING + i * LINE_HEIGHT), line, ink, FONT_SIZE,
               bold or i < bold_lines)


def sticky_height(lines: int) -> int:
    return 2 * PADDING + max(lines, 2) * LINE_HEIGHT


def canvas(width: int, height: int) -> Image.Image:
    """A blank wall to draw on, in palette indices."""
    return Image.new("L", (width, height), index(WALL))


def fill(image: Image.Image, colour: Colour, box: tuple[int, int, int, int]) -> None:
    image.paste(index(colour), box)


@lru_cache(maxsize=1)
def _flat_palette() -> list[int]:
    return [v for colour in PALETTE for v in colour]


def png(image: Image.Image) -> bytes:
    """Encode a drawing (palette indices) as a palette PNG."""
    image.putpalette(_flat_palette())
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()
