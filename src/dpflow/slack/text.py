"""Putting people's text into Slack mrkdwn safely."""

from __future__ import annotations

import re

_CONTROL = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_MENTION = re.compile(r"<[@!#][^>]*>")


def esc(text: str | None) -> str:
    """User text as Slack shows it literally: `<!channel>` or `<@U1>` never notify anyone."""
    return (text or "").translate(_CONTROL)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str | None) -> str:
    """User text for plain_text fields, with anything mention-like taken apart."""
    return _MENTION.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›"), text or "")


def users(ids: list[str]) -> str:
    return ", ".join(f"<@{u}>" for u in ids) or "nobody yet"
