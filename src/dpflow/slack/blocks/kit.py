"""Small Block Kit pieces that keep Slack's limits whatever the board's size."""

from __future__ import annotations

from dpflow.slack.text import clip, plain

SECTION_LIMIT = 3000
MESSAGE_BLOCKS = 50
MODAL_BLOCKS = 100


def header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(plain(text), 150)}}


def section(text: str, accessory: dict | None = None) -> dict:
    block = {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}}
    if accessory:
        block["accessory"] = accessory
    return block


def context(*texts: str) -> dict:
    return {"type": "context",
            "elements": [{"type": "mrkdwn", "text": clip(t, 2000)} for t in texts[:10]]}


def divider() -> dict:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str = "", style: str | None = None,
           url: str | None = None) -> dict:
    b = {"type": "button", "text": {"type": "plain_text", "text": clip(plain(text), 75)},
         "action_id": action_id}
    if value:
        b["value"] = value[:2000]
    if style:
        b["style"] = style
    if url:
        b["url"] = url
    return b


def actions(*elements: dict, block_id: str | None = None) -> dict:
    block = {"type": "actions", "elements": list(elements)[:25]}
    if block_id:
        block["block_id"] = block_id[:255]
    return block


def sections(lines: list[str], limit: int = SECTION_LIMIT) -> list[dict]:
    """As many sections as it takes to hold these lines, none over Slack's limit."""
    blocks, chunk = [], ""
    for line in lines:
        line = clip(line, limit)
        if chunk and len(chunk) + 1 + len(line) > limit:
            blocks.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk:
        blocks.append(section(chunk))
    return blocks


def fit(blocks: list[dict], limit: int = MESSAGE_BLOCKS, more: str = "") -> list[dict]:
    """Cut to Slack's block limit, saying what was left out."""
    if len(blocks) <= limit:
        return blocks
    return [*blocks[: limit - 1], context(more or f"…and {len(blocks) - limit + 1} more")]


def reply(text: str, blocks: list[dict] | None = None) -> dict:
    """An ephemeral answer to a slash command or an action (response_url)."""
    answer = {"response_type": "ephemeral", "text": clip(text, 3000)}
    if blocks:
        answer["blocks"] = fit(blocks)
    return answer
