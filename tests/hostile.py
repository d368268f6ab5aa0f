"""Text a person might type to make dpflow ping a channel or show a disguised link, and how
a test finds such markup in what dpflow sent."""

from __future__ import annotations

import re

from hypothesis import strategies as st

MARKUP = ["<!channel>", "<!here>", "<!everyone>", "<!here|here>", "<@UHOSTILE>",
          "<@WHOSTILE|bob>", "<#CHOSTILE>", "<#CHOSTILE|general>", "<!subteam^SHOSTILE>",
          "<http://evil.example|click>", "<https://evil.example>",
          "<mailto:x@evil.example|mail>", "<!date^1^{date}^http://evil.example|now>",
          "[click](http://evil.example)", "![](@UHOSTILE)", "![](#CHOSTILE)",
          "&lt;!channel&gt;", "\\", "<", ">", "|", "*", "`", "\n", "#", "- "]
HOSTILE = (st.lists(st.one_of(st.sampled_from(MARKUP), st.text(max_size=6)), min_size=1,
                    max_size=4).map("".join).filter(lambda s: s.strip()))


_TOKEN = re.compile(r"<([^<>]*)>")
_FROM_PEOPLE = re.compile(r"HOSTILE|evil\.example")


def strings(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in strings(v)]
    if isinstance(node, list | tuple):
        return [s for v in node for s in strings(v)]
    return []


def markup_from_people(text: str) -> list[str]:
    """Mentions, broadcasts and links in this text that people, not dpflow, wrote."""
    return [t for t in _TOKEN.findall(text) if _FROM_PEOPLE.search(t)
            or re.match(r"!(channel|here|everyone)", t)]


def markdown_from_people(text: str) -> list[str]:
    """The same in a canvas's Markdown: `[…](…)` links, `![](@U…)` mentions, `<…>` links
    that no backslash keeps literal."""
    live = r"(?<!\\)(?:\\\\)*"  # preceded by no backslash, or by escaped ones
    text = re.sub(r"(?<!\\)`[^`\n]*`", "", text)  # code spans show their text as it is
    return (re.findall(live + r"\[[^\]]*" + live + r"\]\([^)]*\)", text)
            + re.findall(live + r"<[^>\n]*(?:HOSTILE|evil\.example)", text))


