"""Checks a strict Slack makes on what the app sends: Block Kit limits and mentions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from slack_sdk.models.blocks import Block

Json = dict[str, Any]

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELD = 2000
MAX_SECTION_FIELDS = 10
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_ID = 255
MAX_PRIVATE_METADATA = 3000
MAX_VIEW_TITLE = 24

MENTION = re.compile(r"<!(?:channel|here|everyone)(?:\|[^>]*)?>|<@[UW][A-Z0-9]+(?:\|[^>]*)?>"
                     r"|<!subteam\^[A-Z0-9]+(?:\|[^>]*)?>")


def message_errors(text: Any, blocks: Any) -> list[str]:
    errors = []
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        errors.append(f"text is {len(text)} chars, more than {MAX_MESSAGE_TEXT}")
    if blocks is not None:
        errors += blocks_errors(blocks, MAX_MESSAGE_BLOCKS)
    return errors


def view_errors(view: Any) -> list[str]:
    if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
        return ["view must be an object with type modal or home"]
    errors = blocks_errors(view.get("blocks") or [], MAX_VIEW_BLOCKS)
    if len(view.get("private_metadata") or "") > MAX_PRIVATE_METADATA:
        errors.append(f"private_metadata longer than {MAX_PRIVATE_METADATA}")
    if view["type"] == "modal":
        errors += _modal_errors(view)
    return errors


def blocks_errors(blocks: Any, limit: int) -> list[str]:
    if not isinstance(blocks, list):
        return ["blocks must be an array"]
    errors = [f"{len(blocks)} blocks, more than {limit}"] if len(blocks) > limit else []
    for index, block in enumerate(blocks):
        errors += [f"block {index}: {e}" for e in block_errors(block)]
    return errors


def block_errors(block: Any) -> list[str]:
    if not isinstance(block, dict):
        return ["not an object"]
    try:
        parsed = Block.parse(block)
        if parsed is None:
            return [f"unknown block type {block.get('type')!r}"]
        parsed.validate_json()
    except Exception as error:  # slack_sdk raises several kinds on malformed blocks
        return [f"{block.get('type')}: {error}"]
    return (_section_errors(block) + _header_errors(block) + _nested_errors(block)
            + _element_errors(block))


def find_mentions(text: Any, blocks: Any) -> list[str]:
    """Every channel-wide, user or user-group mention in the text and in the blocks."""
    found = MENTION.findall(text) if isinstance(text, str) else []
    for node in _walk(blocks):
        if isinstance(node.get("text"), str):
            found += MENTION.findall(node["text"])
        if node.get("type") == "user" and node.get("user_id"):
            found.append(f"<@{node['user_id']}>")
        if node.get("type") == "broadcast" and node.get("range"):
            found.append(f"<!{node['range']}>")
    return found


def _modal_errors(view: Json) -> list[str]:
    errors = []
    for key in ("title", "submit", "close"):
        text = (view.get(key) or {}).get("text") or ""
        if len(text) > MAX_VIEW_TITLE:
            errors.append(f"modal {key} longer than {MAX_VIEW_TITLE}: {text!r}")
    if not view.get("title"):
        errors.append("modal needs a title")
    return errors


def _section_errors(block: Json) -> list[str]:
    if block.get("type") != "section":
        return []
    errors = []
    if len(_text_of(block.get("text"))) > MAX_SECTION_TEXT:
        errors.append(f"section text longer than {MAX_SECTION_TEXT}")
    fields = block.get("fields") or []
    if len(fields) > MAX_SECTION_FIELDS:
        errors.append(f"section has more than {MAX_SECTION_FIELDS} fields")
    if any(len(_text_of(f)) > MAX_SECTION_FIELD for f in fields):
        errors.append(f"section field longer than {MAX_SECTION_FIELD}")
    return errors


def _header_errors(block: Json) -> list[str]:
    if block.get("type") == "header" and len(_text_of(block.get("text"))) > MAX_HEADER_TEXT:
        return [f"header text longer than {MAX_HEADER_TEXT}"]
    return []


def _nested_errors(block: Json) -> list[str]:
    errors = []
    for node in _walk(block):
        for key in ("action_id", "block_id"):
            if len(str(node.get(key) or "")) > MAX_ID:
                errors.append(f"{key} longer than {MAX_ID}")
        if node.get("type") == "button" and len(_text_of(node.get("text"))) > MAX_BUTTON_TEXT:
            errors.append(f"button text longer than {MAX_BUTTON_TEXT}")
    return errors


_SELECTS = {f"{multi}{kind}_select" for multi in ("", "multi_")
            for kind in ("static", "external", "users", "conversations", "channels")}
_PICKERS = {"checkboxes", "radio_buttons", "datepicker", "timepicker", "datetimepicker"}
ELEMENTS = {
    "input": _SELECTS | _PICKERS | {"plain_text_input", "email_text_input", "url_text_input",
                                    "number_input", "rich_text_input", "file_input"},
    "actions": _SELECTS | _PICKERS | {"button", "overflow", "workflow_button",
                                      "rich_text_input"},
    "section": _SELECTS | _PICKERS | {"button", "overflow", "image", "workflow_button"},
}


def _element_errors(block: Json) -> list[str]:
    """slack_sdk's models let an unknown element type through; Slack refuses it."""
    allowed = ELEMENTS.get(block.get("type"), set())
    elements = {"input": [block.get("element")], "actions": block.get("elements") or [],
                "section": [block.get("accessory")] if block.get("accessory") else []}
    return [f"{block['type']}: unknown element type {e.get('type')!r}"
            for e in elements.get(block.get("type"), []) if isinstance(e, dict)
            and e.get("type") not in allowed] if allowed else []


def _text_of(obj: Any) -> str:
    return (obj.get("text") or "") if isinstance(obj, dict) else ""


def _walk(node: Any) -> Iterator[Json]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)
