"""Putting people's text into Slack mrkdwn safely."""

from __future__ import annotations

import re

_CONTROL = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_MARKUP = re.compile(r"<([^<>]*)>")  # a mention, a link, a date: anything Slack parses
_APP_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]+)&gt;")


def esc(text: str | None) -> str:
    """User text as Slack shows it literally: `<!channel>` or `<@U1>` never notify anyone."""
    return (text or "").translate(_CONTROL)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str | None) -> str:
    """User text for plain_text fields (headers, buttons, options, inputs), where Slack
    parses nothing, yet a copy of it must not read as markup: `<…>` becomes `‹…›`, nested
    ones too (`<<@U1>>` would leave `<‹@U1›>` after one pass)."""
    text = text or ""
    while (kept := _MARKUP.sub(r"‹\1›", text)) != text:
        text = kept
    return text


def said(message: str, people: tuple[str, ...] = ()) -> str:
    """A refusal as Slack shows it: literally, whatever user text it quotes, but for the
    `<@U…>` of the `people` dpflow names itself (facilitators, authors)."""
    return _APP_MENTION.sub(lambda m: f"<@{m[1]}>" if m[1] in people else m[0],
                            esc(message))


def users(ids: list[str]) -> str:
    return ", ".join(f"<@{u}>" for u in ids) or "nobody yet"
