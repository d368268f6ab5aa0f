"""User text as people read it: safe inside Markdown structure (Slack canvases' subset),
and with Slack's markup (mentions, broadcasts, links) in words."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import fields, replace

from dpflow.domain.model import Board, Finding

_LINE_START = re.compile(r"^(\s*)([#>+*-]|\d+[.)])")
# links `[…](…)`, mentions `![](@U…)`, autolinks `<…>`; a backtick, which would pair with
# the next code span and set free what it holds; the backslash that would undo these
_LINKING = str.maketrans({c: "\\" + c for c in "\\[]<>`"})


def inline(text: object) -> str:
    """One line of user text that cannot open a heading, quote or list where it lands, nor
    make a link or a mention, with Slack's markup as people read it."""
    flat = " ".join(plain(str(text)).translate(_LINKING).split())
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), flat)


def message(text: object) -> str:
    """A message dpflow wrote around people's text: its `code spans` stay code (what to
    type), the rest is inline. Code spans show their text as it is, links and mentions
    included, so a backtick in a name that shifts the pairing cannot set anything free."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # a backtick without its pair: nothing to keep as code
        return inline(text)
    return "".join(f"`{code(part)}`" if i % 2 else _spaced(part)
                   for i, part in enumerate(parts))


def _spaced(text: str) -> str:
    """`inline`, keeping one space at either end where `text` had some."""
    kept = inline(text)
    if not kept:
        return " " if text[:1].isspace() else ""
    return (" " if text[:1].isspace() else "") + kept + (" " if text[-1:].isspace() else "")


def cell(text: object) -> str:
    """User text for a table cell: inline, and pipes cannot end the cell."""
    return inline(text).replace("|", "\\|")


def code(text: object) -> str:
    """Text inside a `code span`: backticks would close it."""
    return " ".join(plain(str(text)).replace("`", "'").split())


def slug(text: str) -> str:
    """GitHub-style heading anchor."""
    kept = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return kept.replace(" ", "-")


def file_stem(text: str) -> str:
    """A name for a file: lower case ASCII words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "untitled"


# Slack's markup in user text: mentions, broadcasts, channels, dates and links.
_MARKUP = re.compile(r"<(?P<body>@[UW][A-Z0-9]+|#C[A-Z0-9]+|![a-z][^|>]*|"
                     r"(?:https?|mailto|tel|ftp|slack):[^|>\s]*)(?:\|(?P<label>[^>]*))?>",
                     re.IGNORECASE)
_USER = re.compile(r"<@([UW][A-Z0-9]+)[|>]")
_BROADCASTS = ("here", "channel", "everyone")


def plain(text: str, names: Mapping[str, str] | None = None) -> str:
    """Slack markup as people read it: `<@U1>` → `@Maya` (from `names`), `<!here>` →
    `@here`, `<https://x|label>` → `label`, `<#C1|general>` → `#general`."""
    return _MARKUP.sub(lambda m: _read(m["body"], m["label"], names or {}), text)


def _read(body: str, label: str | None, names: Mapping[str, str]) -> str:
    if body[0] == "@":
        return "@" + names.get(body[1:], (label or body[1:]).lstrip("@"))
    if body[0] == "#":
        return "#" + (label or body[1:])
    if body[0] == "!":
        word = body[1:].split("^")[0].lower()
        return f"@{word}" if word in _BROADCASTS else (label or f"@{word}")
    return label or body.removeprefix("mailto:")


def mentioned(board: Board) -> list[str]:
    """The users mentioned anywhere in the board's text, and those who decided findings,
    first seen first."""
    found = (user for value in _texts(board) for user in _USER.findall(value))
    deciders = (f.decided_by for f in board.findings if f.decided_by)
    return list(dict.fromkeys([*found, *deciders]))


def readable(board: Board, names: Mapping[str, str] | None = None) -> Board:
    """The board with every text as people read it, and findings decided by name: what
    pictures and canvases show."""
    def read(card):
        read_card = replace(card, **{f.name: _plain_value(getattr(card, f.name), names)
                                     for f in fields(card)})
        if isinstance(card, Finding) and card.decided_by:
            read_card.decided_by = (names or {}).get(card.decided_by, card.decided_by)
        return read_card
    return Board(read(board.workshop), *([read(card) for card in cards]
                                         for cards in _cards(board)))


def decision(finding: Finding, names: Mapping[str, str] | None = None) -> str:
    """A finding's status as people read it: `resolved by Maya · 2026-12-01 14:03 UTC`."""
    said = str(finding.status)
    if finding.decided_by:
        said += f" by {(names or {}).get(finding.decided_by, finding.decided_by)}"
    if finding.decided_at:
        said += f" · {finding.decided_at:%Y-%m-%d %H:%M} UTC"
    return said


def _cards(board: Board) -> tuple[list, ...]:
    return (board.events, board.decisions, board.opportunities, board.data_products,
            board.ports, board.findings)


def _texts(board: Board):
    for card in (board.workshop, *(c for cards in _cards(board) for c in cards)):
        for f in fields(card):
            value = getattr(card, f.name)
            yield from (v for v in (value if isinstance(value, list) else [value])
                        if isinstance(v, str))


def _plain_value(value, names: Mapping[str, str] | None):
    if type(value) is str:  # not the str enums: kinds and statuses stay what they are
        return plain(value, names)
    if isinstance(value, list):
        return [_plain_value(v, names) for v in value]
    return value
