"""Unit of work: one transaction, rolled back unless committed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from dpflow.logs import note
from dpflow.store.boards import Boards, Threads
from dpflow.store.db import AsyncSessions, Database, InlineSessions, migrate, open_database
from dpflow.store.models import StageRunRow, WorkshopRow, utcnow
from dpflow.store.repo import Repository

Clock = Callable[[], datetime]


class UnitOfWork:
    def __init__(self, sessions: AsyncSessions | InlineSessions, threads: Threads,
                 clock: Clock, counters: AsyncEngine | None = None, *, write: bool):
        self._sessions, self._threads, self.now = sessions, threads, clock
        self._counters, self._write = counters, write
        self._closing = AsyncExitStack()

    async def __aenter__(self) -> UnitOfWork:
        self.transaction = await self._closing.enter_async_context(
            self._sessions.transaction(write=self._write))
        self.repo = Repository(self.transaction, self.now)
        self.boards = Boards(self.transaction, self._threads, self.now, self._counters)
        return self

    async def __aexit__(self, *exc) -> None:
        # closing rolls back what was not committed and leaves the loaded rows readable
        await self._closing.aclose()

    async def commit(self) -> None:
        await self.transaction.commit()


class UnitOfWorkFactory:
    """What services receive: `async with uows() as uow: … await uow.commit()` to change
    things, `async with uows.read() as uow:` to look."""

    def __init__(self, db: Database, clock: Clock = utcnow):
        self.clock = clock
        self._sessions, self._counters = db.sessions, db.counters
        self._threads = Threads()
        self.teams: dict[str, str] = {}  # workshop id → its team, which never changes

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self._sessions, self._threads, lambda: self.clock(), self._counters,
                          write=True)

    def read(self) -> UnitOfWork:
        return UnitOfWork(self._sessions, self._threads, lambda: self.clock(), write=False)


@asynccontextmanager
async def opened(url: str) -> AsyncIterator[UnitOfWorkFactory]:
    """The database at `url`, brought up to date, for one command (`dpflow export`); its
    engines are disposed after."""
    db = open_database(url)
    try:
        await migrate(db)
        yield UnitOfWorkFactory(db)
    finally:
        await db.dispose()


@event.listens_for(WorkshopRow, "load")
def _workshop_loaded(workshop: WorkshopRow, _context) -> None:
    note(workshop=workshop.id)  # the request's log line names the workshop it touched


@event.listens_for(StageRunRow, "load")
def _run_loaded(run: StageRunRow, _context) -> None:
    note(workshop=run.workshop_id)
