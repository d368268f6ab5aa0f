"""Engine and session factory; migrations at start-up."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, StaticPool
from sqlalchemy.util import await_only

MIGRATIONS = Path(__file__).parent / "migrations"


# A write waits this long for the database, then gives up so Slack gets a non-2xx well
# inside its 3 seconds and sends the request again.
WRITE_WAIT = 1.5
COUNTERS = 3  # connections that take card references on PostgreSQL


@dataclass
class Database:
    """The engines of one database: `write` takes every transaction that writes, `read`
    the others. On SQLite `write` is a single connection: writers in this process queue
    for it in order instead of sleeping in SQLite's busy handler, and reads never wait for
    them (WAL). On PostgreSQL both are the same pool and nothing is serialised, and
    `counters`, a small pool of its own, takes card references each in a transaction of
    its own: a workshop's counter row is locked for one statement, not until the reply
    that takes it commits (replies to one workshop would queue behind each other's round
    trips). Those transactions commit without waiting for the disk: the reply that uses
    a reference commits after it and waits, which makes the counter durable too (one
    write-ahead log), and a counter lost in a crash gave out only references no stored
    card has. Waiting for the disk there made every reply of every instance queue behind
    one flush at a time. A reference whose reply then fails is skipped, never given out
    twice."""

    read: AsyncEngine
    write: AsyncEngine
    counters: AsyncEngine | None = None  # None: in the writer's transaction

    async def dispose(self) -> None:
        for engine in {self.read, self.write, self.counters} - {None}:
            await engine.dispose()


def open_database(url: str) -> Database:
    if not url.startswith("sqlite"):
        engine = create_async_engine(url)
        # never more than its connections wait for a counter, and they wait for nothing else
        counters = create_async_engine(
            url, isolation_level="AUTOCOMMIT", pool_size=COUNTERS, max_overflow=0,
            connect_args={"server_settings": {"synchronous_commit": "off"}})
        return Database(engine, engine, counters)
    if not make_url(url).database:  # in memory (service tests): one connection for all
        engine = _sqlite(url, "BEGIN", poolclass=StaticPool)
        return Database(engine, engine)
    return Database(_sqlite(url, "BEGIN"),
                    _sqlite(url, "BEGIN IMMEDIATE", pool_size=1, max_overflow=0,
                            pool_timeout=WRITE_WAIT))


def _sqlite(url: str, begin: str, **pool) -> AsyncEngine:
    path = make_url(url).database or ":memory:"
    # no isolation level: sqlite3 would defer BEGIN itself; the engine issues it
    engine = create_async_engine(
        make_url(url).set(drivername="sqlite+inline"), **pool,
        creator=partial(sqlite3.connect, path, timeout=WRITE_WAIT, isolation_level=None,
                        check_same_thread=False, factory=_Connection))
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


class InlineSQLite(SQLiteDialect_pysqlite):
    """Python's own sqlite3 under the asyncio engine: each call runs at once on the event
    loop. SQLite answers within microseconds here (WAL; the writers of this process queue
    for the one write connection), and what an asyncio driver adds to every cursor,
    execute, fetch and commit (aiosqlite's thread hop, or a greenlet switch each way) cost
    more CPU than the calls themselves."""

    is_async = True
    supports_statement_cache = True

    @classmethod
    def get_pool_class(cls, url):
        return AsyncAdaptedQueuePool if cls._is_url_file_db(url) else StaticPool


registry.register("sqlite.inline", __name__, "InlineSQLite")


class _Cursor(sqlite3.Cursor):
    def execute(self, *args):
        super().execute(*args)
        return _awaited(self)

    def executemany(self, *args):
        super().executemany(*args)
        return _awaited(self)

    async def _async_soft_close(self) -> None:
        """Called by the asyncio engine after each statement: the rows stay where they are,
        read on this same thread."""


def _awaited(cursor: _Cursor) -> _Cursor:
    """The asyncio engine's connections insist that a statement awaited something (to catch
    a driver that blocks): one await of nothing."""
    return await_only(_nothing(cursor))


async def _nothing(value):
    return value


class _Connection(sqlite3.Connection):
    def cursor(self, factory=_Cursor):
        return super().cursor(factory)


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
