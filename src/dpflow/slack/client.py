"""The one wrapper of the Slack Web API: tokens per workspace, retries on 429."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient


def web_client(api_url: str, token: str | None = None) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=api_url, retry_handlers=[
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
    ])


class SlackClients:
    """A Web API client for a workspace: the bot token, or the stored installation's."""

    def __init__(self, api_url: str, bot_token: str | None = None,
                 installations: AsyncInstallationStore | None = None):
        self.api_url = api_url
        self._bot_token = bot_token
        self._installations = installations
        self._clients: dict[str, AsyncWebClient] = {}
        self._names: dict[tuple[str, str], str] = {}

    async def for_team(self, team_id: str) -> AsyncWebClient:
        token = self._bot_token or await self._installed_token(team_id)
        if token not in self._clients:
            self._clients[token] = web_client(self.api_url, token)
        return self._clients[token]

    async def names(self, team_id: str, user_ids: list[str]) -> dict[str, str]:
        """Display names, to credit people in summaries without notifying them."""
        client = await self.for_team(team_id)
        for user in user_ids:
            if (team_id, user) not in self._names:
                profile = (await client.users_info(user=user))["user"]
                self._names[(team_id, user)] = (profile.get("profile", {}).get("display_name")
                                                or profile.get("real_name")
                                                or profile.get("name") or user)
        return {u: self._names[(team_id, u)] for u in user_ids}

    async def _installed_token(self, team_id: str) -> str:
        bot = await self._installations.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:
            raise LookupError(f"dpflow is not installed in workspace {team_id}")
        return bot.bot_token
