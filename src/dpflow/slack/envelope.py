"""Who acts, and where, as the envelope Slack signs says: never from a value dpflow sent."""

from __future__ import annotations

from dpflow.services.context import Actor


def team_of(body: dict) -> str:
    return ((body.get("team") or {}).get("id") or body.get("team_id")
            or body["user"].get("team_id", ""))


def clicker(body: dict) -> Actor:
    """Who clicked, in the channel of the message clicked. The Home tab and direct messages
    (ids starting with D) are in no workshop's channel: the empty channel says so."""
    channel = ((body.get("channel") or {}).get("id")
               or (body.get("container") or {}).get("channel_id") or "")
    return Actor(team_of(body), "" if channel.startswith("D") else channel,
                 body["user"]["id"])


def submitter(body: dict, channel: str) -> Actor:
    """Who sent a form (or typed in its select) for the workshop in `channel`."""
    return Actor(team_of(body), channel, body["user"]["id"])
