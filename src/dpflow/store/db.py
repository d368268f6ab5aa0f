"""Engine and session factory; migrations at start-up."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import aiosqlite
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

MIGRATIONS = Path(__file__).parent / "migrations"


# A write waits this long for the database, then gives up so Slack gets a non-2xx well
# inside its 3 seconds and sends the request again.
WRITE_WAIT = 1.5


@dataclass
class Database:
    """The engines of one database: `write` takes every transaction that writes, `read`
    the others. On SQLite `write` is a single connection: writers in this process queue
    for it in order instead of sleeping in SQLite's busy handler, and reads never wait for
    them (WAL). On PostgreSQL both are the same pool and nothing is serialised."""

    read: AsyncEngine
    write: AsyncEngine

    async def dispose(self) -> None:
        await self.write.dispose()
        if self.read is not self.write:
            await self.read.dispose()


def open_database(url: str) -> Database:
    if not url.startswith("sqlite"):
        engine = create_async_engine(url)
        return Database(engine, engine)
    if not make_url(url).database:  # in memory (service tests): one connection for all
        engine = _sqlite(url, "BEGIN", poolclass=StaticPool)
        return Database(engine, engine)
    return Database(_sqlite(url, "BEGIN"),
                    _sqlite(url, "BEGIN IMMEDIATE", pool_size=1, max_overflow=0,
                            pool_timeout=WRITE_WAIT))


def _sqlite(url: str, begin: str, **pool) -> AsyncEngine:
    path = make_url(url).database or ":memory:"
    engine = create_async_engine(url, async_creator=lambda: _Inline(path), **pool)
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    # a writer takes the write lock at BEGIN
    event.listen(engine.sync_engine, "begin", lambda conn: conn.exec_driver_sql(begin))
    return engine


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # WAL: durable across a process crash
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class _Inline(aiosqlite.Connection):
    """aiosqlite's connection without its thread: each call runs at once on the event loop.
    SQLite answers within microseconds here (WAL; the writers of this process queue for
    the one write connection), and the thread hop aiosqlite makes for every cursor, execute,
    fetch and commit cost more CPU than the calls themselves (about 40 hops a reply)."""

    def __init__(self, path: str):
        # no isolation level: sqlite3 would defer BEGIN itself; the engine issues it
        super().__init__(partial(sqlite3.connect, path, timeout=WRITE_WAIT,
                                 isolation_level=None, check_same_thread=False),
                         iter_chunk_size=64)

    async def _execute(self, fn, *args, **kwargs):
        if self._connection is None:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    async def _connect(self) -> _Inline:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self):
        return self._connect().__await__()

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def session_factory(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


async def migrate(db: Database) -> None:
    """Bring the database to the newest schema (Alembic `upgrade head`)."""
    async with db.write.begin() as conn:
        await conn.run_sync(_upgrade)


def _upgrade(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        # several instances may start at once: one migrates, the others wait and find it done
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4242001)")
    cfg = alembic_config(str(conn.engine.url))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")
