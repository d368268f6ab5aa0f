"""Wiring: database, Bolt app, follow-ups and scheduler, the HTTP server or Socket Mode; a
clean start (one line naming what does not work) and a clean stop."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import logging
import os
import signal
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from dpflow.config import Settings, StartError
from dpflow.scheduler import Scheduler
from dpflow.slack.app import Answering, build_app, trust_checked_token, web_app
from dpflow.slack.client import web_client
from dpflow.slack.deps import Deps
from dpflow.slack.followups import follow_ups
from dpflow.store.db import Database, migrate, open_database
from dpflow.store.models import utcnow

log = logging.getLogger("dpflow")

# At a stop, requests under way and running jobs get STOP_WITHIN seconds to finish (then
# requests are cancelled, for as long again, and jobs go back to the queue); whatever still
# holds the process at EXIT_WITHIN (a database call cancellation cannot reach) is cut off.
STOP_WITHIN, EXIT_WITHIN = 3.0, 9.0
TOKEN_REFUSED = ("invalid_auth", "not_authed", "account_inactive", "token_revoked",
                 "token_expired", "not_allowed_token_type")


@dataclass
class Running:
    app: AsyncApp
    deps: Deps
    db: Database
    scheduler: Scheduler
    url: str | None  # http://host:port, in HTTP mode


@contextlib.asynccontextmanager
async def running(settings: Settings, *, http: bool = True,
                  clock: Callable[[], datetime] = utcnow,
                  background: bool = True) -> AsyncIterator[Running]:
    """The whole app, started; stopped on exit. `settings.port` 0 picks a free port.
    Without `background`, due jobs run only when the caller says (`scheduler.run_due`)."""
    db = open_database(settings.database_url)
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(db.dispose)
        await prepare_database(db, settings.database_url)
        app, deps = build_app(settings, db, clock)
        stack.push_async_callback(deps.slack.close)
        if not settings.oauth:
            trust_checked_token(app, await _check_token(settings))
        answering = Answering()
        scheduler = Scheduler(deps.uows, follow_ups(deps).run,
                              settings.dpflow_scheduler_interval, deps.clock,
                              requests_answered=answering.idle)
        if background:
            deps.wake.append(scheduler.wake)
            await stack.enter_async_context(_task(scheduler.run_forever(), "dpflow-scheduler"))
        site_runner, url = ((await _http(app, db.engine, settings, answering)) if http
                            else (None, None))
        stack.push_async_callback(_stop, site_runner, scheduler)
        yield Running(app, deps, db, scheduler, url)


async def _stop(site_runner: web.AppRunner | None, scheduler: Scheduler) -> None:
    """Stop accepting; requests under way and running jobs get `STOP_WITHIN` seconds, side
    by side; jobs not finished by then go back to the queue."""
    await asyncio.gather(scheduler.stop(STOP_WITHIN),
                         *([site_runner.cleanup()] if site_runner else []))


async def serve(settings: Settings) -> None:
    """`dpflow serve`: until SIGTERM or SIGINT; then requests and jobs under way finish
    (or jobs go back to the queue) and the process ends within seconds."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, _stopping, stop)
    try:
        async with running(settings, http=not settings.socket_mode) as app:
            _leave_started_objects_out_of_collections()
            if settings.socket_mode:
                await _socket_mode(app, settings, stop)
            else:
                log.info("dpflow: listening on %s/slack/events", app.url)
                await stop.wait()
            log.info("dpflow: stopping")
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


def _leave_started_objects_out_of_collections() -> None:
    """What a start leaves alive (modules, the app, its listeners: some 150,000 objects) stays
    alive; left in, every full collection walks it again, an 85 ms stop of every request
    under way at the time."""
    gc.collect()
    gc.freeze()


def _stopping(stop: asyncio.Event) -> None:
    if not stop.is_set():
        stop.set()
        cut_off = threading.Timer(EXIT_WITHIN, _cut_off)
        cut_off.daemon = True
        cut_off.start()


def _cut_off() -> None:
    log.error("dpflow: not stopped after %.0f s (a request stuck in the database): exiting; "
              "Slack resends what was not answered", EXIT_WITHIN)
    logging.shutdown()
    os._exit(1)


async def _socket_mode(app: Running, settings: Settings, stop: asyncio.Event) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
    handler = AsyncSocketModeHandler(app.app, settings.slack_app_token.get_secret_value())
    try:
        await handler.connect_async()
        log.info("dpflow: Socket Mode")
        await stop.wait()
    finally:
        await handler.close_async()


async def prepare_database(db: Database, url: str) -> None:
    """Migrations double as the check that the database can be reached and written."""
    try:
        await migrate(db)
    except (OSError, SQLAlchemyError) as e:
        cause = getattr(e, "orig", None) or e
        shown = make_url(url).render_as_string(hide_password=True)
        raise StartError(f"cannot open the database {shown}: {cause}") from None


async def _check_token(settings: Settings) -> AsyncSlackResponse:
    """auth.test: the bot token is one Slack accepts (single-workspace mode)."""
    client = web_client(settings.slack_api_url, settings.slack_bot_token.get_secret_value())
    try:
        return await client.auth_test()
    except SlackApiError as e:
        error = e.response.get("error") or f"HTTP {e.response.status_code}"
        if error in TOKEN_REFUSED:
            raise StartError(f"SLACK_BOT_TOKEN: Slack refuses it ({error})") from None
        raise StartError(f"cannot check SLACK_BOT_TOKEN with Slack at "
                         f"{settings.slack_api_url}: {error}") from None
    except OSError as e:
        raise StartError(f"cannot reach Slack at {settings.slack_api_url}: {e}") from None


async def _http(app: AsyncApp, engine: AsyncEngine, settings: Settings,
                answering: Answering) -> tuple[web.AppRunner, str]:
    """The HTTP server. Its `cleanup()` stops accepting, lets requests under way finish
    (`STOP_WITHIN` seconds at most) and closes the connections."""
    secret = settings.slack_signing_secret.get_secret_value()
    site_runner = web.AppRunner(web_app(app, engine, secret, answering), access_log=None,
                                shutdown_timeout=STOP_WITHIN)
    await site_runner.setup()
    try:
        await web.TCPSite(site_runner, settings.host, settings.port).start()
    except OSError as e:
        await site_runner.cleanup()
        why = "the port is in use" if e.errno == errno.EADDRINUSE else e.strerror or e
        raise StartError(f"cannot listen on {settings.host}:{settings.port}: {why}") from None
    bound = site_runner.addresses[0][1]
    shown = "127.0.0.1" if settings.host in ("0.0.0.0", "") else settings.host
    return site_runner, f"http://{shown}:{bound}"


@contextlib.asynccontextmanager
async def _task(coro, name: str) -> AsyncIterator[None]:
    task = asyncio.create_task(coro, name=name)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
