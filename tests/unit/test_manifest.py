"""manifest.yml is a valid Slack app manifest and declares what dpflow needs.

Validation uses Slack's published JSON schema, saved in tests/schemas/ (see
SLACK-MANIFEST-SCHEMA.md for its source); everything here runs offline.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from jsonschema.validators import validator_for

ROOT = Path(__file__).resolve().parents[2]
MANIFEST_PATH = ROOT / "manifest.yml"
SCHEMA_PATH = ROOT / "tests" / "schemas" / "slack-manifest-schema.json"

REQUIRED_BOT_SCOPES = {
    "commands",
    "chat:write",
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
    "reactions:write",
    "reactions:read",
    "files:write",
    "files:read",
    "users:read",
    "canvases:write",
    "canvases:read",
    "im:write",
}
REQUIRED_BOT_EVENTS = {"message.channels", "message.groups", "app_home_opened"}
# Scopes each subscribed bot event needs (an event without its scope is never delivered).
EVENT_SCOPES = {
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
    "message.mpim": "mpim:history",
    "app_mention": "app_mentions:read",
    "reaction_added": "reactions:read",
    "reaction_removed": "reactions:read",
}
SPEC_SUBCOMMANDS = (
    "help",
    "start",
    "status",
    "next",
    "stage",
    "due",
    "add",
    "list",
    "edit",
    "delete",
    "move",
    "facilitator add",
    "canvas",
    "export",
    "import",
    "summary",
    "close",
)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "manifest.yml must be a YAML mapping"
    return data


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for item in node for r in _refs(item)]
    return []


def test_schema_is_draft7_and_self_contained(schema: dict[str, Any]) -> None:
    cls = validator_for(schema, default=None)
    assert cls is Draft7Validator, f"unexpected $schema {schema.get('$schema')!r}"
    cls.check_schema(schema)
    # Only local references: validation can never try to fetch anything.
    assert all(ref.startswith("#/") for ref in _refs(schema))


def test_manifest_validates_against_slack_schema(
    schema: dict[str, Any], manifest: dict[str, Any]
) -> None:
    cls = validator_for(schema)
    errors = sorted(cls(schema).iter_errors(manifest), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors
    )


def test_background_color_is_hex(manifest: dict[str, Any]) -> None:
    # The schema states this rule with the non-standard keyword "regex", which validators
    # ignore, so it is checked here.
    color = manifest["display_information"]["background_color"]
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", color), color


def test_dpflow_slash_command(manifest: dict[str, Any]) -> None:
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert "/dpflow" in commands
    dpflow = commands["/dpflow"]
    assert dpflow["should_escape"] is True, "mentions must arrive as <@U…> ids"
    assert dpflow["url"].endswith("/slack/events")
    for sub in SPEC_SUBCOMMANDS:
        assert sub in dpflow["usage_hint"], f"usage_hint does not mention {sub!r}"


def test_add_to_workshop_message_shortcut(manifest: dict[str, Any]) -> None:
    shortcuts = manifest["features"]["shortcuts"]
    matching = [s for s in shortcuts if s["callback_id"] == "add_to_workshop"]
    assert len(matching) == 1
    assert matching[0]["type"] == "message"


def test_bot_scopes(manifest: dict[str, Any]) -> None:
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes)), "duplicate bot scope"
    missing = REQUIRED_BOT_SCOPES - set(scopes)
    assert not missing, f"missing bot scopes: {sorted(missing)}"


def test_bot_events(manifest: dict[str, Any]) -> None:
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    missing = REQUIRED_BOT_EVENTS - events
    assert not missing, f"missing bot events: {sorted(missing)}"


def test_every_event_has_its_scope(manifest: dict[str, Any]) -> None:
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    for event in manifest["settings"]["event_subscriptions"]["bot_events"]:
        needed = EVENT_SCOPES.get(event)
        assert needed is None or needed in scopes, f"{event} needs the {needed} scope"


def test_settings_and_urls(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False
    assert settings["interactivity"]["is_enabled"] is True
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] is True
    assert manifest["oauth_config"]["redirect_urls"] == ["https://example.com/slack/oauth_redirect"]
    # Every request URL is the one placeholder the header comment tells people to replace.
    urls = [
        manifest["features"]["slash_commands"][0]["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        settings["interactivity"].get("message_menu_options_url", ""),
    ]
    assert all(u in ("", "https://example.com/slack/events") for u in urls), urls
