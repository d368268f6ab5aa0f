"""Multi-workspace installs: the install page, and a workspace answered with its own token."""

from __future__ import annotations

import aiohttp
from slack_sdk.oauth.installation_store import Installation

from dpflow.config import Settings
from dpflow.server import running
from dpflow.slack.emulator import SlackEmulator
from dpflow.slack.emulator.driver import SlackDriver
from tests.conftest import CHANNEL, FACILITATOR, SECRET


async def test_installed_workspaces_are_served_with_their_own_token(database_url):
    async with SlackEmulator() as slack:
        slack.state.add_user(FACILITATOR)
        settings = Settings(slack_client_id="111.222", slack_client_secret="oauth-secret",
                            slack_signing_secret=SECRET, slack_api_url=slack.api_url,
                            database_url=database_url, port=0)
        async with running(settings, background=False) as app:
            async with aiohttp.ClientSession() as http:
                page = await http.get(f"{app.url}/slack/install", allow_redirects=False)
                assert page.status in (200, 302)
                assert "client_id=111.222" in (await page.text() + page.headers.get(
                    "Location", ""))
            await app.app.installation_store.async_save(Installation(
                app_id="AAPP", team_id="T1", user_id=FACILITATOR, bot_token="xoxb-team-one",
                bot_id="BBOT", bot_user_id="UBOT", bot_scopes=["chat:write", "commands"]))
            async with SlackDriver(app.url, SECRET, slack) as driver:
                answer = await driver.command("start Order fulfilment", user=FACILITATOR,
                                              channel=CHANNEL)
                assert "Started" in answer.text
                await app.scheduler.run_due()
                stage = slack.state.find_message_with_metadata("dpflow_stage_opened", CHANNEL)
                assert stage
                for text in ("Order placed", "Payment authorised"):
                    await driver.reply(CHANNEL, stage["ts"], text, user=FACILITATOR)
            # the installation's token is checked once, not before every request
            assert len(slack.state.calls_to("auth.test")) == 1
