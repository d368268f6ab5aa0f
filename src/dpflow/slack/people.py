"""What Slack knows about a person that dpflow needs: their time zone."""

from __future__ import annotations


async def time_zone(client, user_id: str) -> str:
    """The person's Slack `tz` (e.g. Europe/Rome); UTC when Slack does not say."""
    return (await client.users_info(user=user_id))["user"].get("tz") or "UTC"
