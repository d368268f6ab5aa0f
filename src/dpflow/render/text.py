"""Making user text safe inside Markdown structure (Slack canvases' subset)."""

from __future__ import annotations

import re

_LINE_START = re.compile(r"^(\s*)([#>+*-]|\d+[.)])")


def inline(text: object) -> str:
    """One line of user text that cannot open a heading, quote or list where it lands."""
    flat = " ".join(str(text).split())
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), flat)


def cell(text: object) -> str:
    """User text for a table cell: inline, and pipes cannot end the cell."""
    return inline(text).replace("|", "\\|")


def code(text: object) -> str:
    """Text inside a `code span`: backticks would close it."""
    return " ".join(str(text).replace("`", "'").split())


def slug(text: str) -> str:
    """GitHub-style heading anchor."""
    kept = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return kept.replace(" ", "-")


def file_stem(text: str) -> str:
    """A name for a file: lower case ASCII words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "untitled"
