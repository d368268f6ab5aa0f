"""Engines and sessions; migrations at start-up."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool, StaticPool

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger("dpflow.store")


# A write waits this long for the database, then gives up so Slack gets a non-2xx well
# inside its 3 seconds and sends the request again.
WRITE_WAIT = 1.5
COUNTERS = 3  # connections that take card references on PostgreSQL
CONNECTIONS = 3  # the rest of an instance's PostgreSQL connections (see `open_database`)
CHECKPOINT_EVERY = 100  # SQLite write transactions between checkpoints of its write-ahead log


class AsyncSessions:
    """PostgreSQL: asyncio connections from one pool; nothing is serialised."""

    def __init__(self, engine: AsyncEngine):
        self.engine = engine

    @asynccontextmanager
    async def transaction(self, *, write: bool) -> AsyncIterator[Transaction]:
        async with self.engine.connect() as connection:
            await connection.begin()
            orm = partial(AsyncSession, bind=connection, **_JOINED)
            async with aclosing(Transaction(connection, orm)) as transaction:
                yield transaction

    async def run_written(self, work: Callable[[Connection], None]) -> None:
        """`work` on a plain connection, in a write transaction of its own."""
        async with self.engine.begin() as conn:
            await conn.run_sync(work)

    def sync_engines(self) -> list[Engine]:
        return [self.engine.sync_engine]

    async def dispose(self) -> None:
        await self.engine.dispose()


@dataclass
class InlineSessions:
    """SQLite: Python's sqlite3 under plain connections, called right on the event loop.
    SQLite answers within microseconds here (WAL: reads never wait for the writer), and
    what an asyncio driver adds to every execute, fetch and commit (aiosqlite's thread hop,
    a greenlet switch each way) cost more CPU than the calls themselves. Writers in this
    process queue in order for the one write connection and give up after `WRITE_WAIT`;
    readers take a connection of their own.

    The write-ahead log is copied into the database by a thread of its own every
    `CHECKPOINT_EVERY` writes, not by the commit that fills it: that copy waits for the disk
    twice, and every writer queued behind it would wait too."""

    write: Engine
    read: Engine
    _writer: asyncio.Lock = field(default_factory=asyncio.Lock)
    _writes: int = 0
    _checkpoint: asyncio.Task | None = None

    @asynccontextmanager
    async def transaction(self, *, write: bool) -> AsyncIterator[Transaction]:
        if not write and self.read is not self.write:
            async with _begun(self.read) as transaction:
                yield transaction
            return
        async with asyncio.timeout(WRITE_WAIT):
            await self._writer.acquire()
        try:
            async with _begun(self.write) as transaction:
                yield transaction
        finally:
            self._writer.release()
            self._wrote()

    def _wrote(self) -> None:
        self._writes += 1
        if self._writes < CHECKPOINT_EVERY or self.read is self.write:
            return
        if self._checkpoint is None or self._checkpoint.done():
            self._writes = 0
            self._checkpoint = asyncio.create_task(asyncio.to_thread(self._copy_log))

    def _copy_log(self) -> None:
        """As much of the log as no reader still needs (SQLite's passive checkpoint, which
        neither waits for nor blocks readers and writers)."""
        connection = self.read.raw_connection()
        try:
            connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:  # the next one copies what this one left
            log.warning("checkpoint of the SQLite log failed", exc_info=True)
        finally:
            connection.close()

    async def run_written(self, work: Callable[[Connection], None]) -> None:
        """`work` on the write connection, in a transaction of its own."""
        with self.write.begin() as conn:
            work(conn)

    def sync_engines(self) -> list[Engine]:
        return [self.write, self.read]

    async def checkpointed(self) -> None:
        """Once the checkpoint under way, if any, has ended."""
        if self._checkpoint is not None:
            await self._checkpoint

    async def dispose(self) -> None:
        await self.checkpointed()
        self.write.dispose()
        self.read.dispose()


@asynccontextmanager
async def _begun(engine: Engine) -> AsyncIterator[Transaction]:
    with engine.connect() as connection:
        connection.begin()
        orm = lambda: Inline(Session(bind=connection, **_JOINED))  # noqa: E731
        async with aclosing(Transaction(Inline(connection), orm)) as transaction:
            yield transaction


# the unit of work's transaction stays the connection's: the session neither commits it
# nor, once the work is done, expires what it loaded
_JOINED = {"expire_on_commit": False, "join_transaction_mode": "rollback_only"}


class Transaction:
    """A unit of work's transaction: Core statements go straight to its connection (the
    write path of a reply is nothing else), ORM work to a session on that same connection,
    made when first asked for. Rows the session holds are flushed before a statement
    runs, as the session itself would."""

    def __init__(self, connection: AsyncConnection | Inline,
                 orm: Callable[[], AsyncSession | Inline]):
        self.connection, self.dialect = connection, connection.dialect
        self._new_orm, self._orm = orm, None

    @property
    def orm(self) -> AsyncSession | Inline:
        if self._orm is None:
            self._orm = self._new_orm()
        return self._orm

    async def execute(self, statement, params=None):
        orm = self._orm
        if orm is not None and (orm.new or orm.dirty or orm.deleted):
            await orm.flush()
        return await self.connection.execute(statement, params)

    async def commit(self) -> None:
        if self._orm is not None:
            await self._orm.flush()
        await self.connection.commit()

    async def aclose(self) -> None:
        if self._orm is not None:
            await self._orm.close()


class Inline:
    """A plain session or connection with the asyncio one's methods (those the store uses):
    each call runs at once and returns."""

    def __init__(self, target: Session | Connection):
        self.sync = target

    def __getattr__(self, name: str):
        return getattr(self.sync, name)  # attributes and plain methods (`add`, `new`, …)

    async def execute(self, *args, **kwargs):
        return self.sync.execute(*args, **kwargs)

    async def scalar(self, *args, **kwargs):
        return self.sync.scalar(*args, **kwargs)

    async def scalars(self, *args, **kwargs):
        return self.sync.scalars(*args, **kwargs)

    async def get(self, *args, **kwargs):
        return self.sync.get(*args, **kwargs)

    async def delete(self, row) -> None:
        self.sync.delete(row)

    async def flush(self) -> None:
        self.sync.flush()

    async def commit(self) -> None:
        self.sync.commit()

    async def close(self) -> None:
        self.sync.close()


@dataclass
class Database:
    """Where units of work get their transactions (`sessions`), and an asyncio engine for what
    needs one of its own (`engine`: the OAuth installation store, /healthz; None for an
    in-memory database). On PostgreSQL, `counters`, a small pool of its own, takes card
    references each in a transaction of its own: a workshop's counter row is locked for one
    statement, not until the reply that takes it commits (replies to one workshop would
    queue behind each other's round trips). Those transactions commit without waiting for
    the disk: the reply that uses a reference commits after it and waits, which makes the
    counter durable too (one write-ahead log), and a counter lost in a crash gave out only
    references no stored card has. Waiting for the disk there made every reply of every
    instance queue behind one flush at a time. A reference whose reply then fails is
    skipped, never given out twice."""

    sessions: AsyncSessions | InlineSessions
    engine: AsyncEngine | None
    counters: AsyncEngine | None = None  # None: in the writer's transaction

    async def dispose(self) -> None:
        await self.sessions.dispose()
        for engine in {self.engine, self.counters} - {None}:
            await engine.dispose()


def open_database(url: str) -> Database:
    if not url.startswith("sqlite"):
        # Few connections: a transaction here is short and never waits for Slack, and more
        # backends than the server has cores only take turns on them (two instances on two
        # cores served 107-155 replies/s with SQLAlchemy's 5 + 10, 163-207 with 3). A
        # request that finds them all busy waits `WRITE_WAIT` at most, then Slack resends.
        engine = create_async_engine(url, pool_size=CONNECTIONS, max_overflow=0,
                                     pool_timeout=WRITE_WAIT)
        # never more than its connections wait for a counter, and they wait for nothing else
        counters = create_async_engine(
            url, isolation_level="AUTOCOMMIT", pool_size=COUNTERS, max_overflow=0,
            connect_args={"server_settings": {"synchronous_commit": "off"}})
        return Database(AsyncSessions(engine), engine, counters)
    path = make_url(url).database
    if not path:  # in memory (service tests): one connection for all
        engine = _sqlite(":memory:", "BEGIN", poolclass=StaticPool)
        return Database(InlineSessions(engine, engine), None)
    # the read pool never makes a reader wait: past its size, a reader opens a connection
    sessions = InlineSessions(_sqlite(path, "BEGIN IMMEDIATE", poolclass=StaticPool,
                                      checkpoints=False),
                              _sqlite(path, "BEGIN", pool_size=5, max_overflow=-1))
    return Database(sessions, create_async_engine(url))


def _sqlite(path: str, begin: str, checkpoints: bool = True, **pool) -> Engine:
    # no isolation level: sqlite3 would defer BEGIN itself; the engine issues it
    engine = create_engine("sqlite://", poolclass=pool.pop("poolclass", QueuePool), **pool,
                           creator=partial(sqlite3.connect, path, timeout=WRITE_WAIT,
                                           isolation_level=None, check_same_thread=False))
    event.listen(engine, "connect", partial(_sqlite_pragmas, checkpoints=checkpoints))
    # a writer takes the write lock at BEGIN
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(begin))
    return engine


def _sqlite_pragmas(dbapi_conn, _record, checkpoints: bool) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # WAL: durable across a process crash
    cur.execute("PRAGMA foreign_keys=ON")
    if not checkpoints:  # the connection's commits leave the log to InlineSessions
        cur.execute("PRAGMA wal_autocheckpoint=0")
    cur.close()


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


async def migrate(db: Database) -> None:
    """Bring the database to the newest schema (Alembic `upgrade head`)."""
    await db.sessions.run_written(_upgrade)


def _upgrade(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        # several instances may start at once: one migrates, the others wait and find it done
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4242001)")
    cfg = alembic_config(str(conn.engine.url))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")
