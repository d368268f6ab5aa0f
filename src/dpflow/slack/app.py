"""The Bolt app: listeners, the one error handler, and the HTTP server around it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from datetime import datetime

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.middleware.authorization.async_single_team_authorization import (
    AsyncSingleTeamAuthorization,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from dpflow.config import Settings
from dpflow.domain.errors import UserError
from dpflow.logs import new_incident, note, request_line, structured
from dpflow.slack import errors, listeners
from dpflow.slack.client import SlackClients, retry_handlers
from dpflow.slack.deps import Deps
from dpflow.slack.storable import storable
from dpflow.store.db import Database
from dpflow.store.models import utcnow
from dpflow.store.uow import UnitOfWorkFactory

log = logging.getLogger("dpflow")

SCOPES = ["commands", "chat:write", "channels:history", "groups:history", "channels:read",
          "groups:read", "reactions:write", "reactions:read", "files:write", "files:read",
          "users:read", "canvases:write", "canvases:read", "im:write"]
MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller; a bigger body is refused unread


class DpflowApp(AsyncApp):
    """Bolt's app, with one log line per request (HTTP and Socket Mode alike), and every
    listener sees storable text, on every surface."""

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        ctx = req.context
        with request_line(log, kind=_kind(req.body), team=ctx.team_id,
                          channel=ctx.channel_id,
                          retry=req.headers.get("x-slack-retry-num", [None])[0]) as line:
            storable(req.body)
            response = await super().async_dispatch(req)
            line["outcome"] = response.status
            return response


def build_app(settings: Settings, db: Database,
              clock: Callable[[], datetime] = utcnow) -> tuple[AsyncApp, Deps]:
    engine = db.engine
    installations = _installation_store(settings, engine)
    deps = Deps(uows=UnitOfWorkFactory(db, clock),
                slack=SlackClients(settings.slack_api_url, _secret(settings.slack_bot_token),
                                   installations), clock=clock)
    # No `client=`: Bolt reads SLACK_BOT_TOKEN itself and, given a client as well, warns
    # that the token is unused. Its own client is pointed at our API URL instead.
    app = DpflowApp(
        token=None if settings.oauth else _secret(settings.slack_bot_token),
        signing_secret=_secret(settings.slack_signing_secret) or "",
        oauth_settings=_oauth_settings(settings, engine, installations),
        installation_store=installations,
        authorize=_cached_authorize(settings, installations),
        # a contribution is committed before Slack gets its 200
        process_before_response=True,
        # `web_app` checks every request's signature before Bolt sees it (Socket Mode has
        # none to check); dpflow has no assistant threads or workflow functions
        request_verification_enabled=False,
        attaching_conversation_kwargs_enabled=False,
        attaching_function_token_enabled=False,
    )
    app.client.base_url = settings.slack_api_url
    app.client.retry_handlers = retry_handlers()
    app.error(_on_error)
    listeners.register(app, deps)
    return app, deps


def trust_checked_token(app: AsyncApp, auth: AsyncSlackResponse) -> None:
    """Bolt checks the token on its first request and, when that auth.test fails, answers
    200 ("please reinstall"), so Slack would not resend what it carried. The token was
    checked at start: give Bolt that answer."""
    for middleware in app._async_middleware_list:
        if isinstance(middleware, AsyncSingleTeamAuthorization):
            middleware.auth_test_result = auth


async def _on_error(error: Exception, body: dict, request: AsyncBoltRequest, client,
                    respond) -> BoltResponse:
    """Every failure ends here: people read what went wrong on the surface they used."""
    if isinstance(error, UserError):
        return await errors.show(error.text, body, client, respond, error.people)
    incident = new_incident()
    note(incident=incident)
    structured(log, "unexpected error", logging.ERROR, exc_info=error, incident=incident)
    retry = request.headers.get("x-slack-retry-num", ["0"])[0]
    return await errors.failed(incident, body, int(retry) if retry.isdigit() else 0, client,
                               respond)


def _kind(body: dict) -> str:
    """What a request is, in a few words that carry nothing a person typed."""
    if "command" in body:
        word = (body.get("text") or "").split(maxsplit=1)[:1]
        return f"command {word[0][:12]}" if word and word[0].isalpha() else "command"
    kind = body.get("type") or "unknown"
    if kind == "event_callback":
        return f"event {body.get('event', {}).get('type')}"
    if kind in ("block_actions", "block_suggestion"):
        action = (body.get("actions") or [body])[0]
        return f"{kind} {action.get('action_id')}"
    if kind in ("view_submission", "view_closed"):
        return f"{kind} {body.get('view', {}).get('callback_id')}"
    if kind in ("shortcut", "message_action"):
        return f"{kind} {body.get('callback_id')}"
    return str(kind)


def _secret(value) -> str | None:
    return value.get_secret_value() if value is not None else None


def _installation_store(settings: Settings, engine: AsyncEngine):
    if not settings.oauth:
        return None
    return AsyncSQLAlchemyInstallationStore(client_id=settings.slack_client_id, engine=engine)


def _cached_authorize(settings: Settings, installations):
    """Bolt's own authorize, but an installation's token is checked with auth.test once,
    not on every request (a reply would wait for a call to Slack before being stored)."""
    if not settings.oauth:
        return None
    return AsyncInstallationStoreAuthorize(
        installation_store=installations, client_id=settings.slack_client_id,
        client_secret=_secret(settings.slack_client_secret), cache_enabled=True,
        logger=logging.getLogger("slack_bolt.AsyncApp"))


def _oauth_settings(settings: Settings, engine: AsyncEngine, installations):
    if not settings.oauth:
        return None
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=_secret(settings.slack_client_secret),
        scopes=SCOPES, installation_store=installations,
        state_store=AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine),
    )


class Answering:
    """Counts the requests being answered; `idle` is set while there are none."""

    def __init__(self) -> None:
        self._count = 0
        self.idle = asyncio.Event()
        self.idle.set()

    @contextlib.contextmanager
    def request(self) -> Iterator[None]:
        self._count += 1
        self.idle.clear()
        try:
            yield
        finally:
            self._count -= 1
            if not self._count:
                self.idle.set()


def web_app(app: AsyncApp, engine: AsyncEngine, signing_secret: str,
            answering: Answering) -> web.Application:
    """`POST /slack/events` (and the OAuth pages when configured), `GET /healthz`."""
    server = web.Application(client_max_size=MAX_BODY)
    verifier = SignatureVerifier(signing_secret)

    async def slack_events(request: web.Request) -> web.Response:
        with answering.request():
            return await _answered(request)

    async def _answered(request: web.Request) -> web.Response:
        body = await request.read()
        if not _signed(verifier, request.headers, body):
            structured(log, "refused", logging.WARNING, bytes=len(body), outcome=401)
            return web.Response(status=401, text="invalid request")
        try:
            bolt_request = AsyncBoltRequest(body=body.decode("utf-8"),
                                            query=request.query_string,
                                            headers=request.headers)
        except Exception:  # signed, yet not a payload Slack sends: nothing to dispatch
            structured(log, "refused", logging.WARNING, bytes=len(body), outcome=400)
            return web.Response(status=400, text="not a Slack payload")
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    async def healthz(_request: web.Request) -> web.Response:
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as e:
            return web.json_response({"ok": False, "database": str(e)}, status=503)
        return web.json_response({"ok": True})

    server.router.add_post("/slack/events", slack_events)
    server.router.add_get("/healthz", healthz)
    if app.oauth_flow is not None:
        _oauth_pages(server, app)
    return server


def _signed(verifier: SignatureVerifier, headers, body: bytes) -> bool:
    """Slack's signature and a fresh timestamp. slack_sdk raises on a timestamp that is no
    number and on a body that is not UTF-8 (Slack sends nothing else): checked first."""
    stamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return stamp.isdigit() and bool(signature) and verifier.is_valid(text, stamp, signature)


def _oauth_pages(server: web.Application, app: AsyncApp) -> None:
    flow = app.oauth_flow

    async def install(request: web.Request) -> web.Response:
        return await to_aiohttp_response(
            await flow.handle_installation(await to_bolt_request(request)))

    async def redirect(request: web.Request) -> web.Response:
        return await to_aiohttp_response(
            await flow.handle_callback(await to_bolt_request(request)))

    server.router.add_get(flow.install_path, install)
    server.router.add_get(flow.redirect_uri_path, redirect)
