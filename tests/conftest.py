"""Shared fixtures: the Slack emulator, the real app over HTTP, a driver that signs requests."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from dpflow.config import Settings
from dpflow.render.export import to_document
from dpflow.server import Running, running
from dpflow.services import exports
from dpflow.slack.emulator import SlackEmulator
from dpflow.slack.emulator.driver import SlackDriver
from dpflow.store.models import utcnow
from dpflow.store.uow import opened

SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test"
CHANNEL = "C0WORKSHOP"
FACILITATOR, ALICE, BOB = "UFACIL", "UALICE", "UBOB"


class Clock:
    """The time the scheduler sees; tests move it instead of sleeping."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


async def exported(database_url: str, channel: str = CHANNEL, team_id: str = "T1") -> dict:
    """The channel's workshop, read from the database, as the `export json` document."""
    async with opened(database_url) as uows:
        return to_document(await exports.board_of_channel(uows, channel, team_id))


@dataclass
class Workspace:
    """Everything a test drives and inspects."""

    slack: SlackEmulator
    app: Running
    driver: SlackDriver
    clock: Clock
    database_url: str

    @property
    def state(self):
        return self.slack.state

    async def settle(self, **advance: float) -> int:
        """Run the follow-ups that are due (after moving the clock): posts, reactions…"""
        if advance:
            self.clock.advance(**advance)
        return await self.app.scheduler.run_due()

    async def command(self, text: str, user: str = FACILITATOR, channel: str = CHANNEL):
        response = await self.driver.command(text, user=user, channel=channel)
        assert response.status == 200, response.text
        await self.settle()
        return response

    async def exported(self, channel: str = CHANNEL) -> dict:
        return await exported(self.database_url, channel, self.state.team_id)

    def stage_thread(self, stage: str, channel: str = CHANNEL) -> str:
        message = self.state.find_message_with_metadata("dpflow_stage_opened", channel,
                                                        stage=stage)
        assert message is not None, f"no stage message for {stage}"
        return message["ts"]


def settings_for(slack: SlackEmulator, database_url: str, **overrides) -> Settings:
    return Settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SECRET,
                    slack_api_url=slack.api_url, database_url=database_url, port=0,
                    dpflow_scheduler_interval=3600, **overrides)


@pytest.fixture
def database_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'dpflow.db'}"


def seed(slack: SlackEmulator) -> None:
    """The people of the tests, each in a time zone of their own, and the channel."""
    for user, tz in ((FACILITATOR, "Europe/Rome"), (ALICE, "America/Chicago"),
                     (BOB, "Asia/Tokyo")):
        slack.state.add_user(user, tz=tz)
    slack.state.add_channel(CHANNEL, "order-fulfilment")
    slack.state.bot_token = BOT_TOKEN


@pytest.fixture
async def workspace(database_url) -> AsyncIterator[Workspace]:
    async with SlackEmulator() as slack:
        seed(slack)
        clock = Clock()
        settings = settings_for(slack, database_url)
        async with running(settings, clock=clock, background=False) as app, \
                SlackDriver(app.url, SECRET, slack) as driver:
            yield Workspace(slack, app, driver, clock, database_url)
        assert slack.state.invalid == [], slack.state.invalid


@pytest.fixture
def postgres_url() -> str:
    url = os.environ.get("DPFLOW_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL tests need DPFLOW_TEST_POSTGRES_URL "
                    "(e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)")
    return url


@pytest.fixture
async def fresh_database(postgres_url):
    """A database of its own, dropped afterwards: runs never see each other's rows."""
    name = f"dpflow_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(postgres_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
