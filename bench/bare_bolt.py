"""The floor dpflow is measured against: a Bolt app that verifies each thread reply and
acknowledges it, or (`--sqlite FILE`) first commits it to SQLite in WAL mode, with the pragmas
dpflow uses. bench_burst.py runs it as its own process, with dpflow's environment variables.

    SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=… SLACK_API_URL=… PORT=… \
        python bench/bare_bolt.py [--sqlite FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sqlite3

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def replies_table(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE IF NOT EXISTS replies (channel TEXT, ts TEXT, user TEXT, "
               "text TEXT, PRIMARY KEY (channel, ts))")
    return db


def bolt_app(db: sqlite3.Connection | None) -> AsyncApp:
    client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"],
                            base_url=os.environ["SLACK_API_URL"])
    app = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"],
                   process_before_response=True)

    @app.event("message")
    async def on_message(event: dict) -> None:
        if db is not None:  # keyed by the message, as dpflow is: a retry stores nothing new
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT OR IGNORE INTO replies VALUES (?, ?, ?, ?)",
                       (event["channel"], event["ts"], event.get("user"), event.get("text")))
            db.execute("COMMIT")

    return app


async def serve(db: sqlite3.Connection | None) -> None:
    server = bolt_app(db).web_app(path="/slack/events")
    server.router.add_get("/healthz", lambda _request: web.json_response({"ok": True}))
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(os.environ["PORT"])).start()
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", metavar="FILE", help="commit each reply to this database")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(replies_table(args.sqlite) if args.sqlite else None))


if __name__ == "__main__":
    main()
