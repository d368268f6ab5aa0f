"""Stickies on a wall: fonts, wrapped labels and PNG encoding, fast enough for big boards.

Text is composed from cached glyph masks (FreeType renders each character once per size),
and pictures are drawn in RGB then mapped to one fixed palette, which makes PNGs small and
quick to encode.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

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
ELLIPSIS = "…"
FONTS = {False: "DejaVuSansCondensed.ttf", True: "DejaVuSansCondensed-Bold.ttf"}


@dataclass(frozen=True)
class Glyphs:
    """One font: each character's advance and anti-aliased mask, made once."""

    size: int
    bold: bool = False

    def width(self, text: str) -> int:
        return round(sum(_word(self.size, self.bold, w)[0] for w in text.split(" "))
                     + text.count(" ") * _glyph(self.size, self.bold, " ")[0])


@lru_cache(maxsize=8)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    with (files("dpflow.render") / "fonts" / FONTS[bold]).open("rb") as ttf:
        return ImageFont.truetype(ttf, size)


@lru_cache(maxsize=8192)
def _glyph(size: int, bold: bool, char: str) -> tuple[float, Image.Image]:
    font = _font(size, bold)
    advance = font.getlength(char)
    mask = Image.new("L", (int(advance) + size // 2 + 2, round(size * 1.3)), 0)
    ImageDraw.Draw(mask).text((0, 0), char, font=font, fill=255)
    return advance, mask


@lru_cache(maxsize=65536)
def _word(size: int, bold: bool, word: str) -> tuple[float, object]:
    """A word's advance and its mask (a core image, ready to paste), composed from glyphs."""
    glyphs = [_glyph(size, bold, c) for c in word]
    advance = sum(a for a, _ in glyphs)
    mask = Image.new("L", (int(advance) + size // 2 + 2, round(size * 1.3)), 0)
    cursor = 0.0
    for glyph_advance, glyph in glyphs:
        left = round(cursor)
        mask.paste(255, (left, 0, left + glyph.width, glyph.height), glyph)
        cursor += glyph_advance
    return advance, mask.im


def write(image: Image.Image, xy: tuple[int, int], line: str, size: int = FONT_SIZE,
          bold: bool = False, ink: tuple[int, int, int] = INK) -> None:
    """Draw one line of text at xy (top left) from cached word masks."""
    x, y = xy
    image.load()
    space = _glyph(size, bold, " ")[0]
    cursor = float(x)
    for word in line.split(" "):
        advance, mask = _word(size, bold, word)
        left = round(cursor)
        width, height = mask.size
        image.im.paste(ink, (left, y, left + width, y + height), mask)
        cursor += advance + space


def wrap(text: str, width: int, max_lines: int, size: int = FONT_SIZE,
         bold: bool = False) -> list[str]:
    """Words into lines no wider than width; an ellipsis ends text that does not fit."""
    glyphs = Glyphs(size, bold)
    space = _glyph(size, bold, " ")[0]
    lines: list[str] = []
    line, used = "", 0.0
    for word in text.split():
        for piece in _pieces(word, width, glyphs):
            advance = _word(size, bold, piece)[0]
            if not line or used + space + advance <= width:
                line, used = (f"{line} {piece}", used + space + advance) if line else (
                    piece, advance)
                continue
            lines.append(line)
            line, used = piece, advance
    lines.append(line)
    if len(lines) <= max_lines:
        return lines
    return [*lines[: max_lines - 1], _shortened(lines[max_lines - 1], width, glyphs)]


def _pieces(word: str, width: int, glyphs: Glyphs) -> list[str]:
    """A word longer than a line, cut where it must be."""
    if glyphs.width(word) <= width:
        return [word]
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


@lru_cache(maxsize=256)
def _sticky_face(width: int, height: int, colour: tuple[int, int, int]) -> Image.Image:
    """A rounded sticky with a hard shadow, as an RGBA tile to paste."""
    tile = Image.new("RGBA", (width + 3, height + 3), (0, 0, 0, 0))
    draw = ImageDraw.Draw(tile)
    draw.rounded_rectangle((3, 3, width + 2, height + 2), radius=6, fill=(*SHADOW, 255))
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=6, fill=(*colour, 255))
    return tile


def sticky(image: Image.Image, xy: tuple[int, int], width: int, lines: list[str],
           colour: tuple[int, int, int], bold: bool = False, padding: int = 7) -> None:
    """Draw a sticky holding already wrapped lines."""
    face = _sticky_face(width, sticky_height(len(lines), padding), colour)
    image.paste(face, xy, face)
    x, y = xy
    for i, line in enumerate(lines):
        write(image, (x + padding, y + padding + i * LINE_HEIGHT), line, bold=bold)


def sticky_height(lines: int, padding: int = 7) -> int:
    return 2 * padding + max(lines, 2) * LINE_HEIGHT


def title(image: Image.Image, xy: tuple[int, int], text: str) -> None:
    write(image, xy, text, TITLE_SIZE, bold=True)


@lru_cache(maxsize=1)
def _palette() -> Image.Image:
    """Every colour drawn, with the anti-aliasing steps of ink and lines over each of them."""
    grounds = [WALL, WHITE, SHADOW, *COLOURS.values()]
    colours = list(grounds)
    for ground in grounds:
        for ink in (INK, LINE):
            for step in range(1, 8):
                a = step / 8
                colours.append(tuple(round(i * a + g * (1 - a)) for i, g in zip(ink, ground,
                                                                                 strict=True)))
    colours = list(dict.fromkeys(colours))[:256]
    flat = [v for c in colours for v in c]
    palette = Image.new("P", (1, 1))
    palette.putpalette(flat + flat[-3:] * (256 - len(colours)))
    return palette


def png(image: Image.Image) -> bytes:
    """Encode a drawing as a small palette PNG."""
    buffer = io.BytesIO()
    image.quantize(palette=_palette(), dither=Image.Dither.NONE).save(
        buffer, "PNG", compress_level=1)
    return buffer.getvalue()
