"""Wiring: database, Bolt app, scheduler, and the HTTP server or Socket Mode."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from sqlalchemy.ext.asyncio import AsyncEngine

from dpflow.config import Settings
from dpflow.scheduler import Scheduler
from dpflow.slack.app import build_app, web_app
from dpflow.slack.deps import Deps
from dpflow.slack.followups import runner
from dpflow.store.db import make_engine, migrate
from dpflow.store.models import utcnow

log = logging.getLogger("dpflow")


@dataclass
class Running:
    app: AsyncApp
    deps: Deps
    engine: AsyncEngine
    scheduler: Scheduler
    url: str | None  # http://host:port, in HTTP mode


@contextlib.asynccontextmanager
async def running(settings: Settings, *, http: bool = True, host: str = "0.0.0.0",
                  clock: Callable[[], datetime] = utcnow,
                  background: bool = True) -> AsyncIterator[Running]:
    """The whole app, started; stopped on exit. `settings.port` 0 picks a free port.
    Without `background`, due jobs run only when the caller says (`scheduler.run_due`)."""
    engine = make_engine(settings.database_url)
    await migrate(engine)
    app, deps = build_app(settings, engine)
    deps.clock = clock
    scheduler = Scheduler(deps.uows, runner(deps), settings.dpflow_scheduler_interval, clock)
    loop_task = None
    if background:
        deps.wake.append(scheduler.wake)
        loop_task = asyncio.create_task(scheduler.run_forever(), name="dpflow-scheduler")
    site_runner, url = (await _http(app, engine, host, settings.port)) if http else (None, None)
    try:
        yield Running(app, deps, engine, scheduler, url)
    finally:
        if loop_task is not None:
            loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop_task
        if site_runner is not None:
            await site_runner.cleanup()
        await engine.dispose()


async def _http(app: AsyncApp, engine: AsyncEngine, host: str,
                port: int) -> tuple[web.AppRunner, str]:
    site_runner = web.AppRunner(web_app(app, engine), access_log=None)
    await site_runner.setup()
    site = web.TCPSite(site_runner, host, port)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return site_runner, f"http://{shown}:{bound}"


async def serve(settings: Settings) -> None:
    """`dpflow serve`: until interrupted."""
    async with running(settings, http=not settings.socket_mode) as app:
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
            log.info("dpflow: Socket Mode")
            handler = AsyncSocketModeHandler(app.app,
                                             settings.slack_app_token.get_secret_value())
            try:
                await handler.start_async()
            finally:
                await handler.close_async()
        else:
            log.info("dpflow: listening on %s/slack/events", app.url)
            await asyncio.Event().wait()
