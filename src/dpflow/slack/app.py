"""The Bolt app: listeners, the one error handler, and the HTTP server around it."""

from __future__ import annotations

import logging
import uuid

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from dpflow.config import Settings
from dpflow.domain.errors import UserError
from dpflow.slack import errors, listeners
from dpflow.slack.client import SlackClients, web_client
from dpflow.slack.deps import Deps
from dpflow.slack.storable import clean_body
from dpflow.store.db import session_factory
from dpflow.store.uow import UnitOfWorkFactory

log = logging.getLogger("dpflow")

SCOPES = ["commands", "chat:write", "channels:history", "groups:history", "channels:read",
          "groups:read", "reactions:write", "reactions:read", "files:write", "users:read",
          "canvases:write", "canvases:read", "im:write"]


def build_app(settings: Settings, engine: AsyncEngine) -> tuple[AsyncApp, Deps]:
    installations = _installation_store(settings, engine)
    deps = Deps(uows=UnitOfWorkFactory(session_factory(engine)),
                slack=SlackClients(settings.slack_api_url, _secret(settings.slack_bot_token),
                                   installations))
    app = AsyncApp(
        client=web_client(settings.slack_api_url, _secret(settings.slack_bot_token)),
        signing_secret=_secret(settings.slack_signing_secret) or "",
        oauth_settings=_oauth_settings(settings, engine, installations),
        installation_store=installations,
        # a contribution is committed before Slack gets its 200
        process_before_response=True,
    )
    app.error(_on_error)
    app.middleware(clean_body)
    listeners.register(app, deps)
    return app, deps


async def _on_error(error: Exception, body: dict, client, logger, respond) -> BoltResponse:
    """Every failure ends here: people read what went wrong on the surface they used."""
    if isinstance(error, UserError):
        message = error.text
    else:
        incident = uuid.uuid4().hex[:8]
        logger.exception("unexpected error %s", incident, exc_info=error)
        message = (f"Something went wrong on dpflow's side (error id `{incident}`). "
                   "Nothing you sent was lost if it was acknowledged with a reaction.")
    return await errors.show(message, body, client, respond)


def _secret(value) -> str | None:
    return value.get_secret_value() if value is not None else None


def _installation_store(settings: Settings, engine: AsyncEngine):
    if not settings.oauth:
        return None
    return AsyncSQLAlchemyInstallationStore(client_id=settings.slack_client_id, engine=engine)


def _oauth_settings(settings: Settings, engine: AsyncEngine, installations):
    if not settings.oauth:
        return None
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=_secret(settings.slack_client_secret),
        scopes=SCOPES, installation_store=installations,
        state_store=AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine),
    )


@web.middleware
async def _malformed_timestamp(request: web.Request, handler):
    """slack_sdk's verifier raises on a timestamp that is not a number (instead of saying
    False), which would reach our error handler as an ordinary failure: refuse it here."""
    stamp = request.headers.get("X-Slack-Request-Timestamp")
    if request.method == "POST" and stamp is not None and not stamp.isdigit():
        return web.Response(status=401, text="invalid request")
    return await handler(request)


def web_app(app: AsyncApp, engine: AsyncEngine) -> web.Application:
    """`POST /slack/events` (and the OAuth pages when configured), `GET /healthz`."""
    server = app.web_app(path="/slack/events")
    server.middlewares.append(_malformed_timestamp)

    async def healthz(_request: web.Request) -> web.Response:
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as e:
            return web.json_response({"ok": False, "database": str(e)}, status=503)
        return web.json_response({"ok": True})

    server.router.add_get("/healthz", healthz)
    return server


